/* xpbtime: run a command (or N copies of it at once) and report its wall
 * time, failures and peak RSS, measured without any shell in between.
 *
 *   xpbtime [-n N] [-b BASE] [-l LOG] [-e NAME=VALUE]... -- CMD [ARG...]
 *
 * -n N      start N copies together (default 1); wall time runs from the
 *           first fork to the last exit
 * -b BASE   "%i" in CMD, ARGs and -e values becomes BASE+k for copy k
 *           (default 0), so each copy can name its own vif
 * -e N=V    set N=V in the copies' environment (after %i substitution)
 * -l LOG    append the copies' stdout and stderr to LOG (default /dev/null)
 *
 * Prints one line:  wall_ns=W fails=F maxrss_kb=R
 * F counts copies that exited non-zero or died of a signal; R is the largest
 * ru_maxrss of any copy (a copy's rusage covers the children it waited for,
 * so a script's figure is its largest process).  Exits 0 when it could run
 * the copies, whatever they returned; 2 on usage or system errors. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_COPIES 4096
#define MAX_ENV	   64

static void usage(void)
{
	fprintf(stderr, "usage: xpbtime [-n N] [-b BASE] [-l LOG] [-e NAME=VALUE]... -- CMD "
			"[ARG...]\n");
	exit(2);
}

/* s with every "%i" replaced by the decimal n (a new string). */
static char *subst(const char *s, long n)
{
	char num[24];
	size_t len = strlen(s) + 1, nlen, k = 0;
	const char *p;
	char *out;

	nlen = (size_t)snprintf(num, sizeof(num), "%ld", n);
	for (p = s; (p = strstr(p, "%i")); p += 2)
		len += nlen;
	out = malloc(len);
	if (!out) {
		perror("xpbtime: malloc");
		exit(2);
	}
	for (p = s; *p;) {
		if (p[0] == '%' && p[1] == 'i') {
			memcpy(out + k, num, nlen);
			k += nlen;
			p += 2;
		} else {
			out[k++] = *p++;
		}
	}
	out[k] = '\0';
	return out;
}

static long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000L + ts.tv_nsec;
}

static long parse_num(const char *s, long lo, long hi)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end || end == s || v < lo || v > hi)
		usage();
	return v;
}

/* In the child: environment, output, then exec.  Never returns. */
static void run_copy(long idx, char **cmd, int ncmd, char **env, int nenv, int logfd)
{
	char **argv = calloc((size_t)ncmd + 1, sizeof(char *));
	int i;

	if (!argv)
		_exit(127);
	for (i = 0; i < nenv; i++)
		if (putenv(subst(env[i], idx)))
			_exit(127);
	for (i = 0; i < ncmd; i++)
		argv[i] = subst(cmd[i], idx);
	if (dup2(logfd, 1) < 0 || dup2(logfd, 2) < 0)
		_exit(127);
	execvp(argv[0], argv);
	dprintf(2, "xpbtime: exec %s: %s\n", argv[0], strerror(errno));
	_exit(127);
}

int main(int argc, char **argv)
{
	char *env[MAX_ENV];
	int nenv = 0, opt, logfd, fails = 0;
	long n = 1, base = 0, t0, t1, maxrss = 0, k, left;
	const char *log = "/dev/null";

	while ((opt = getopt(argc, argv, "+n:b:l:e:")) != -1) {
		switch (opt) {
		case 'n':
			n = parse_num(optarg, 1, MAX_COPIES);
			break;
		case 'b':
			base = parse_num(optarg, 0, 1000000);
			break;
		case 'l':
			log = optarg;
			break;
		case 'e':
			if (nenv == MAX_ENV || !strchr(optarg, '='))
				usage();
			env[nenv++] = optarg;
			break;
		default:
			usage();
		}
	}
	if (optind >= argc)
		usage();
	logfd = open(log, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
	if (logfd < 0) {
		fprintf(stderr, "xpbtime: %s: %s\n", log, strerror(errno));
		return 2;
	}
	t0 = now_ns();
	for (k = 0; k < n; k++) {
		pid_t pid = fork();

		if (pid < 0) {
			perror("xpbtime: fork");
			return 2;
		}
		if (pid == 0)
			run_copy(base + k, argv + optind, argc - optind, env, nenv, logfd);
	}
	for (left = n; left > 0; left--) {
		struct rusage ru;
		int st;

		if (wait4(-1, &st, 0, &ru) < 0) {
			perror("xpbtime: wait4");
			return 2;
		}
		if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
			fails++;
		if (ru.ru_maxrss > maxrss)
			maxrss = ru.ru_maxrss;
	}
	t1 = now_ns();
	printf("wall_ns=%ld fails=%d maxrss_kb=%ld\n", t1 - t0, fails, maxrss);
	return 0;
}
