/* SPDX-License-Identifier: MIT */
/*
 * Helpers shared by every module. Allocation failure is fatal, since a hub
 * that cannot allocate a few bytes has nothing useful left to do; sizes that
 * a peer controls are checked against named limits before they get here.
 */
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <netdb.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "util.h"

static int remove_cb(const char *, const struct stat *, int, struct FTW *);

void *
xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (p == NULL)
		fatalx("out of memory");
	return p;
}

void *
xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);

	if (p == NULL)
		fatalx("out of memory");
	return p;
}

void *
xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (p == NULL)
		fatalx("out of memory");
	return p;
}

char *
xstrdup(const char *s)
{
	char *p = strdup(s);

	if (p == NULL)
		fatalx("out of memory");
	return p;
}

char *
xstrndup(const char *s, size_t n)
{
	char *p = strndup(s, n);

	if (p == NULL)
		fatalx("out of memory");
	return p;
}

char *
xasprintf(const char *fmt, ...)
{
	va_list ap;
	char   *s;

	va_start(ap, fmt);
	s = xvasprintf(fmt, ap);
	va_end(ap);
	return s;
}

char *
xvasprintf(const char *fmt, va_list ap)
{
	char *s;

	if (vasprintf(&s, fmt, ap) < 0)
		fatalx("out of memory");
	return s;
}

void
random_bytes(void *buf, size_t len)
{
	unsigned char *p = buf;
	ssize_t        r;

	while (len > 0) {
		r = getrandom(p, len, 0);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			fatal("getrandom");
		}
		p += r;
		len -= (size_t)r;
	}
}

void
hex_encode(const void *in, size_t len, char *out)
{
	static const char    digits[] = "0123456789abcdef";
	const unsigned char *p = in;

	for (size_t i = 0; i < len; i++) {
		out[2 * i] = digits[p[i] >> 4];
		out[2 * i + 1] = digits[p[i] & 15];
	}
	out[2 * len] = '\0';
}

int
hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

char *
random_hex(size_t nbytes)
{
	unsigned char raw[64];
	char         *out;

	if (nbytes > sizeof(raw))
		fatalx("random_hex: %zu bytes is too many", nbytes);
	random_bytes(raw, nbytes);
	out = xmalloc(2 * nbytes + 1);
	hex_encode(raw, nbytes, out);
	explicit_bzero(raw, sizeof(raw));
	return out;
}

void
free_secret(char *s)
{
	if (s == NULL)
		return;
	explicit_bzero(s, strlen(s));
	free(s);
}

int64_t
now_sec(void)
{
	return (int64_t)time(NULL);
}

uint64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

void
iso_time(int64_t t, char *out, size_t outlen)
{
	struct tm tm;
	time_t    tt = (time_t)t;

	if (t <= 0) {
		snprintf(out, outlen, "null");
		return;
	}
	gmtime_r(&tt, &tm);
	strftime(out, outlen, "%Y-%m-%dT%H:%M:%S.000000Z", &tm);
}

/* The value of the 'n' digits at *pp, moving past them; -1 if one is
 * not a digit. */
static int
digits(const char **pp, int n)
{
	int v = 0;

	for (int i = 0; i < n; i++, (*pp)++) {
		if (**pp < '0' || **pp > '9')
			return -1;
		v = v * 10 + (**pp - '0');
	}
	return v;
}

/*
 * Exactly YYYY-MM-DDTHH:MM:SS[.fraction](Z|+00:00), a real date from 1970
 * to 9999: the time comes from a user's server (the culler's last
 * activity), and strptime() took "6-1-7T0:0:0Z", year 1013 and February
 * 30th alike.
 */
int64_t
iso_parse(const char *s)
{
	static const char sep[] = "--T::";
	int               f[6];
	struct tm         tm, back;
	time_t            t;

	if (s == NULL)
		return -1;
	for (int i = 0; i < 6; i++) {
		f[i] = digits(&s, i == 0 ? 4 : 2);
		if (f[i] < 0 || (i < 5 && *s++ != sep[i]))
			return -1;
	}
	/* Fractions of a second, then UTC only: "Z" or "+00:00". */
	if (*s == '.') {
		s++;
		if (*s < '0' || *s > '9')
			return -1;
		while (*s >= '0' && *s <= '9')
			s++;
	}
	if (strcmp(s, "Z") != 0 && strcmp(s, "+00:00") != 0)
		return -1;
	if (f[0] < 1970 || f[1] < 1 || f[1] > 12 || f[2] < 1 || f[3] > 23 ||
	    f[4] > 59 || f[5] > 59)
		return -1;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = f[0] - 1900;
	tm.tm_mon = f[1] - 1;
	tm.tm_mday = f[2];
	tm.tm_hour = f[3];
	tm.tm_min = f[4];
	tm.tm_sec = f[5];
	t = timegm(&tm);
	/* timegm() moves February 30th to March: not a date. */
	if (gmtime_r(&t, &back) == NULL || back.tm_mday != f[2] ||
	    back.tm_mon != f[1] - 1)
		return -1;
	return (int64_t)t;
}

int
parse_int(const char *s, long long min, long long max, long long *out)
{
	char     *end;
	long long v;

	if (s == NULL || !((*s >= '0' && *s <= '9') || *s == '-'))
		return -1;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

int
secret_equal(const char *a, const char *b)
{
	size_t        la = strlen(a), lb = strlen(b);
	unsigned char d = 0;

	if (la != lb)
		return 0;
	for (size_t i = 0; i < la; i++)
		d |= (unsigned char)(a[i] ^ b[i]);
	return d == 0;
}

const char *
username_error(const char *name)
{
	size_t len = strlen(name);

	if (len == 0)
		return "a username cannot be empty";
	if (len > 32)
		return "a username has at most 32 characters";
	if (name[0] == '-' || name[0] == '.')
		return "a username cannot start with '-' or '.'";
	for (size_t i = 0; i < len; i++) {
		char c = name[i];

		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		        c == '.' || c == '_' || c == '-'))
			return "a username has only lower-case letters, digits, "
			       "'.', '_' and '-'";
	}
	return NULL;
}

int
group_name_valid(const char *name)
{
	size_t len = strlen(name);

	if (len == 0 || len > 32 || name[0] == '-' || name[0] == '.')
		return 0;
	return strspn(name,
	           "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
	           "0123456789._-") == len;
}

int
username_valid(const char *name)
{
	return username_error(name) == NULL;
}

void
quote_for_terminal(const char *text, char *out, size_t outlen)
{
	static const char hex[] = "0123456789abcdef";
	size_t            o = 0, i;

	for (i = 0; i < QUOTED_SHOWN && text[i] != '\0'; i++) {
		unsigned char c = (unsigned char)text[i];

		if (o + 5 > outlen)
			break;
		if (c < 0x20 || c >= 0x7f || c == '\\' || c == '\'') {
			out[o++] = '\\';
			out[o++] = 'x';
			out[o++] = hex[c >> 4];
			out[o++] = hex[c & 15];
		} else
			out[o++] = (char)c;
	}
	if (text[i] != '\0' && o + 4 <= outlen) {
		memcpy(out + o, "...", 3);
		o += 3;
	}
	out[o] = '\0';
}

int
host_is_loopback(const char *host)
{
	struct in_addr  a4;
	struct in6_addr a6;

	if (strcasecmp(host, "localhost") == 0)
		return 1;
	if (inet_pton(AF_INET, host, &a4) == 1)
		return (ntohl(a4.s_addr) >> 24) == 127;
	if (inet_pton(AF_INET6, host, &a6) == 1)
		return IN6_IS_ADDR_LOOPBACK(&a6);
	return 0;
}

int
free_loopback_port(void)
{
	struct sockaddr_in sin;
	socklen_t          len = sizeof(sin);
	int                fd, port = -1;

	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd == -1)
		return -1;
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(fd, (struct sockaddr *)&sin, sizeof(sin)) == 0 &&
	    getsockname(fd, (struct sockaddr *)&sin, &len) == 0)
		port = ntohs(sin.sin_port);
	close(fd);
	return port;
}

int
free_loopback_port_except(int (*taken)(int, void *), void *arg, int tries)
{
	int port = -1;

	while (tries-- > 0) {
		port = free_loopback_port();
		if (port < 0 || !taken(port, arg))
			return port;
	}
	return -1;
}

int
tcp_answers(const char *host, int port, int timeout_ms)
{
	struct addrinfo hints, *res, *ai;
	struct pollfd   pfd;
	char            serv[16];
	int             fd, ok = 0, err;
	socklen_t       len;

	memset(&hints, 0, sizeof(hints));
	hints.ai_socktype = SOCK_STREAM;
	snprintf(serv, sizeof(serv), "%d", port);
	if (getaddrinfo(host, serv, &hints, &res) != 0)
		return 0;
	for (ai = res; ai != NULL && !ok; ai = ai->ai_next) {
		fd = socket(ai->ai_family,
		    ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC,
		    ai->ai_protocol);
		if (fd == -1)
			continue;
		if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
			ok = 1;
		else if (errno == EINPROGRESS) {
			pfd.fd = fd;
			pfd.events = POLLOUT;
			if (poll(&pfd, 1, timeout_ms) == 1) {
				len = sizeof(err);
				if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err,
				        &len) == 0 &&
				    err == 0)
					ok = 1;
			}
		}
		close(fd);
	}
	freeaddrinfo(res);
	return ok;
}

int
write_file_atomic(const char *path, const void *data, size_t len, int mode)
{
	char       *tmp;
	const char *p = data;
	int         fd, saved;
	ssize_t     w;

	tmp = xasprintf("%s.tmp.%ld", path, (long)getpid());
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	if (fd == -1)
		goto fail;
	if (fchmod(fd, (mode_t)mode) == -1)
		goto fail_fd;
	while (len > 0) {
		w = write(fd, p, len);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			goto fail_fd;
		}
		p += w;
		len -= (size_t)w;
	}
	if (fsync(fd) == -1)
		goto fail_fd;
	if (close(fd) == -1) {
		fd = -1;
		goto fail_unlink;
	}
	if (rename(tmp, path) == -1)
		goto fail_unlink;
	free(tmp);
	return 0;
fail_fd:
	saved = errno;
	close(fd);
	errno = saved;
fail_unlink:
	saved = errno;
	unlink(tmp);
	errno = saved;
fail:
	saved = errno;
	free(tmp);
	errno = saved;
	return -1;
}

char *
read_file(const char *path, size_t max, size_t *lenp)
{
	char   *data;
	size_t  len = 0, cap = 4096;
	ssize_t r;
	int     fd, saved;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd == -1)
		return NULL;
	data = xmalloc(cap + 1);
	for (;;) {
		if (len == cap) {
			if (cap >= max) {
				saved = EFBIG;
				goto fail;
			}
			cap = cap * 2 > max ? max : cap * 2;
			data = xrealloc(data, cap + 1);
		}
		r = read(fd, data + len, cap - len);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			saved = errno;
			goto fail;
		}
		if (r == 0)
			break;
		len += (size_t)r;
	}
	close(fd);
	data[len] = '\0';
	if (lenp != NULL)
		*lenp = len;
	return data;
fail:
	close(fd);
	free(data);
	errno = saved;
	return NULL;
}

int
mkdir_p(const char *path, int mode)
{
	char  *p = xstrdup(path);
	size_t len = strlen(p);

	for (size_t i = 1; i <= len; i++) {
		if (p[i] != '/' && p[i] != '\0')
			continue;
		p[i] = '\0';
		if (mkdir(p, (mode_t)mode) == -1 && errno != EEXIST) {
			int saved = errno;

			free(p);
			errno = saved;
			return -1;
		}
		if (i < len)
			p[i] = '/';
	}
	free(p);
	return 0;
}

/* Removes what nftw() shows it, deepest first. */
static int
remove_cb(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)ftw;
	if (flag == FTW_DP)
		rmdir(path);
	else
		unlink(path);
	return 0;
}

void
remove_tree(const char *path)
{
	nftw(path, remove_cb, 16, FTW_DEPTH | FTW_PHYS);
}
