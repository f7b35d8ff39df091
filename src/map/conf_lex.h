/* Line-level helpers for the map parser: comments, trimming, key spelling,
 * booleans, word lists and "did you mean" distances.  No allocation except
 * where stated, no I/O. */
#ifndef XP_CONF_LEX_H
#define XP_CONF_LEX_H

#include <stddef.h>

/* Cut a '#' or ';' comment that starts the line or follows whitespace,
 * drop a trailing '\r', and trim blanks at both ends.  Returns the start
 * of the remaining text inside line (possibly ""). */
char *xp_lex_clean(char *line);

/* Trim blanks at both ends, in place; returns the new start. */
char *xp_lex_trim(char *s);

/* Canonical key spelling: lower case, '_' becomes '-'.  In place. */
void xp_lex_norm_key(char *k);

/* yes/no/on/off/true/false/1/0, any case: 1 or 0, else -1. */
int xp_lex_bool(const char *s);

/* Split s in place on blanks and commas.  Returns the number of words and
 * sets *words to a malloc'd array of pointers into s (NULL when 0 words or
 * out of memory; then *oom is set). */
size_t xp_lex_words(char *s, char ***words, int *oom);

/* Levenshtein distance between two short strings (capped at 99). */
int xp_lex_distance(const char *a, const char *b);

#endif
