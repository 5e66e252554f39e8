/* SPDX-License-Identifier: MIT */
/*
 * rig tls-tunnel --listen PATH --connect ADDR:PORT: the hub's way to a
 * user's server on a pool's node (spawn-slurm.c). It listens on the Unix
 * socket PATH, in the account's runtime directory that only the account
 * and the hub may enter (as the local spawner's servers do), and carries
 * each connection to ADDR:PORT over TLS, authenticated both ways with the
 * keys read from standard input (tlstunnel.h): the hub's client key and
 * certificate, and the server's certificate, pinned. The hub runs it as
 * its own child. A process per connection (fork), so that one stuck
 * server connection holds nothing else, and at most TUNNEL_CONNS_MAX of
 * them: past that a new connection is closed at once (said once on
 * stderr, which the hub logs, then again with the count once below), so
 * that whoever reaches the socket cannot fill the machine with
 * processes. It ends by itself once PATH is no longer its socket (the hub
 * removed it when the server ended, or a new hub's tunnel took its place),
 * or its parent, the hub, is gone; connections under way finish. A
 * child's TLS session comes back to the parent through a pipe, so that
 * the next children resume it (TLS 1.3 tickets) rather than each doing a
 * full handshake.
 */
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "lib/log.h"
#include "lib/util.h"
#include "spawn-slurm-tls.h"
#include "tlstunnel.h"
#include "lib/banned.h"

#define CHECK_MS 1000 /* how often PATH is checked to be ours */
#define TUNNEL_CONNS_MAX 256 /* connections (processes) at once */

static char *read_keys(size_t *);
static int   listen_at(const char *, ino_t *);
static int   parse_to(const char *, char *, size_t, int *);
static int   still_ours(const char *, ino_t);
static void  serve(SSL_CTX *, int, const char *, int);
static int   reap(int);

/* Standard input to its end, at most SLURM_TLS_PEM_MAX bytes; NULL if
 * more, or none. */
static char *
read_keys(size_t *len)
{
	char   *buf = xmalloc(SLURM_TLS_PEM_MAX + 1);
	size_t  n = 0;
	ssize_t r;

	for (;;) {
		r = read(STDIN_FILENO, buf + n, SLURM_TLS_PEM_MAX + 1 - n);
		if (r == -1 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		n += (size_t)r;
		if (n > SLURM_TLS_PEM_MAX)
			break;
	}
	if (r == -1 || n == 0 || n > SLURM_TLS_PEM_MAX) {
		explicit_bzero(buf, n);
		free(buf);
		return NULL;
	}
	buf[n] = '\0';
	*len = n;
	return buf;
}

/* ADDR:PORT or [ADDR6]:PORT into 'host' and 'port'; -1 if not that. */
static int
parse_to(const char *arg, char *host, size_t hlen, int *port)
{
	const char *colon;
	size_t      n;
	long long   p;

	if (arg[0] == '[') {
		colon = strstr(arg, "]:");
		if (colon == NULL)
			return -1;
		n = (size_t)(colon - arg - 1);
		arg++;
		colon++;
	} else {
		colon = strrchr(arg, ':');
		if (colon == NULL)
			return -1;
		n = (size_t)(colon - arg);
	}
	if (n == 0 || n >= hlen || parse_int(colon + 1, 1, 65535, &p) == -1)
		return -1;
	memcpy(host, arg, n);
	host[n] = '\0';
	*port = (int)p;
	return 0;
}

/* A listening Unix socket at 'path' (an old one there replaced), its
 * inode in 'ino'; -1 with a message. */
static int
listen_at(const char *path, ino_t *ino)
{
	struct sockaddr_un sun;
	struct stat        st;
	int                fd;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sun.sun_path)) {
		error("tls-tunnel: %s: too long for a Unix socket", path);
		return -1;
	}
	memcpy(sun.sun_path, path, strlen(path) + 1);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd == -1) {
		error("tls-tunnel: socket: %s", strerror(errno));
		return -1;
	}
	if ((unlink(path) == -1 && errno != ENOENT) ||
	    bind(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1 ||
	    listen(fd, 128) == -1 || lstat(path, &st) == -1) {
		error("tls-tunnel: %s: %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	*ino = st.st_ino;
	return fd;
}

static int
still_ours(const char *path, ino_t ino)
{
	struct stat st;

	return lstat(path, &st) == 0 && S_ISSOCK(st.st_mode) &&
	    st.st_ino == ino;
}

/* The children that ended are waited for: 'live' less them. */
static int
reap(int live)
{
	while (live > 0 && waitpid(-1, NULL, WNOHANG) > 0)
		live--;
	return live;
}

/* One connection, in a child of its own. */
static void
serve(SSL_CTX *ctx, int fd, const char *host, int port)
{
	char why[512];

	if (tlstunnel_relay(ctx, fd, host, port, why, sizeof(why)) == -1)
		error("tls-tunnel: %s:%d: %s", host, port, why);
}

int
cmd_tls_tunnel(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "listen", required_argument, NULL, 'l' },
		{ "connect", required_argument, NULL, 'c' },
		{ NULL, 0, NULL, 0 },
	};
	const char *path = NULL, *to = NULL;
	char        host[64], *pem, why[512];
	size_t      len;
	SSL_CTX    *ctx;
	ino_t       ino;
	int         ch, port, lfd, live = 0, sessions[2];
	long long   refused = 0;

	while ((ch = getopt_long(argc, argv, "+", opts, NULL)) != -1) {
		switch (ch) {
		case 'l':
			path = optarg;
			break;
		case 'c':
			to = optarg;
			break;
		default:
			return usage("tls-tunnel");
		}
	}
	if (optind != argc || path == NULL || to == NULL)
		return usage("tls-tunnel");
	if (parse_to(to, host, sizeof(host), &port) == -1) {
		error("tls-tunnel: --connect %s: not ADDR:PORT", to);
		return 2;
	}
	pem = read_keys(&len);
	if (pem == NULL) {
		error("tls-tunnel: cannot read the keys on standard input");
		return 1;
	}
	ctx = tlstunnel_ctx(pem, len, why, sizeof(why));
	explicit_bzero(pem, len);
	free(pem);
	if (ctx == NULL) {
		error("tls-tunnel: %s", why);
		return 1;
	}
	signal(SIGPIPE, SIG_IGN);
	/* Children are waited for (reap()), to be counted. */
	signal(SIGCHLD, SIG_DFL);
	/* The hub gone, so is its tunnel (the next hub starts its own):
	 * none is left behind by a hub that does not come back. */
	if (prctl(PR_SET_PDEATHSIG, SIGTERM) == -1 || getppid() == 1) {
		SSL_CTX_free(ctx);
		return 1;
	}
	umask(077);
	lfd = listen_at(path, &ino);
	if (lfd == -1) {
		SSL_CTX_free(ctx);
		return 1;
	}
	/* Children send the sessions they get on 'sessions' (tlstunnel.h). */
	if (pipe2(sessions, O_CLOEXEC | O_NONBLOCK) == -1) {
		error("tls-tunnel: pipe: %s", strerror(errno));
		close(lfd);
		SSL_CTX_free(ctx);
		return 1;
	}
	tlstunnel_resume_via(sessions[1]);
	for (;;) {
		struct pollfd p[2] = {
			{ .fd = lfd, .events = POLLIN },
			{ .fd = sessions[0], .events = POLLIN },
		};
		int   c;
		pid_t pid;

		live = reap(live);
		if (poll(p, 2, CHECK_MS) == 0 || !still_ours(path, ino)) {
			if (!still_ours(path, ino))
				break;
			continue;
		}
		if (p[1].revents != 0)
			tlstunnel_resume_read(sessions[0]);
		if (p[0].revents == 0)
			continue;
		c = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
		if (c == -1)
			continue;
		live = reap(live);
		if (live >= TUNNEL_CONNS_MAX) {
			if (refused++ == 0)
				error("tls-tunnel: %d connections at once: "
				      "refusing more",
				    TUNNEL_CONNS_MAX);
			close(c);
			continue;
		}
		if (refused > 0) {
			error("tls-tunnel: %lld connections refused while %d "
			      "were open",
			    refused, TUNNEL_CONNS_MAX);
			refused = 0;
		}
		pid = fork();
		if (pid == 0) {
			close(lfd);
			close(sessions[0]);
			serve(ctx, c, host, port);
			_exit(0);
		}
		if (pid == -1)
			error("tls-tunnel: fork: %s", strerror(errno));
		else
			live++;
		close(c);
	}
	close(lfd);
	close(sessions[0]);
	close(sessions[1]);
	SSL_CTX_free(ctx);
	return 0;
}
