/* SPDX-License-Identifier: MIT */
/*
 * Fuzz target for the ssh config rig edits (sshconfig.c): the Host block
 * made from a machine's settings (from a cloned project's rig.conf) and
 * the rewrite of the rig-managed file that ~/.ssh/config includes. A line
 * that got into either would be ssh's to obey (a ProxyCommand runs a
 * command), so the promises checked are about lines. The input is fields
 * separated by NUL: the old file, the alias, the project folder, the host
 * name, the user and the identity file. A block has the lines a plain
 * machine's block has, each a known keyword; the file written has the
 * entry as one marker line, the block and the end line, reads the same
 * when written again, and loses the same lines as the old file when the
 * entry is removed; the Include line is added once.
 *
 * Built with clang -fsanitize=fuzzer for fuzzing, or with gcc and replay.c
 * to run the corpus in tests/fuzz/corpus/sshconfig/.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "machine/sshconfig.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)                                                            \
	do {                                                                   \
		if (!(cond)) {                                                 \
			dprintf(2, "%s:%d: invariant failed: %s\n", __FILE__,  \
			    __LINE__, #cond);                                  \
			abort();                                               \
		}                                                              \
	} while (0)

#define INCLUDE "Include config-rig"

/* The keywords a block may have, after its Host line. */
static const char *const keys[] = { "HostName", "User", "Port", "IdentityFile",
	"IdentitiesOnly", "UserKnownHostsFile", "StrictHostKeyChecking",
	"PasswordAuthentication", "KbdInteractiveAuthentication", "LogLevel",
	"ConnectTimeout", "ServerAliveInterval", "ServerAliveCountMax",
	"ControlMaster", "ControlPath", "ControlPersist" };

static size_t
count_lines(const char *s)
{
	size_t n = 0;

	for (; *s != '\0'; s++)
		n += *s == '\n';
	return n;
}

/* Every line after "Host ALIAS" is a tab, a known keyword and a space. */
static void
check_block(const char *b, const char *alias)
{
	const char *p = b;

	CHECK(strncmp(p, "Host ", 5) == 0);
	p += 5;
	CHECK(
	    strncmp(p, alias, strlen(alias)) == 0 && p[strlen(alias)] == '\n');
	p += strlen(alias) + 1;
	while (*p != '\0') {
		size_t i, k;

		CHECK(*p == '\t');
		p++;
		for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
			k = strlen(keys[i]);
			if (strncmp(p, keys[i], k) == 0 && p[k] == ' ')
				break;
		}
		CHECK(i < sizeof(keys) / sizeof(keys[0]));
		p = strchr(p, '\n');
		CHECK(p != NULL);
		p++;
	}
}

/* Drops the newlines at the end of 's': an entry added at the end comes
 * after a blank line, which stays when it is removed. */
static void
rstrip_nl(char *s)
{
	size_t n = strlen(s);

	while (n > 0 && s[n - 1] == '\n')
		s[--n] = '\0';
}

/* The next NUL-ended field of the input, or 'def' past its end. */
static const char *
field(const char **p, const char *end, const char *def)
{
	const char *f = *p;

	if (f >= end)
		return def;
	*p += strlen(f) + 1;
	return f;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sshconfig_host h, plain;
	char                 *in, *alias, *block, *plain_block, *text, *again;
	char                 *gone_old, *gone_new, *mark, *inc;
	const char           *p, *end, *old, *project;

	static int once;

	if (!once) {
		/* A refused value prints a line: only the checks' own (on
		 * fd 2) are wanted. */
		FILE *null = fopen("/dev/null", "w");

		if (null != NULL)
			stderr = null;
		once = 1;
	}
	/* NUL-terminated copy: the fields are C strings in it. */
	in = malloc(size + 1);
	CHECK(in != NULL);
	memcpy(in, data, size);
	in[size] = '\0';
	p = in;
	end = in + size;
	old = field(&p, end, "");
	alias = NULL;
	{
		const char *a = field(&p, end, "x");

		alias = malloc(strlen(a) + 5);
		CHECK(alias != NULL);
		snprintf(alias, strlen(a) + 5, "rig-%s", a);
	}
	project = field(&p, end, "/home/u/project");
	memset(&h, 0, sizeof(h));
	h.alias = alias;
	h.hostname = field(&p, end, "203.0.113.5");
	h.user = field(&p, end, "u");
	h.identity = field(&p, end, "/home/u/project/.rig/id_ed25519");
	h.port = 22;
	h.known_hosts = "/home/u/project/.rig/known_hosts";
	h.user_home = "/home/u";
	h.connect_timeout = 10;
	h.rig_only = (size & 1) != 0;
	h.control_path = (size & 2) ? "/home/u/project/.rig/cm-%C" : NULL;

	block = sshconfig_block(&h);
	if (block != NULL) {
		plain = h;
		plain.hostname = "203.0.113.5";
		plain.user = "u";
		plain.identity = "/id";
		plain.alias = "rig-x";
		plain_block = sshconfig_block(&plain);
		CHECK(plain_block != NULL);
		check_block(block, alias);
		CHECK(count_lines(block) == count_lines(plain_block));
		free(plain_block);
	}

	text = sshconfig_replace(old, alias, project, block);
	CHECK(text != NULL);
	if (block != NULL) {
		/* The entry: the marker, the block, the end, in one piece. */
		size_t mlen = strlen("\n# rig:  (") + strlen(alias);
		char  *at;

		mark = malloc(mlen + 1);
		CHECK(mark != NULL);
		snprintf(mark, mlen + 1, "\n# rig: %s (", alias);
		if (strncmp(text, mark + 1, mlen - 1) == 0)
			at = text;
		else
			at = strstr(text, mark);
		CHECK(at != NULL);
		at = strchr(at + 1, '\n');
		CHECK(at != NULL);
		at++;
		if (strncmp(at, block, strlen(block)) != 0)
			dprintf(2,
			    "the marker line of project '%s' is not "
			    "followed by the block:\n%s",
			    project, text);
		CHECK(strncmp(at, block, strlen(block)) == 0);
		CHECK(strncmp(at + strlen(block), "# rig: end\n", 11) == 0);
		free(mark);
	}
	again = sshconfig_replace(text, alias, project, block);
	CHECK(strcmp(again, text) == 0);
	free(again);
	gone_old = sshconfig_replace(old, alias, project, NULL);
	gone_new = sshconfig_replace(text, alias, project, NULL);
	rstrip_nl(gone_old);
	rstrip_nl(gone_new);
	CHECK(strcmp(gone_old, gone_new) == 0);
	free(gone_old);
	free(gone_new);

	inc = sshconfig_with_include(old, INCLUDE);
	if (inc != NULL) {
		CHECK(strncmp(inc, "# ", 2) == 0);
		again = sshconfig_with_include(inc, INCLUDE);
		CHECK(again == NULL);
		free(inc);
	}
	free(text);
	free(block);
	free(alias);
	free(in);
	return 0;
}
