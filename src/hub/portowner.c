/* SPDX-License-Identifier: MIT */
/*
 * Listeners of a TCP port (portowner.h): from the kernel's sock_diag
 * (tcpdiag.h), else from /proc/net/tcp{,6}, where a line is:
 *
 *   sl  local_address rem_address   st tx_queue:rx_queue tr:tm->when
 *     retrnsmt   uid  timeout inode ...
 *   0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000
 *     00000000  1001        0 43211 ...
 *
 * The port is the hex after the local address's colon, state 0A is
 * LISTEN, and the uid is the eighth field.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/util.h"
#include "portowner.h"
#include "tcpdiag.h"

#define TCP_LISTEN 0x0A
#define NET_TCP_MAX (64u << 20) /* a busy machine's table */
#define OWNERS_MAX 16

static int  line_listener(const char *, int, uid_t *);
static void found_cb(void *, uid_t, uint16_t);

/* 1 and *uid if 'line' is a socket in LISTEN on 'port', else 0. */
static int
line_listener(const char *line, int port, uid_t *uid)
{
	char          local[80], rem[80], queues[40], timer[40], retr[40];
	unsigned      st;
	unsigned long u;
	char         *colon, *end;
	long          p;

	if (sscanf(line, " %*[0-9]: %79s %79s %x %39s %39s %39s %lu", local,
	        rem, &st, queues, timer, retr, &u) != 7)
		return 0;
	colon = strrchr(local, ':');
	if (colon == NULL || st != TCP_LISTEN)
		return 0;
	p = strtol(colon + 1, &end, 16);
	if (*end != '\0' || end == colon + 1 || p != port)
		return 0;
	*uid = (uid_t)u;
	return 1;
}

int
portowner_parse(const char *text, int port, uid_t *uids, size_t max)
{
	const char *line = text, *nl;
	int         n = 0;

	if (strncmp(text + strspn(text, " "), "sl", 2) != 0)
		return -1;
	for (; line != NULL && *line != '\0'; line = nl ? nl + 1 : NULL) {
		char   buf[512];
		uid_t  uid;
		size_t len;

		nl = strchr(line, '\n');
		len = nl != NULL ? (size_t)(nl - line) : strlen(line);
		if (len >= sizeof(buf))
			continue;
		memcpy(buf, line, len);
		buf[len] = '\0';
		if (!line_listener(buf, port, &uid))
			continue;
		if ((size_t)n < max)
			uids[n] = uid;
		n++;
	}
	return n;
}

/* What the kernel's dump found on the port. */
struct found {
	int   port;
	uid_t uid;
	uid_t other; /* (uid_t)-1 if none */
	int   n;
};

static void
found_cb(void *arg, uid_t uid, uint16_t port)
{
	struct found *f = arg;

	if (port != f->port)
		return;
	f->n++;
	if (uid != f->uid)
		f->other = uid;
}

int
portowner_check(int port, uid_t uid, uid_t *other)
{
	struct found f = { port, uid, (uid_t)-1, 0 };

	/* The kernel sends only listeners: cheap however many connections
	 * the machine holds. /proc/net/tcp where it cannot be asked. */
	if (tcpdiag_listeners(found_cb, &f) == 0) {
		*other = f.other;
		if (f.other != (uid_t)-1)
			return -1;
		return f.n > 0 ? 1 : 0;
	}
	return portowner_check_proc(port, uid, other);
}

int
portowner_check_proc(int port, uid_t uid, uid_t *other)
{
	static const char *const tables[] = { "/proc/net/tcp",
		"/proc/net/tcp6" };
	int                      found = 0;

	*other = (uid_t)-1;
	for (size_t t = 0; t < nitems(tables); t++) {
		uid_t uids[OWNERS_MAX];
		char *text = read_file(tables[t], NET_TCP_MAX, NULL);
		int   n;

		/* No tcp6 on a kernel without IPv6: nothing listens there. */
		if (text == NULL && t == 1)
			continue;
		if (text == NULL)
			return -1;
		n = portowner_parse(text, port, uids, OWNERS_MAX);
		free(text);
		if (n < 0 || n > OWNERS_MAX)
			return -1;
		for (int i = 0; i < n; i++) {
			if (uids[i] != uid) {
				*other = uids[i];
				return -1;
			}
		}
		found += n;
	}
	return found > 0 ? 1 : 0;
}
