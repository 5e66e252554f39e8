/* SPDX-License-Identifier: MIT */
/*
 * The unit-test runner: forks each registered test with a 20 s alarm, so a
 * crash or a hang fails one test and not the run. Arguments are name
 * prefixes to select tests.
 */
#include <sys/wait.h>

#include <signal.h>
#include <unistd.h>

#include "unit.h"

static struct unit_test *tests;
static char              tmpdir[256];

void
unit_register(struct unit_test *t)
{
	struct unit_test **p = &tests;

	while (*p != NULL && strcmp((*p)->name, t->name) < 0)
		p = &(*p)->next;
	t->next = *p;
	*p = t;
}

const char *
unit_tmpdir(void)
{
	return tmpdir;
}

static int
selected(const char *name, int argc, char **argv)
{
	if (argc < 2)
		return 1;
	for (int i = 1; i < argc; i++)
		if (strncmp(name, argv[i], strlen(argv[i])) == 0)
			return 1;
	return 0;
}

int
main(int argc, char **argv)
{
	int passed = 0, failed = 0, n = 0;

	for (struct unit_test *t = tests; t != NULL; t = t->next)
		if (selected(t->name, argc, argv))
			n++;
	printf("1..%d\n", n);
	fflush(stdout);
	n = 0;
	for (struct unit_test *t = tests; t != NULL; t = t->next) {
		pid_t pid;
		int   status;
		char  cmd[300];

		if (!selected(t->name, argc, argv))
			continue;
		n++;
		snprintf(tmpdir, sizeof(tmpdir), "/tmp/rig-unit-XXXXXX");
		if (mkdtemp(tmpdir) == NULL) {
			perror("mkdtemp");
			return 1;
		}
		pid = fork();
		if (pid == 0) {
			alarm(20);
			t->fn();
			exit(0);
		}
		waitpid(pid, &status, 0);
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
		if (system(cmd) != 0)
			fprintf(stderr, "# could not remove %s\n", tmpdir);
		if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
			printf("ok %d %s\n", n, t->name);
			passed++;
		} else {
			if (WIFSIGNALED(status))
				printf("# killed by signal %d\n",
				    WTERMSIG(status));
			printf("not ok %d %s\n", n, t->name);
			failed++;
		}
		fflush(stdout);
	}
	printf("%d passed, %d failed\n", passed, failed);
	return failed == 0 ? 0 : 1;
}
