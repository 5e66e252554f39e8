/* SPDX-License-Identifier: MIT */
/*
 * Tests of remote.c: sh quoting and ssh's failures said in words.
 */
#include <stdio.h>
#include <string.h>

#include "unit.h"
#include "machine/machine.h"
#include "machine/remote.h"
#include "machine/termsafe.h"
#include "lib/util.h"

TEST(remote_sh_quote)
{
	char *q;

	q = sh_quote("plain/path-1.2_x");
	ASSERT_STR_EQ(q, "plain/path-1.2_x");
	free(q);
	q = sh_quote("a b");
	ASSERT_STR_EQ(q, "'a b'");
	free(q);
	q = sh_quote("it's");
	ASSERT_STR_EQ(q, "'it'\\''s'");
	free(q);
	q = sh_quote("");
	ASSERT_STR_EQ(q, "''");
	free(q);
	q = sh_quote("$(rm -rf /)");
	ASSERT_STR_EQ(q, "'$(rm -rf /)'");
	free(q);
}

TEST(remote_explain_ssh_errors)
{
	struct machine     m;
	struct remote      rm;
	struct proc_result res;
	char               msg[512];

	machine_init(&m);
	m.user = xstrdup("al");
	memset(&rm, 0, sizeof(rm));
	rm.m = &m;
	rm.host = xstrdup("h.example");
	rm.port = 22;
	rm.known_hosts = xstrdup("/p/.rig/known_hosts");
	proc_result_init(&res);
	res.status = 255;
	buf_adds(&res.err,
	    "ssh: connect to host h.example port 22: "
	    "Connection refused\r\n");
	remote_explain(&rm, &res, msg, sizeof(msg));
	ASSERT_STR_EQ(msg,
	    "cannot reach h.example port 22: connection "
	    "refused (is sshd running there?)");
	buf_reset(&res.err);
	buf_adds(&res.err, "al@h.example: Permission denied (publickey).\n");
	remote_explain(&rm, &res, msg, sizeof(msg));
	ASSERT(strncmp(msg, "al@h.example refused the key", 28) == 0);
	buf_reset(&res.err);
	buf_adds(&res.err, "Host key verification failed.\n");
	remote_explain(&rm, &res, msg, sizeof(msg));
	ASSERT(strstr(msg, "/p/.rig/known_hosts") != NULL);
	buf_reset(&res.err);
	buf_adds(&res.err,
	    "something\nkex_exchange_identification: read: "
	    "Connection reset by peer\n");
	remote_explain(&rm, &res, msg, sizeof(msg));
	ASSERT_STR_EQ(msg,
	    "ssh to h.example failed: kex_exchange_"
	    "identification: read: Connection reset by peer");
	proc_result_release(&res);
	remote_close(&rm);
	machine_release(&m);
}

/* What the machine prints is text: escapes lose their introducer. */
TEST(remote_term_clean)
{
	char s[] = "ok\t\x1b]0;t\x07 \x1b[2J \xc2\x9b"
	           "31m \r\x7f caf\xc3\xa9\n";

	term_clean(s, sizeof(s) - 1);
	ASSERT_STR_EQ(s, "ok\t?]0;t? ?[2J ??31m ?? caf\xc3\xa9\n");
	term_clean_str(NULL);
}
