/* SPDX-License-Identifier: MIT */
/*
 * Listening TCP sockets through NETLINK_SOCK_DIAG (tcpdiag.h): one dump
 * request per family with idiag_states set to LISTEN alone.
 */
#include <sys/socket.h>

#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/util.h"
#include "tcpdiag.h"

#define TCP_LISTEN_STATE 10 /* TCP_LISTEN in the kernel's tcp_states.h */
#define DIAG_BUF 32768

static int dump(int, int, void (*)(void *, uid_t, uint16_t), void *);

/* One family's listeners to 'cb'. */
/* NLMSG_OK() with its comparisons typed: 'len' stays signed, so the
 * NLMSG_NEXT() of a last message that overshoots ends the loop, and clang's
 * -Wsign-compare (which does not spare the macro) is satisfied. */
static int
nlmsg_fits(const struct nlmsghdr *h, int len)
{
	return len >= (int)sizeof(*h) && h->nlmsg_len >= sizeof(*h) &&
	    h->nlmsg_len <= (unsigned)len;
}

static int
dump(int fd, int family, void (*cb)(void *, uid_t, uint16_t), void *arg)
{
	struct {
		struct nlmsghdr         nlh;
		struct inet_diag_req_v2 req;
	} q;
	struct sockaddr_nl nl;
	char              *buf;
	ssize_t            got;
	int                len, ret = -1;

	memset(&q, 0, sizeof(q));
	q.nlh.nlmsg_len = sizeof(q);
	q.nlh.nlmsg_type = SOCK_DIAG_BY_FAMILY;
	q.nlh.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	q.req.sdiag_family = (uint8_t)family;
	q.req.sdiag_protocol = IPPROTO_TCP;
	q.req.idiag_states = 1U << TCP_LISTEN_STATE;
	memset(&nl, 0, sizeof(nl));
	nl.nl_family = AF_NETLINK;
	if (sendto(fd, &q, sizeof(q), 0, (struct sockaddr *)&nl, sizeof(nl)) ==
	    -1)
		return -1;
	buf = xmalloc(DIAG_BUF);
	for (;;) {
		struct nlmsghdr *h = (struct nlmsghdr *)(void *)buf;

		got = recv(fd, buf, DIAG_BUF, 0);
		if (got == -1 && errno == EINTR)
			continue;
		if (got <= 0)
			goto out;
		len = (int)got;
		for (; nlmsg_fits(h, len); h = NLMSG_NEXT(h, len)) {
			struct inet_diag_msg *m;

			if (h->nlmsg_type == NLMSG_DONE) {
				ret = 0;
				goto out;
			}
			if (h->nlmsg_type == NLMSG_ERROR ||
			    h->nlmsg_len < NLMSG_LENGTH(sizeof(*m)))
				goto out;
			m = NLMSG_DATA(h);
			cb(arg, (uid_t)m->idiag_uid, ntohs(m->id.idiag_sport));
		}
	}
out:
	free(buf);
	return ret;
}

int
tcpdiag_listeners(void (*cb)(void *, uid_t, uint16_t), void *arg)
{
	int fd, ret;

	fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
	if (fd == -1)
		return -1;
	ret =
	    dump(fd, AF_INET, cb, arg) == 0 && dump(fd, AF_INET6, cb, arg) == 0
	    ? 0
	    : -1;
	close(fd);
	return ret;
}
