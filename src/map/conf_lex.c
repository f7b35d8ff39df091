#include "map/conf_lex.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

static int is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f';
}

char *xp_lex_trim(char *s)
{
	size_t n;

	while (is_blank(*s))
		s++;
	n = strlen(s);
	while (n > 0 && is_blank(s[n - 1]))
		s[--n] = '\0';
	return s;
}

char *xp_lex_clean(char *line)
{
	for (char *p = line; *p; p++) {
		if ((*p == '#' || *p == ';') && (p == line || is_blank(p[-1]))) {
			*p = '\0';
			break;
		}
	}
	return xp_lex_trim(line);
}

void xp_lex_norm_key(char *k)
{
	for (; *k; k++)
		*k = *k == '_' ? '-' : (char)tolower((unsigned char)*k);
}

int xp_lex_bool(const char *s)
{
	static const char *const yes[] = {"yes", "on", "true", "1"};
	static const char *const no[] = {"no", "off", "false", "0"};

	for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		if (!strcasecmp(s, yes[i]))
			return 1;
		if (!strcasecmp(s, no[i]))
			return 0;
	}
	return -1;
}

size_t xp_lex_words(char *s, char ***words, int *oom)
{
	size_t n = 0, cap = 0;
	char **w = NULL;
	char *save = NULL;

	*oom = 0;
	*words = NULL;
	for (char *tok = strtok_r(s, " \t,", &save); tok; tok = strtok_r(NULL, " \t,", &save)) {
		if (n == cap) {
			char **nw = realloc(w, (cap ? cap * 2 : 4) * sizeof(*w));
			if (!nw) {
				free(w);
				*oom = 1;
				return 0;
			}
			w = nw;
			cap = cap ? cap * 2 : 4;
		}
		w[n++] = tok;
	}
	*words = w;
	return n;
}

int xp_lex_distance(const char *a, const char *b)
{
	enum { MAX = 32 };
	int row[MAX + 1];
	size_t la = strlen(a), lb = strlen(b);

	if (la > MAX || lb > MAX)
		return 99;
	for (size_t j = 0; j <= lb; j++)
		row[j] = (int)j;
	for (size_t i = 1; i <= la; i++) {
		int diag = row[0];
		row[0] = (int)i;
		for (size_t j = 1; j <= lb; j++) {
			int up = row[j];
			int cost = a[i - 1] != b[j - 1];
			int best = diag + cost;
			if (up + 1 < best)
				best = up + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			row[j] = best;
			diag = up;
		}
	}
	return row[lb];
}
