/* SPDX-License-Identifier: MIT */
/*
 * A partition's power command (power_on = CMD {host}) made into argv
 * (provider.h): the node's host and name go into the words that name
 * them, each staying one argument, so a host can never be read as more
 * than that by a shell or as another option.
 */
#include <stdio.h>
#include <string.h>

#include "lib/buf.h"
#include "lib/proc.h"
#include "provider.h"
#include "lib/banned.h"

#define WORD_MAX 4096

int
provider_power_argv(const char *cmd, const struct provider_node *nd,
    struct argv *out, char *why, size_t len)
{
	const char *p = cmd, *q;
	struct buf  w;
	size_t      n;

	if (strpbrk(cmd, "'\"\\") != NULL) {
		snprintf(why, len,
		    "'%s': no quotes or backslashes in a power command (its "
		    "words are split at blanks, never by a shell)",
		    cmd);
		return -1;
	}
	argv_init(out);
	buf_init(&w, WORD_MAX);
	for (;;) {
		p += strspn(p, " \t");
		if (*p == '\0')
			break;
		n = strcspn(p, " \t");
		buf_reset(&w);
		for (q = p; q < p + n;) {
			if (strncmp(q, "{host}", 6) == 0 && nd->host != NULL) {
				buf_adds(&w, nd->host);
				q += 6;
			} else if (strncmp(q, "{node}", 6) == 0) {
				buf_adds(&w, nd->name);
				q += 6;
			} else if (*q == '{' || *q == '}') {
				snprintf(why, len,
				    "'%s': only {host} and {node} may be "
				    "put in a power command",
				    cmd);
				buf_release(&w);
				argv_release(out);
				return -1;
			} else
				buf_add(&w, q++, 1);
		}
		if (w.len >= WORD_MAX - 1) {
			snprintf(why, len,
			    "a power command's word is too long");
			buf_release(&w);
			argv_release(out);
			return -1;
		}
		argv_add(out, buf_str(&w));
		p += n;
	}
	buf_release(&w);
	if (out->n == 0) {
		snprintf(why, len, "an empty power command");
		argv_release(out);
		return -1;
	}
	return 0;
}
