/* SPDX-License-Identifier: MIT */
/*
 * portowner.c: the listeners of a port and their uids from the text of
 * /proc/net/tcp and tcp6 (IPv4 and IPv6 lines, LISTEN and other states,
 * ports as hex, lines that do not parse), and a real listener of this
 * process found with its uid.
 */
#include <sys/socket.h>
#include <netinet/in.h>

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hub/portowner.h"
#include "unit.h"

/* Port 8888 is 22B8; 0A is LISTEN, 01 ESTABLISHED. */
static const char tcp4[] =
    "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when "
    "retrnsmt   uid  timeout inode\n"
    "   0: 0100007F:22B8 00000000:0000 0A 00000000:00000000 00:00000000 "
    "00000000  1001        0 43211 1 0000000000000000 100 0 0 10 0\n"
    "   1: 00000000:22B8 00000000:0000 0A 00000000:00000000 00:00000000 "
    "00000000  1002        0 43212 1 0000000000000000 100 0 0 10 0\n"
    /* A connection to 8888, not a listener: its uid does not count. */
    "   2: 0100007F:22B8 0100007F:D431 01 00000000:00000000 00:00000000 "
    "00000000  1003        0 43213 1 0000000000000000 20 4 30 10 -1\n"
    /* Another port. */
    "   3: 0100007F:22B9 00000000:0000 0A 00000000:00000000 00:00000000 "
    "00000000  1004        0 43214 1 0000000000000000 100 0 0 10 0\n"
    "   4: garbage\n"
    "   5: 0100007F:ZZZZ 00000000:0000 0A 00000000:00000000 00:00000000 "
    "00000000  1005        0 43215 1\n";

static const char tcp6[] =
    "  sl  local_address                         remote_address          "
    "              st tx_queue rx_queue tr tm->when retrnsmt   uid  "
    "timeout inode\n"
    "   0: 00000000000000000000000001000000:22B8 "
    "00000000000000000000000000000000:0000 0A 00000000:00000000 "
    "00:00000000 00000000  1006        0 51000 1 0000000000000000 100 0 0 "
    "10 0\n";

TEST(portowner_parse_ipv4)
{
	uid_t uids[4];

	ASSERT_EQ(portowner_parse(tcp4, 8888, uids, 4), 2);
	ASSERT_EQ(uids[0], 1001);
	ASSERT_EQ(uids[1], 1002);
	ASSERT_EQ(portowner_parse(tcp4, 8889, uids, 4), 1);
	ASSERT_EQ(uids[0], 1004);
	ASSERT_EQ(portowner_parse(tcp4, 80, uids, 4), 0);
	/* Counted past 'max' too: the caller sees it could not hold all. */
	ASSERT_EQ(portowner_parse(tcp4, 8888, uids, 1), 2);
	ASSERT_EQ(uids[0], 1001);
}

TEST(portowner_parse_ipv6)
{
	uid_t uids[4];

	ASSERT_EQ(portowner_parse(tcp6, 8888, uids, 4), 1);
	ASSERT_EQ(uids[0], 1006);
}

TEST(portowner_parse_refuses_other_text)
{
	uid_t uids[4];

	ASSERT_EQ(portowner_parse("", 8888, uids, 4), -1);
	ASSERT_EQ(portowner_parse("hello\n   0: 0100007F:22B8", 8888, uids, 4),
	    -1);
	/* The header alone: nothing listens. */
	ASSERT_EQ(portowner_parse("  sl  local_address\n", 8888, uids, 4), 0);
}

/* A socket of this process in LISTEN is found, as this uid's; another
 * uid asked about it is told whose it is. */
TEST(portowner_check_real_listener)
{
	struct sockaddr_in sin;
	socklen_t          len = sizeof(sin);
	uid_t              other;
	int                fd, port;

	fd = socket(AF_INET, SOCK_STREAM, 0);
	ASSERT(fd >= 0);
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ASSERT_EQ(bind(fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	ASSERT_EQ(getsockname(fd, (struct sockaddr *)&sin, &len), 0);
	port = ntohs(sin.sin_port);
	/* Bound, not listening: not a listener yet. Both ways of asking
	 * (sock_diag, /proc/net/tcp) agree. */
	ASSERT_EQ(portowner_check(port, geteuid(), &other), 0);
	ASSERT_EQ(portowner_check_proc(port, geteuid(), &other), 0);
	ASSERT_EQ(listen(fd, 1), 0);
	ASSERT_EQ(portowner_check(port, geteuid(), &other), 1);
	ASSERT_EQ(portowner_check_proc(port, geteuid(), &other), 1);
	ASSERT_EQ(portowner_check(port, geteuid() + 1, &other), -1);
	ASSERT_EQ(other, geteuid());
	other = 0;
	ASSERT_EQ(portowner_check_proc(port, geteuid() + 1, &other), -1);
	ASSERT_EQ(other, geteuid());
	close(fd);
	ASSERT_EQ(portowner_check(port, geteuid(), &other), 0);
	ASSERT_EQ(portowner_check_proc(port, geteuid(), &other), 0);
}
