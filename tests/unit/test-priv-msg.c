/* SPDX-License-Identifier: MIT */
/*
 * priv-msg.c and the privileged helper's checks: well-formed requests
 * round-trip; a wrong version, a type out of range, sizes that do not
 * match or pass the limits, names with '/', "..", a NUL or too long, a
 * pid of 0 or 1, a signal not for stopping, paths with "..", and fields
 * that must be zero are refused by the decoder. Then a real helper
 * (priv_helper_main() in a child) refuses malformed packets, root and
 * system accounts, a descriptor its request does not take, a pid that is
 * not the account's, and exits when the hub's end closes. Last, the state
 * directory handed to the hub's account.
 */
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "hub/cgroup.h"
#include "hub/firewall.h"
#include "hub/priv-msg.h"
#include "hub/priv.h"
#include "hub/slurm-ask.h"
#include "hub/state.h"
#include "unit.h"

static size_t      spawn_req(unsigned char *, size_t, const char *);
static void        name_req(struct priv_req *, uint16_t, const char *);
static int         decode(const unsigned char *, size_t, const char **);
static int         decode_flagged(uint16_t, uint32_t);
static pid_t       helper_start(const char *, int *);
static void        helper_ask(int, const unsigned char *, size_t, int,
           struct priv_reply *);
static void        helper_end(pid_t, int);
static const char *user_account(uid_t *);

static const char *argv_ok[] = { "jupyter-lab", "--port=1", NULL };
static const char *env_ok[] = { "PATH=/usr/bin", "JUPYTER_TOKEN=s", NULL };

/* A valid spawn as 'account' into 'out'; its size. */
static size_t
spawn_req(unsigned char *out, size_t outlen, const char *account)
{
	struct priv_req req;

	memset(&req, 0, sizeof(req));
	req.type = PRIV_SPAWN;
	req.seq = 7;
	snprintf(req.account, sizeof(req.account), "%s", account);
	req.file = "/usr/bin/jupyter-lab";
	req.cwd = "/home/rig-alice";
	for (int i = 0; argv_ok[i] != NULL; i++)
		req.argv[i] = argv_ok[i];
	for (int i = 0; env_ok[i] != NULL; i++)
		req.env[i] = env_ok[i];
	return priv_req_encode(&req, out, outlen);
}

static void
name_req(struct priv_req *req, uint16_t type, const char *account)
{
	memset(req, 0, sizeof(*req));
	req->type = type;
	req->seq = 3;
	snprintf(req->account, sizeof(req->account), "%s", account);
}

/* A request of 'type' for rig-alice with nothing variable (a signal's to
 * pid 100, SIGTERM) but 'flags', decoded: what decode() says. */
static int
decode_flagged(uint16_t type, uint32_t flags)
{
	unsigned char   buf[PRIV_HDR_SIZE + PRIV_REQ_FIXED];
	struct priv_req req;
	const char     *why;

	name_req(&req, type, "rig-alice");
	if (type == PRIV_SIGNAL) {
		req.pid = 100;
		req.sig = SIGTERM;
	}
	req.flags = flags;
	priv_req_encode(&req, buf, sizeof(buf));
	return decode(buf, sizeof(buf), &why);
}

/* Decodes with prefix "rig-"; the result, *why set on refusal. */
static int
decode(const unsigned char *buf, size_t len, const char **why)
{
	static struct priv_req req;

	*why = NULL;
	return priv_req_decode(buf, len, "rig-", &req, why);
}

TEST(priv_spawn_round_trip)
{
	static unsigned char buf[PRIV_MSG_MAX];
	struct priv_req      req;
	const char          *why = NULL;
	size_t               n = spawn_req(buf, sizeof(buf), "rig-alice");

	ASSERT(n > PRIV_HDR_SIZE + PRIV_REQ_FIXED);
	ASSERT_EQ(priv_req_decode(buf, n, "rig-", &req, &why), 0);
	ASSERT_EQ(req.type, PRIV_SPAWN);
	ASSERT_EQ(req.seq, 7);
	ASSERT_STR_EQ(req.account, "rig-alice");
	ASSERT_STR_EQ(req.file, "/usr/bin/jupyter-lab");
	ASSERT_STR_EQ(req.cwd, "/home/rig-alice");
	ASSERT_EQ(req.argc, 2);
	ASSERT_STR_EQ(req.argv[1], "--port=1");
	ASSERT_NULL(req.argv[2]);
	ASSERT_EQ(req.envc, 2);
	ASSERT_STR_EQ(req.env[1], "JUPYTER_TOKEN=s");
	ASSERT_NULL(req.env[2]);
}

TEST(priv_account_add_round_trip)
{
	unsigned char   buf[PRIV_HDR_SIZE + PRIV_REQ_FIXED];
	struct priv_req req, out;
	const char     *why;

	name_req(&req, PRIV_ACCOUNT_ADD, "rig-alice");
	snprintf(req.user, sizeof(req.user), "alice");
	ASSERT_EQ(priv_req_encode(&req, buf, sizeof(buf)), sizeof(buf));
	ASSERT_EQ(priv_req_decode(buf, sizeof(buf), "rig-", &out, &why), 0);
	ASSERT_STR_EQ(out.user, "alice");
	/* The account must be PREFIX + user. */
	snprintf(req.user, sizeof(req.user), "bob");
	priv_req_encode(&req, buf, sizeof(buf));
	ASSERT_EQ(decode(buf, sizeof(buf), &why), -1);
	/* A user name on any other type is refused. */
	name_req(&req, PRIV_KILL_USER, "rig-alice");
	snprintf(req.user, sizeof(req.user), "alice");
	priv_req_encode(&req, buf, sizeof(buf));
	ASSERT_EQ(decode(buf, sizeof(buf), &why), -1);
}

TEST(priv_header_refused)
{
	unsigned char   buf[PRIV_HDR_SIZE + PRIV_REQ_FIXED + 8];
	struct priv_req req;
	uint16_t        v;
	uint32_t        u;
	const char     *why;
	size_t          n;

	name_req(&req, PRIV_KILL_USER, "rig-alice");
	n = priv_req_encode(&req, buf, sizeof(buf));
	ASSERT_EQ(decode(buf, n, &why), 0);
	/* Too short for a header, or for a request. */
	ASSERT_EQ(decode(buf, 0, &why), -1);
	ASSERT_EQ(decode(buf, PRIV_HDR_SIZE - 1, &why), -1);
	/* Wrong version. */
	v = PRIV_VERSION + 1;
	memcpy(buf, &v, 2);
	ASSERT_EQ(decode(buf, n, &why), -1);
	ASSERT_STR_EQ(why, "wrong protocol version");
	v = PRIV_VERSION;
	memcpy(buf, &v, 2);
	/* Types out of range: 0, the end, a reply, a big one. */
	{
		uint16_t bad[] = { 0, PRIV_REQ_END, PRIV_REPLY, PRIV_EXIT,
			0xffff };

		for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
			memcpy(buf + 2, &bad[i], 2);
			ASSERT_EQ(decode(buf, n, &why), -1);
			ASSERT_STR_EQ(why, "type out of range");
		}
	}
	v = PRIV_KILL_USER;
	memcpy(buf + 2, &v, 2);
	/* The header's length must be the packet's. */
	u = PRIV_REQ_FIXED + 1;
	memcpy(buf + 8, &u, 4);
	ASSERT_EQ(decode(buf, n, &why), -1);
	u = 0xffffffff;
	memcpy(buf + 8, &u, 4);
	ASSERT_EQ(decode(buf, n, &why), -1);
	u = PRIV_REQ_FIXED;
	memcpy(buf + 8, &u, 4);
	ASSERT_EQ(decode(buf, n, &why), 0);
	/* The reserved word. */
	u = 1;
	memcpy(buf + 12, &u, 4);
	ASSERT_EQ(decode(buf, n, &why), -1);
	u = 0;
	memcpy(buf + 12, &u, 4);
	/* Bytes past the fixed body of a type without a tail. */
	u = PRIV_REQ_FIXED + 8;
	memcpy(buf + 8, &u, 4);
	memset(buf + n, 0, 8);
	ASSERT_EQ(decode(buf, n + 8, &why), -1);
	ASSERT_STR_EQ(why, "longer than its type allows");
	/* Shorter than a request, consistently so. */
	u = PRIV_REQ_FIXED - 1;
	memcpy(buf + 8, &u, 4);
	ASSERT_EQ(decode(buf, n - 1, &why), -1);
}

TEST(priv_names_refused)
{
	unsigned char   buf[PRIV_HDR_SIZE + PRIV_REQ_FIXED];
	struct priv_req req;
	const char     *why;
	const char *bad[] = { "rig-a/b", "rig-..", "rig-.x", "rig-a b", "rig-",
		"other-alice", "rig-Alice", "rig--x", "/etc/passwd", "..", "",
		"rig-aaaaaaaaaaaaaaaaaaaaaaaaaaaaa" /* 33 */ };

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		name_req(&req, PRIV_USAGE, "x");
		memset(req.account, 0, sizeof(req.account));
		memcpy(req.account, bad[i], strlen(bad[i]));
		ASSERT_EQ(priv_req_encode(&req, buf, sizeof(buf)), sizeof(buf));
		/* The encoder copies at most PRIV_NAME_FIELD - 1 bytes. */
		memcpy(buf + PRIV_HDR_SIZE, bad[i], strlen(bad[i]));
		if (decode(buf, sizeof(buf), &why) != -1)
			FAIL("account '%s' was taken", bad[i]);
	}
	/* A NUL inside: "rig-a\0b" hides a second name. */
	name_req(&req, PRIV_USAGE, "rig-a");
	priv_req_encode(&req, buf, sizeof(buf));
	ASSERT_EQ(decode(buf, sizeof(buf), &why), 0);
	buf[PRIV_HDR_SIZE + 6] = 'b';
	ASSERT_EQ(decode(buf, sizeof(buf), &why), -1);
	/* No NUL within the field at all. */
	memset(buf + PRIV_HDR_SIZE, 'a', PRIV_NAME_FIELD);
	ASSERT_EQ(decode(buf, sizeof(buf), &why), -1);
	ASSERT_EQ(priv_account_valid("rig-", "rig-alice"), 1);
	ASSERT_EQ(priv_account_valid("", "alice"), 1);
	ASSERT_EQ(priv_account_valid("", ".."), 0);
	ASSERT_EQ(priv_account_valid("rig-", "rig-a/b"), 0);
}

TEST(priv_signal_refused)
{
	unsigned char   buf[PRIV_HDR_SIZE + PRIV_REQ_FIXED];
	struct priv_req req;
	const char     *why;
	int32_t         pids[] = { 0, 1, -1, -1234, INT32_MIN };
	int32_t         sigs[] = { 0, SIGSTOP, SIGCONT, SIGUSR1, 65, -9 };

	name_req(&req, PRIV_SIGNAL, "rig-alice");
	req.pid = 4242;
	req.sig = SIGKILL;
	req.flags = PRIV_F_GROUP;
	priv_req_encode(&req, buf, sizeof(buf));
	ASSERT_EQ(decode(buf, sizeof(buf), &why), 0);
	for (size_t i = 0; i < sizeof(pids) / sizeof(pids[0]); i++) {
		req.pid = pids[i];
		priv_req_encode(&req, buf, sizeof(buf));
		ASSERT_EQ(decode(buf, sizeof(buf), &why), -1);
	}
	req.pid = 4242;
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
		req.sig = sigs[i];
		priv_req_encode(&req, buf, sizeof(buf));
		ASSERT_EQ(decode(buf, sizeof(buf), &why), -1);
	}
	/* A flag of another type; a pid on another type. */
	req.sig = SIGTERM;
	req.flags = PRIV_F_KEEP_HOME;
	priv_req_encode(&req, buf, sizeof(buf));
	ASSERT_EQ(decode(buf, sizeof(buf), &why), -1);
	name_req(&req, PRIV_KILL_USER, "rig-alice");
	req.pid = 4242;
	priv_req_encode(&req, buf, sizeof(buf));
	ASSERT_EQ(decode(buf, sizeof(buf), &why), -1);
}

TEST(priv_spawn_refused)
{
	static unsigned char buf[PRIV_MSG_MAX + 64];
	struct priv_req      req;
	const char          *why;
	size_t               n;
	uint32_t             u;
	static char          big[PRIV_STR_MAX + 2];

	n = spawn_req(buf, sizeof(buf), "rig-alice");
	ASSERT_EQ(decode(buf, n, &why), 0);
	/* argc 0, past the limit; envc past the limit. */
	u = 0;
	memcpy(buf + PRIV_HDR_SIZE + 92, &u, 4);
	ASSERT_EQ(decode(buf, n, &why), -1);
	u = PRIV_ARGC_MAX + 1;
	memcpy(buf + PRIV_HDR_SIZE + 92, &u, 4);
	ASSERT_EQ(decode(buf, n, &why), -1);
	u = 0xffffffff;
	memcpy(buf + PRIV_HDR_SIZE + 92, &u, 4);
	ASSERT_EQ(decode(buf, n, &why), -1);
	u = 2;
	memcpy(buf + PRIV_HDR_SIZE + 92, &u, 4);
	u = PRIV_ENVC_MAX + 1;
	memcpy(buf + PRIV_HDR_SIZE + 96, &u, 4);
	ASSERT_EQ(decode(buf, n, &why), -1);
	/* More strings counted than there are. */
	u = 3;
	memcpy(buf + PRIV_HDR_SIZE + 96, &u, 4);
	ASSERT_EQ(decode(buf, n, &why), -1);
	/* Fewer: bytes left over. */
	u = 1;
	memcpy(buf + PRIV_HDR_SIZE + 96, &u, 4);
	ASSERT_EQ(decode(buf, n, &why), -1);
	u = 2;
	memcpy(buf + PRIV_HDR_SIZE + 96, &u, 4);
	ASSERT_EQ(decode(buf, n, &why), 0);
	/* The last string without its NUL. */
	buf[n - 1] = 'x';
	ASSERT_EQ(decode(buf, n, &why), -1);
	/* A flag it does not take. */
	n = spawn_req(buf, sizeof(buf), "rig-alice");
	u = PRIV_F_GROUP;
	memcpy(buf + PRIV_HDR_SIZE + 88, &u, 4);
	ASSERT_EQ(decode(buf, n, &why), -1);

	/* Paths: relative, with "..", with "."; an empty argv[0]; env
	 * entries not K=V. */
	memset(&req, 0, sizeof(req));
	req.type = PRIV_SPAWN;
	snprintf(req.account, sizeof(req.account), "rig-alice");
	req.argv[0] = "x";
	req.file = "bin/sh";
	req.cwd = "/";
	n = priv_req_encode(&req, buf, sizeof(buf));
	ASSERT_EQ(decode(buf, n, &why), -1);
	req.file = "/bin/../bin/sh";
	n = priv_req_encode(&req, buf, sizeof(buf));
	ASSERT_EQ(decode(buf, n, &why), -1);
	req.file = "/bin/sh";
	req.cwd = "/home/rig-alice/..";
	n = priv_req_encode(&req, buf, sizeof(buf));
	ASSERT_EQ(decode(buf, n, &why), -1);
	req.cwd = "/home/./x";
	n = priv_req_encode(&req, buf, sizeof(buf));
	ASSERT_EQ(decode(buf, n, &why), -1);
	req.cwd = "/home/rig-alice";
	n = priv_req_encode(&req, buf, sizeof(buf));
	ASSERT_EQ(decode(buf, n, &why), 0);
	req.argv[0] = "";
	n = priv_req_encode(&req, buf, sizeof(buf));
	ASSERT_EQ(decode(buf, n, &why), -1);
	req.argv[0] = "x";
	req.env[0] = "NOEQUALS";
	n = priv_req_encode(&req, buf, sizeof(buf));
	ASSERT_EQ(decode(buf, n, &why), -1);
	req.env[0] = "=x";
	n = priv_req_encode(&req, buf, sizeof(buf));
	ASSERT_EQ(decode(buf, n, &why), -1);
	req.env[0] = NULL;
	/* A string past PRIV_STR_MAX: the encoder will not, the decoder
	 * refuses a hand-made one. */
	memset(big, 'a', sizeof(big) - 1);
	big[0] = '/';
	req.cwd = big;
	ASSERT_EQ(priv_req_encode(&req, buf, sizeof(buf)), 0);
	req.cwd = "/";
	n = priv_req_encode(&req, buf, sizeof(buf));
	memcpy(buf + n - 2, big, sizeof(big));
	n = n - 2 + sizeof(big);
	u = (uint32_t)(n - PRIV_HDR_SIZE);
	memcpy(buf + 8, &u, 4);
	ASSERT_EQ(decode(buf, n, &why), -1);
	/* A tail past PRIV_TAIL_MAX. */
	u = PRIV_REQ_FIXED + PRIV_TAIL_MAX + 1;
	memcpy(buf + 8, &u, 4);
	ASSERT_EQ(decode(buf, PRIV_HDR_SIZE + u, &why), -1);
	ASSERT_STR_EQ(why, "longer than its type allows");
}

TEST(priv_cgroup_limits)
{
	unsigned char   buf[PRIV_HDR_SIZE + PRIV_REQ_FIXED];
	struct priv_req req;
	const char     *why;

	name_req(&req, PRIV_CGROUP_SETUP, "rig-alice");
	req.num[0] = INT64_C(2) << 30;
	req.num[1] = 1500;
	req.num[2] = 512;
	priv_req_encode(&req, buf, sizeof(buf));
	ASSERT_EQ(decode(buf, sizeof(buf), &why), 0);
	req.num[0] = -1;
	priv_req_encode(&req, buf, sizeof(buf));
	ASSERT_EQ(decode(buf, sizeof(buf), &why), -1);
	req.num[0] = PRIV_MEM_MAX + 1;
	priv_req_encode(&req, buf, sizeof(buf));
	ASSERT_EQ(decode(buf, sizeof(buf), &why), -1);
	req.num[0] = 0;
	req.num[1] = PRIV_CPU_MAX + 1;
	priv_req_encode(&req, buf, sizeof(buf));
	ASSERT_EQ(decode(buf, sizeof(buf), &why), -1);
	req.num[1] = 0;
	req.num[2] = PRIV_PIDS_MAX + 1;
	priv_req_encode(&req, buf, sizeof(buf));
	ASSERT_EQ(decode(buf, sizeof(buf), &why), -1);
	/* Limits on another type. */
	name_req(&req, PRIV_CGROUP_KILL, "rig-alice");
	req.num[2] = 1;
	priv_req_encode(&req, buf, sizeof(buf));
	ASSERT_EQ(decode(buf, sizeof(buf), &why), -1);
}

/* A named server's group: the cgroup requests and a spawn name the server
 * in the user field, a server's name or nothing; a name that could climb
 * out of rig's groups or name another's is refused. */
TEST(priv_cgroup_named_server)
{
	static const char *const bad[] = { "..", "a/b", "../rig-bob", "A",
		"x@y", "-x", "a..b" };
	unsigned char            buf[PRIV_HDR_SIZE + PRIV_REQ_FIXED];
	struct priv_req          req, out;
	const char              *why;
	char                     group[CGROUP_NAME_MAX];

	for (int t = PRIV_CGROUP_SETUP; t <= PRIV_CGROUP_REMOVE; t++) {
		name_req(&req, (uint16_t)t, "rig-alice");
		snprintf(req.user, sizeof(req.user), "gpu");
		priv_req_encode(&req, buf, sizeof(buf));
		ASSERT_EQ(priv_req_decode(buf, sizeof(buf), "rig-", &out, &why),
		    0);
		ASSERT_STR_EQ(out.user, "gpu");
		for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
			snprintf(req.user, sizeof(req.user), "%s", bad[i]);
			priv_req_encode(&req, buf, sizeof(buf));
			if (decode(buf, sizeof(buf), &why) != -1)
				FAIL("server name '%s' taken", bad[i]);
		}
	}
	ASSERT_EQ(cgroup_group_name("rig-alice", "", group), 0);
	ASSERT_STR_EQ(group, "rig-alice");
	ASSERT_EQ(cgroup_group_name("rig-alice", "gpu", group), 0);
	ASSERT_STR_EQ(group, "rig-alice@gpu");
}

/* A spawn inside the cgroup: the flag is the spawn's only, and its
 * environment (which a root 'rig sandbox' reads) has nothing the loader
 * or libc obeys. */
TEST(priv_spawn_cgroup_flag)
{
	static unsigned char buf[PRIV_MSG_MAX];
	static const char   *bad_env[] = { "LD_PRELOAD=/tmp/x.so",
		  "LD_LIBRARY_PATH=/tmp", "MALLOC_CHECK_=3",
		  "GLIBC_TUNABLES=glibc.malloc.check=3", "GCONV_PATH=/tmp",
		  "LOCPATH=/tmp", "TMPDIR=/tmp", "ASAN_OPTIONS=log_path=/etc/x" };
	struct priv_req      req, out;
	const char          *why, *env[3];
	size_t               n;

	memset(&req, 0, sizeof(req));
	req.type = PRIV_SPAWN;
	req.seq = 9;
	req.flags = PRIV_F_CGROUP | PRIV_F_FD;
	snprintf(req.account, sizeof(req.account), "rig-alice");
	req.file = "/usr/bin/jupyter-lab";
	req.cwd = "/home/rig-alice";
	req.argv[0] = "jupyter-lab";
	req.env[0] = "PATH=/usr/bin";
	req.env[1] = "RIG_SERVER_PORT=8888";
	n = priv_req_encode(&req, buf, sizeof(buf));
	ASSERT(n > 0);
	ASSERT_EQ(priv_req_decode(buf, n, "rig-", &out, &why), 0);
	ASSERT_EQ(out.flags, PRIV_F_CGROUP | PRIV_F_FD);
	for (size_t i = 0; i < sizeof(bad_env) / sizeof(bad_env[0]); i++) {
		ASSERT_EQ(priv_env_safe(bad_env[i]), 0);
		env[0] = "PATH=/usr/bin";
		env[1] = bad_env[i];
		env[2] = NULL;
		req.env[0] = env[0];
		req.env[1] = env[1];
		n = priv_req_encode(&req, buf, sizeof(buf));
		ASSERT(n > 0);
		ASSERT_EQ(decode(buf, n, &why), -1);
		ASSERT_STR_EQ(why,
		    "spawn: an environment entry the loader obeys");
	}
	ASSERT_EQ(priv_env_safe("LANG=C.UTF-8"), 1);
	ASSERT_EQ(priv_env_safe("XLD_PRELOAD=1"), 1);
	/* The flag on any other type is refused. */
	ASSERT_EQ(decode_flagged(PRIV_CGROUP_SETUP, PRIV_F_CGROUP), -1);
	ASSERT_EQ(decode_flagged(PRIV_SIGNAL, PRIV_F_CGROUP), -1);
}

/* A spawn's fd as its stdin too (sbatch fed its script): only with the
 * fd itself, and only on a spawn. */
TEST(priv_spawn_stdin_flag)
{
	static unsigned char buf[PRIV_MSG_MAX];
	struct priv_req      req, out;
	const char          *why;
	size_t               n;

	memset(&req, 0, sizeof(req));
	req.type = PRIV_SPAWN;
	req.seq = 3;
	req.flags = PRIV_F_FD | PRIV_F_STDIN;
	snprintf(req.account, sizeof(req.account), "rig-alice");
	req.file = "/usr/bin/sbatch";
	req.cwd = "/home/rig-alice";
	req.argv[0] = "/usr/bin/sbatch";
	req.argv[1] = "--parsable";
	req.env[0] = "PATH=/usr/bin";
	n = priv_req_encode(&req, buf, sizeof(buf));
	ASSERT(n > 0);
	ASSERT_EQ(priv_req_decode(buf, n, "rig-", &out, &why), 0);
	ASSERT_EQ(out.flags, PRIV_F_FD | PRIV_F_STDIN);
	req.flags = PRIV_F_STDIN;
	n = priv_req_encode(&req, buf, sizeof(buf));
	ASSERT_EQ(decode(buf, n, &why), -1);
	ASSERT_STR_EQ(why, "spawn: standard input from no descriptor");
	ASSERT_EQ(decode_flagged(PRIV_SIGNAL, PRIV_F_STDIN), -1);
}

TEST(priv_reply_checked)
{
	unsigned char     buf[PRIV_HDR_SIZE + PRIV_REPLY_FIXED + 1];
	struct priv_reply rep, out;
	const char       *why;
	uint16_t          t;

	memset(&rep, 0, sizeof(rep));
	rep.type = PRIV_REPLY;
	rep.seq = 9;
	rep.result = -EPERM;
	rep.pid = 77;
	rep.val[1] = 12345;
	snprintf(rep.text, sizeof(rep.text), "/run/rig/rig-alice");
	ASSERT_EQ(priv_reply_encode(&rep, buf, sizeof(buf)),
	    PRIV_HDR_SIZE + PRIV_REPLY_FIXED);
	ASSERT_EQ(priv_reply_decode(buf, PRIV_HDR_SIZE + PRIV_REPLY_FIXED, &out,
	              &why),
	    0);
	ASSERT_EQ(out.seq, 9);
	ASSERT_EQ(out.result, -EPERM);
	ASSERT_EQ(out.pid, 77);
	ASSERT_EQ(out.val[1], 12345);
	ASSERT_STR_EQ(out.text, "/run/rig/rig-alice");
	ASSERT_EQ(priv_reply_decode(buf, PRIV_HDR_SIZE + PRIV_REPLY_FIXED + 1,
	              &out, &why),
	    -1);
	ASSERT_EQ(priv_reply_decode(buf, PRIV_HDR_SIZE, &out, &why), -1);
	t = PRIV_SPAWN;
	memcpy(buf + 2, &t, 2);
	ASSERT_EQ(priv_reply_decode(buf, PRIV_HDR_SIZE + PRIV_REPLY_FIXED, &out,
	              &why),
	    -1);
	t = PRIV_REPLY;
	memcpy(buf + 2, &t, 2);
	memset(buf + PRIV_HDR_SIZE + 32, 'x', PRIV_TEXT_MAX);
	ASSERT_EQ(priv_reply_decode(buf, PRIV_HDR_SIZE + PRIV_REPLY_FIXED, &out,
	              &why),
	    -1);
}

TEST(priv_paths)
{
	ASSERT_EQ(priv_path_valid("/"), 1);
	ASSERT_EQ(priv_path_valid("/usr/bin/jupyter-lab"), 1);
	ASSERT_EQ(priv_path_valid("/a/..b/c."), 1);
	ASSERT_EQ(priv_path_valid(""), 0);
	ASSERT_EQ(priv_path_valid("usr/bin"), 0);
	ASSERT_EQ(priv_path_valid("/.."), 0);
	ASSERT_EQ(priv_path_valid("/a/../b"), 0);
	ASSERT_EQ(priv_path_valid("/a/./b"), 0);
	ASSERT_EQ(priv_path_valid("/a/b/."), 0);
	ASSERT_EQ(priv_path_valid("//a//.."), 0);
}

TEST(priv_pid_owner)
{
	ASSERT_EQ(priv_pid_owned(getpid(), getuid()), 1);
	ASSERT_EQ(priv_pid_owned(getpid(), getuid() + 1), 0);
	ASSERT_EQ(priv_pid_owned(0, 0), 0);
	ASSERT_EQ(priv_pid_owned(1, 54321), 0);
	ASSERT_EQ(priv_pid_owned(-1, getuid()), 0);
	ASSERT_EQ(priv_pid_owned(0x7ffffff0, getuid()), 0);
}

static pid_t helper_start_conf(const struct priv_helper_conf *, int *fd);

/* A helper in a child, accounts of 'prefix'; our end in *fd. */
static pid_t
helper_start(const char *prefix, int *fd)
{
	struct priv_helper_conf conf = { .prefix = prefix };

	return helper_start_conf(&conf, fd);
}

static pid_t
helper_start_conf(const struct priv_helper_conf *conf, int *fd)
{
	int   sv[2];
	pid_t pid;

	ASSERT_EQ(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv), 0);
	pid = fork();
	ASSERT(pid != -1);
	if (pid == 0) {
		close(sv[0]);
		priv_helper_main(sv[1], conf);
	}
	close(sv[1]);
	*fd = sv[0];
	return pid;
}

/* Sends a packet (with a descriptor if 'pass' is not -1) and reads the
 * answer, which must come within 5 s. */
static void
helper_ask(int fd, const unsigned char *msg, size_t len, int pass,
    struct priv_reply *rep)
{
	union {
		struct cmsghdr h;
		char           b[CMSG_SPACE(sizeof(int))];
	} ctl;
	struct msghdr m;
	struct iovec  iov;
	struct pollfd pfd = { fd, POLLIN, 0 };
	unsigned char in[PRIV_HDR_SIZE + PRIV_REPLY_FIXED];
	const char   *why = "";
	ssize_t       n;

	memset(&m, 0, sizeof(m));
	iov.iov_base = (void *)msg;
	iov.iov_len = len;
	m.msg_iov = &iov;
	m.msg_iovlen = 1;
	if (pass != -1) {
		struct cmsghdr *c;

		memset(&ctl, 0, sizeof(ctl));
		m.msg_control = ctl.b;
		m.msg_controllen = sizeof(ctl.b);
		c = CMSG_FIRSTHDR(&m);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(c), &pass, sizeof(int));
	}
	ASSERT_EQ(sendmsg(fd, &m, 0), (ssize_t)len);
	ASSERT_EQ(poll(&pfd, 1, 5000), 1);
	n = recv(fd, in, sizeof(in), 0);
	ASSERT_EQ(n, sizeof(in));
	if (priv_reply_decode(in, (size_t)n, rep, &why) == -1)
		FAIL("bad reply: %s", why);
}

/* Closes our end: the helper must exit 0 at once. */
static void
helper_end(pid_t pid, int fd)
{
	int st;

	close(fd);
	ASSERT_EQ(waitpid(pid, &st, 0), pid);
	ASSERT(WIFEXITED(st));
	ASSERT_EQ(WEXITSTATUS(st), 0);
}

/* Some account a server could run as (uid 1000 to 59999), or NULL. */
static const char *
user_account(uid_t *uid)
{
	static char    name[PRIV_NAME_FIELD];
	struct passwd *pw;

	setpwent();
	while ((pw = getpwent()) != NULL)
		if (pw->pw_uid >= 1000 && pw->pw_uid < 60000 &&
		    strlen(pw->pw_name) <= PRIV_NAME_MAX &&
		    priv_account_valid("", pw->pw_name)) {
			memcpy(name, pw->pw_name, strlen(pw->pw_name) + 1);
			*uid = pw->pw_uid;
			endpwent();
			return name;
		}
	endpwent();
	return NULL;
}

TEST(priv_helper_refuses)
{
	static unsigned char buf[PRIV_MSG_MAX];
	struct priv_reply    rep;
	struct priv_req      req;
	const char          *acct;
	uid_t                uid;
	uint16_t             v = 99;
	int                  fd, devnull;
	pid_t                pid = helper_start("", &fd);
	size_t               n;

	/* Malformed: answered -EINVAL with the reason, the helper goes on. */
	n = spawn_req(buf, sizeof(buf), "root");
	memcpy(buf, &v, 2);
	helper_ask(fd, buf, n, -1, &rep);
	ASSERT_EQ(rep.result, -EINVAL);
	ASSERT_STR_EQ(rep.text, "wrong protocol version");
	helper_ask(fd, buf, 3, -1, &rep);
	ASSERT_EQ(rep.result, -EINVAL);
	/* Root and system accounts: well-formed, and refused. */
	n = spawn_req(buf, sizeof(buf), "root");
	helper_ask(fd, buf, n, -1, &rep);
	ASSERT_EQ(rep.result, -EPERM);
	n = spawn_req(buf, sizeof(buf), "daemon");
	helper_ask(fd, buf, n, -1, &rep);
	ASSERT_EQ(rep.result, -EPERM);
	n = spawn_req(buf, sizeof(buf), "nobody");
	helper_ask(fd, buf, n, -1, &rep);
	ASSERT_EQ(rep.result, -EPERM);
	name_req(&req, PRIV_KILL_USER, "root");
	n = priv_req_encode(&req, buf, sizeof(buf));
	helper_ask(fd, buf, n, -1, &rep);
	ASSERT_EQ(rep.result, -EPERM);
	name_req(&req, PRIV_ACCOUNT_DEL, PRIV_ACCOUNT);
	n = priv_req_encode(&req, buf, sizeof(buf));
	helper_ask(fd, buf, n, -1, &rep);
	ASSERT(rep.result == -EPERM || rep.result == -ENOENT);
	/* A descriptor the request does not take, or none where one is
	 * said to come. */
	devnull = open("/dev/null", O_RDONLY | O_CLOEXEC);
	ASSERT(devnull != -1);
	name_req(&req, PRIV_USAGE, "root");
	n = priv_req_encode(&req, buf, sizeof(buf));
	helper_ask(fd, buf, n, devnull, &rep);
	ASSERT_EQ(rep.result, -EINVAL);
	n = spawn_req(buf, sizeof(buf), "root");
	{
		uint32_t f = PRIV_F_FD;

		memcpy(buf + PRIV_HDR_SIZE + 88, &f, 4);
	}
	helper_ask(fd, buf, n, -1, &rep);
	ASSERT_EQ(rep.result, -EINVAL);
	close(devnull);
	/* A pid that is not the account's: the helper's own. */
	acct = user_account(&uid);
	if (acct != NULL && uid != getuid()) {
		name_req(&req, PRIV_SIGNAL, acct);
		req.pid = pid;
		req.sig = SIGKILL;
		n = priv_req_encode(&req, buf, sizeof(buf));
		helper_ask(fd, buf, n, -1, &rep);
		ASSERT_EQ(rep.result, -EPERM);
		req.flags = PRIV_F_GROUP;
		n = priv_req_encode(&req, buf, sizeof(buf));
		helper_ask(fd, buf, n, -1, &rep);
		ASSERT(rep.result != 0);
		/* Our own pid is not that account's either. */
		req.pid = getpid();
		req.flags = 0;
		n = priv_req_encode(&req, buf, sizeof(buf));
		helper_ask(fd, buf, n, -1, &rep);
		ASSERT_EQ(rep.result, -EPERM);
		/* In a cgroup that PRIV_CGROUP_SETUP did not make: not
		 * started. */
		{
			char dirs[CGROUP_MAX_DIRS][CGROUP_PATH_MAX];
			int  nd = cgroup_dirs(cgroup_system(), acct, dirs);
			struct stat st;

			if (nd > 0 && lstat(dirs[0], &st) == -1) {
				n = spawn_req(buf, sizeof(buf), acct);
				memcpy(buf + PRIV_HDR_SIZE + 88,
				    &(uint32_t){ PRIV_F_CGROUP }, 4);
				helper_ask(fd, buf, n, -1, &rep);
				ASSERT_EQ(rep.result, -ENOENT);
			}
		}
	} else
		fprintf(stderr,
		    "# no account of uid 1000-59999: pid check "
		    "not run\n");
	/* Still alive after all that, and gone when our end closes. */
	ASSERT_EQ(kill(pid, 0), 0);
	helper_end(pid, fd);
}

/* state_chown(): the state directory handed to the hub's account, links
 * changed themselves and never followed. As root only. */
TEST(priv_state_chown)
{
	char        dir[512], path[600];
	struct stat st;
	int         fd;

	if (geteuid() != 0) {
		fprintf(stderr, "# not root: skipped\n");
		return;
	}
	snprintf(dir, sizeof(dir), "%s/state", unit_tmpdir());
	ASSERT_EQ(mkdir(dir, 0700), 0);
	snprintf(path, sizeof(path), "%s/logs", dir);
	ASSERT_EQ(mkdir(path, 0700), 0);
	snprintf(path, sizeof(path), "%s/logs/a.log", dir);
	fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
	ASSERT(fd != -1);
	close(fd);
	/* A link to a file that is not the state's: the link changes
	 * owner, its target does not. */
	snprintf(path, sizeof(path), "%s/link", dir);
	ASSERT_EQ(symlink("/etc/hostname", path), 0);
	ASSERT_EQ(state_chown(dir, 54321, 54322), 4);
	ASSERT_EQ(lstat(path, &st), 0);
	ASSERT_EQ(st.st_uid, 54321);
	ASSERT_EQ(stat("/etc/hostname", &st), 0);
	ASSERT_EQ(st.st_uid, 0);
	snprintf(path, sizeof(path), "%s/logs/a.log", dir);
	ASSERT_EQ(stat(path, &st), 0);
	ASSERT_EQ(st.st_uid, 54321);
	ASSERT_EQ(st.st_gid, 54322);
	/* Again: nothing left to change. */
	ASSERT_EQ(state_chown(dir, 54321, 54322), 0);
}

/* The firewall's lists: round trip; uids not a user's, counts past their
 * limits, lists not filling the tail and an account given are refused. */
TEST(priv_firewall_lists)
{
	static unsigned char  buf[PRIV_MSG_MAX];
	struct firewall_rules r, out;
	struct priv_req       req, dec;
	const char           *why;
	size_t                n;
	uint32_t              u;

	firewall_rules_init(&r);
	firewall_rules_add_uid(&r, 1001);
	firewall_rules_add_uid(&r, 1002);
	firewall_rules_add_internal(&r, 3000);
	firewall_rules_add_listener(&r, 1002, 8888);
	name_req(&req, PRIV_FIREWALL_LOAD, "");
	req.fw = &r;
	n = priv_req_encode(&req, buf, sizeof(buf));
	ASSERT_EQ(n, PRIV_HDR_SIZE + PRIV_REQ_FIXED + 12 + 8 + 2 + 8);
	ASSERT_EQ(priv_req_decode(buf, n, "rig-", &dec, &why), 0);
	priv_req_fw_rules(&dec, &out);
	ASSERT_EQ(out.nuids, 2);
	ASSERT_EQ(out.uids[1], 1002);
	ASSERT_EQ(out.ninternal, 1);
	ASSERT_EQ(out.internal[0], 3000);
	ASSERT_EQ(out.nlisteners, 1);
	ASSERT_EQ(out.listeners[0].uid, 1002);
	ASSERT_EQ(out.listeners[0].port, 8888);
	firewall_rules_release(&out);
	/* Root, a system account, past the users' range. */
	u = 0;
	memcpy(buf + PRIV_HDR_SIZE + PRIV_REQ_FIXED + 12, &u, 4);
	ASSERT_EQ(decode(buf, n, &why), -1);
	u = 999;
	memcpy(buf + PRIV_HDR_SIZE + PRIV_REQ_FIXED + 12, &u, 4);
	ASSERT_EQ(decode(buf, n, &why), -1);
	u = PRIV_FW_UID_END;
	memcpy(buf + PRIV_HDR_SIZE + PRIV_REQ_FIXED + 12, &u, 4);
	ASSERT_EQ(decode(buf, n, &why), -1);
	u = 1001;
	memcpy(buf + PRIV_HDR_SIZE + PRIV_REQ_FIXED + 12, &u, 4);
	ASSERT_EQ(decode(buf, n, &why), 0);
	/* A listener of uid 0. */
	u = 0;
	memcpy(buf + n - 8, &u, 4);
	ASSERT_EQ(decode(buf, n, &why), -1);
	u = 1002;
	memcpy(buf + n - 8, &u, 4);
	/* Counts past their limits, or not matching the tail. */
	u = PRIV_FW_UIDS_MAX + 1;
	memcpy(buf + PRIV_HDR_SIZE + PRIV_REQ_FIXED, &u, 4);
	ASSERT_EQ(decode(buf, n, &why), -1);
	u = 3;
	memcpy(buf + PRIV_HDR_SIZE + PRIV_REQ_FIXED, &u, 4);
	ASSERT_EQ(decode(buf, n, &why), -1);
	u = 0xffffffff;
	memcpy(buf + PRIV_HDR_SIZE + PRIV_REQ_FIXED + 8, &u, 4);
	ASSERT_EQ(decode(buf, n, &why), -1);
	/* An account on a firewall request. */
	name_req(&req, PRIV_FIREWALL_UNLOAD, "rig-alice");
	n = priv_req_encode(&req, buf, sizeof(buf));
	ASSERT_EQ(decode(buf, n, &why), -1);
	name_req(&req, PRIV_FIREWALL_UNLOAD, "");
	n = priv_req_encode(&req, buf, sizeof(buf));
	ASSERT_EQ(decode(buf, n, &why), 0);
	/* Too many for a message: the encoder says so. */
	for (uint32_t i = 0; i < PRIV_FW_LISTENERS_MAX + 1; i++)
		firewall_rules_add_listener(&r, 1001, (uint16_t)(i + 1));
	name_req(&req, PRIV_FIREWALL_LOAD, "");
	req.fw = &r;
	ASSERT_EQ(priv_req_encode(&req, buf, sizeof(buf)), 0);
	firewall_rules_release(&r);
}

/* A real helper loads no rules naming a uid that is not an account of
 * its prefix (nft never runs). */
TEST(priv_helper_firewall_refuses)
{
	static unsigned char  buf[PRIV_MSG_MAX];
	struct firewall_rules r;
	struct priv_reply     rep;
	struct priv_req       req;
	uid_t                 uid;
	int                   fd;
	pid_t                 pid = helper_start("zzqx-", &fd);
	size_t                n;

	firewall_rules_init(&r);
	/* In the users' range, but in no password database entry here. */
	firewall_rules_add_uid(&r, 59998);
	name_req(&req, PRIV_FIREWALL_LOAD, "");
	req.fw = &r;
	n = priv_req_encode(&req, buf, sizeof(buf));
	helper_ask(fd, buf, n, -1, &rep);
	ASSERT_EQ(rep.result, -EPERM);
	firewall_rules_release(&r);
	/* An account, but not of the prefix. */
	if (user_account(&uid) != NULL) {
		firewall_rules_init(&r);
		firewall_rules_add_uid(&r, uid);
		req.fw = &r;
		n = priv_req_encode(&req, buf, sizeof(buf));
		helper_ask(fd, buf, n, -1, &rep);
		ASSERT_EQ(rep.result, -EPERM);
		firewall_rules_release(&r);
	}
	helper_end(pid, fd);
}

/* PRIV_PAM_AUTH: the password is the tail, one string of 1 to
 * PRIV_SECRET_MAX bytes; nothing else about it is taken. */
TEST(priv_pam_auth_msg)
{
	static unsigned char buf[PRIV_MSG_MAX];
	static char          pw[PRIV_SECRET_MAX + 2];
	struct priv_req      req, out;
	const char          *why;
	size_t               n;
	uint32_t             u;

	name_req(&req, PRIV_PAM_AUTH, "rig-alice");
	req.secret = "s3cret pass";
	n = priv_req_encode(&req, buf, sizeof(buf));
	ASSERT_EQ(n, PRIV_HDR_SIZE + PRIV_REQ_FIXED + 12);
	ASSERT_EQ(priv_req_decode(buf, n, "rig-", &out, &why), 0);
	ASSERT_EQ(out.type, PRIV_PAM_AUTH);
	ASSERT_STR_EQ(out.account, "rig-alice");
	ASSERT_STR_EQ(out.secret, "s3cret pass");
	/* Not an account of the prefix. */
	ASSERT_EQ(priv_req_decode(buf, n, "jh-", &out, &why), -1);
	/* The longest; one more byte is too long, none is nothing. */
	memset(pw, 'p', PRIV_SECRET_MAX);
	pw[PRIV_SECRET_MAX] = '\0';
	req.secret = pw;
	n = priv_req_encode(&req, buf, sizeof(buf));
	ASSERT(n > 0);
	ASSERT_EQ(decode(buf, n, &why), 0);
	pw[PRIV_SECRET_MAX] = 'p';
	pw[PRIV_SECRET_MAX + 1] = '\0';
	ASSERT_EQ(priv_req_encode(&req, buf, sizeof(buf)), 0);
	req.secret = "";
	ASSERT_EQ(priv_req_encode(&req, buf, sizeof(buf)), 0);
	req.secret = NULL;
	ASSERT_EQ(priv_req_encode(&req, buf, sizeof(buf)), 0);
	/* Made by hand: no tail, a NUL inside, none at the end, an
	 * empty string, and a password on another type. */
	req.secret = "abc";
	n = priv_req_encode(&req, buf, sizeof(buf));
	u = PRIV_REQ_FIXED;
	memcpy(buf + 8, &u, 4);
	ASSERT_EQ(decode(buf, PRIV_HDR_SIZE + PRIV_REQ_FIXED, &why), -1);
	u = PRIV_REQ_FIXED + 4;
	memcpy(buf + 8, &u, 4);
	buf[PRIV_HDR_SIZE + PRIV_REQ_FIXED + 1] = '\0';
	ASSERT_EQ(decode(buf, n, &why), -1);
	ASSERT_STR_EQ(why,
	    "pam: the password is not one NUL-terminated string");
	memcpy(buf + PRIV_HDR_SIZE + PRIV_REQ_FIXED, "abcd", 4);
	ASSERT_EQ(decode(buf, n, &why), -1);
	u = PRIV_REQ_FIXED + 1;
	memcpy(buf + 8, &u, 4);
	buf[PRIV_HDR_SIZE + PRIV_REQ_FIXED] = '\0';
	ASSERT_EQ(decode(buf, PRIV_HDR_SIZE + PRIV_REQ_FIXED + 1, &why), -1);
	name_req(&req, PRIV_KILL_USER, "rig-alice");
	req.secret = "abc";
	n = priv_req_encode(&req, buf, sizeof(buf));
	ASSERT_EQ(n, PRIV_HDR_SIZE + PRIV_REQ_FIXED);
	u = PRIV_REQ_FIXED + 4;
	memcpy(buf + 8, &u, 4);
	memcpy(buf + n, "abc", 4);
	ASSERT_EQ(decode(buf, n + 4, &why), -1);
	ASSERT_STR_EQ(why, "longer than its type allows");
}

/* A helper of authenticator = local refuses PAM checks; one of pam
 * neither makes, removes nor kills accounts, and checks no password of
 * root's or of an account that is not there. */
TEST(priv_helper_pam_mode)
{
	static unsigned char    buf[PRIV_MSG_MAX];
	struct priv_helper_conf conf = { .prefix = "",
		.pam_service = "rig-unit-no-such-service" };
	struct priv_reply       rep;
	struct priv_req         req;
	const char             *acct;
	uid_t                   uid;
	int                     fd;
	pid_t                   pid;
	size_t                  n;

	acct = user_account(&uid);
	pid = helper_start("", &fd);
	name_req(&req, PRIV_PAM_AUTH, acct != NULL ? acct : "nosuchuser-x");
	req.secret = "pw";
	n = priv_req_encode(&req, buf, sizeof(buf));
	helper_ask(fd, buf, n, -1, &rep);
	ASSERT_EQ(rep.result, -EPERM);
	ASSERT_STR_EQ(rep.text, "the authenticator is not pam");
	helper_end(pid, fd);

	pid = helper_start_conf(&conf, &fd);
	name_req(&req, PRIV_PAM_AUTH, "root");
	req.secret = "pw";
	n = priv_req_encode(&req, buf, sizeof(buf));
	helper_ask(fd, buf, n, -1, &rep);
	ASSERT_EQ(rep.result, -EPERM);
	name_req(&req, PRIV_PAM_AUTH, "nosuchuser-x");
	req.secret = "pw";
	n = priv_req_encode(&req, buf, sizeof(buf));
	helper_ask(fd, buf, n, -1, &rep);
	ASSERT_EQ(rep.result, -ENOENT);
	name_req(&req, PRIV_ACCOUNT_ADD, "nosuchuser-x");
	snprintf(req.user, sizeof(req.user), "nosuchuser-x");
	n = priv_req_encode(&req, buf, sizeof(buf));
	helper_ask(fd, buf, n, -1, &rep);
	ASSERT_EQ(rep.result, -ENOENT);
	ASSERT(getpwnam("nosuchuser-x") == NULL);
	if (acct != NULL) {
		name_req(&req, PRIV_ACCOUNT_ADD, acct);
		snprintf(req.user, sizeof(req.user), "%s", acct);
		n = priv_req_encode(&req, buf, sizeof(buf));
		helper_ask(fd, buf, n, -1, &rep);
		ASSERT_EQ(rep.result, 0);
		ASSERT_STR_EQ(rep.text, "exists");
		name_req(&req, PRIV_KILL_USER, acct);
		n = priv_req_encode(&req, buf, sizeof(buf));
		helper_ask(fd, buf, n, -1, &rep);
		ASSERT_EQ(rep.result, -EPERM);
		name_req(&req, PRIV_ACCOUNT_DEL, acct);
		n = priv_req_encode(&req, buf, sizeof(buf));
		helper_ask(fd, buf, n, -1, &rep);
		ASSERT_EQ(rep.result, -EPERM);
		ASSERT(getpwnam(acct) != NULL);
	} else
		fprintf(stderr,
		    "# no account of uid 1000-59999: the account "
		    "checks not run\n");
	helper_end(pid, fd);
}

/* PRIV_ACCOUNT_LDAP: a uid and gid, never root's; the tail exactly two
 * absolute paths without ':' or control bytes (useradd writes them into
 * /etc/passwd); no user name, no flags. */
TEST(priv_account_ldap_msg)
{
	static unsigned char buf[PRIV_MSG_MAX];
	struct priv_req      req, out;
	const char          *why;
	size_t               n;

	name_req(&req, PRIV_ACCOUNT_LDAP, "alice");
	req.num[0] = 40001;
	req.num[1] = 40001;
	req.home = "/home/alice";
	req.shell = "/bin/sh";
	n = priv_req_encode(&req, buf, sizeof(buf));
	ASSERT(n > 0);
	ASSERT_EQ(priv_req_decode(buf, n, "", &out, &why), 0);
	ASSERT_EQ(out.num[0], 40001);
	ASSERT_STR_EQ(out.home, "/home/alice");
	ASSERT_STR_EQ(out.shell, "/bin/sh");
	/* Only the prefix's accounts (it is "" with ldap). */
	ASSERT_EQ(priv_req_decode(buf, n, "rig-", &out, &why), -1);
	/* A low uid passes here (the helper refuses it, saying why); root
	 * and gid 0 never do. */
	req.num[0] = 500;
	n = priv_req_encode(&req, buf, sizeof(buf));
	ASSERT_EQ(priv_req_decode(buf, n, "", &out, &why), 0);
	req.num[0] = 0;
	n = priv_req_encode(&req, buf, sizeof(buf));
	ASSERT_EQ(priv_req_decode(buf, n, "", &out, &why), -1);
	req.num[0] = 40001;
	req.num[1] = 0;
	n = priv_req_encode(&req, buf, sizeof(buf));
	ASSERT_EQ(priv_req_decode(buf, n, "", &out, &why), -1);
	req.num[1] = 40001;
	req.num[2] = 1;
	n = priv_req_encode(&req, buf, sizeof(buf));
	ASSERT_EQ(priv_req_decode(buf, n, "", &out, &why), -1);
	req.num[2] = 0;
	/* Paths: relative, with '..', with ':' or a newline (a second
	 * /etc/passwd field or line). */
	req.home = "home/alice";
	n = priv_req_encode(&req, buf, sizeof(buf));
	ASSERT_EQ(priv_req_decode(buf, n, "", &out, &why), -1);
	req.home = "/home/../root";
	n = priv_req_encode(&req, buf, sizeof(buf));
	ASSERT_EQ(priv_req_decode(buf, n, "", &out, &why), -1);
	req.home = "/home/a:0:0:x";
	n = priv_req_encode(&req, buf, sizeof(buf));
	ASSERT_EQ(priv_req_decode(buf, n, "", &out, &why), -1);
	req.home = "/home/a\nroot::0:0::/:/bin/sh";
	n = priv_req_encode(&req, buf, sizeof(buf));
	ASSERT_EQ(priv_req_decode(buf, n, "", &out, &why), -1);
	/* One string missing (the tail cut), or a third one. */
	req.home = "/home/alice";
	n = priv_req_encode(&req, buf, sizeof(buf));
	{
		uint32_t u = (uint32_t)(n - PRIV_HDR_SIZE - 3);

		memcpy(buf + 8, &u, 4);
		ASSERT_EQ(priv_req_decode(buf, n - 3, "", &out, &why), -1);
		u = (uint32_t)(n - PRIV_HDR_SIZE + 2);
		memcpy(buf + 8, &u, 4);
		buf[n] = 'x';
		buf[n + 1] = '\0';
		ASSERT_EQ(priv_req_decode(buf, n + 2, "", &out, &why), -1);
	}
	/* A user name, or a flag: refused. */
	snprintf(req.user, sizeof(req.user), "alice");
	n = priv_req_encode(&req, buf, sizeof(buf));
	ASSERT_EQ(priv_req_decode(buf, n, "", &out, &why), -1);
	req.user[0] = '\0';
	req.flags = PRIV_F_KEEP_HOME;
	n = priv_req_encode(&req, buf, sizeof(buf));
	ASSERT_EQ(priv_req_decode(buf, n, "", &out, &why), -1);
}

/* A helper not of ldap refuses PRIV_ACCOUNT_LDAP; one of ldap refuses
 * a uid below UID_MIN and an existing account of another uid (root's
 * name), and makes, removes and kills no account otherwise. */
TEST(priv_helper_ldap_mode)
{
	static unsigned char    buf[PRIV_MSG_MAX];
	struct priv_helper_conf conf = { .prefix = "", .ldap = 1 };
	struct priv_reply       rep;
	struct priv_req         req;
	int                     fd;
	pid_t                   pid;
	size_t                  n;

	name_req(&req, PRIV_ACCOUNT_LDAP, "nosuchuser-x");
	req.num[0] = 500;
	req.num[1] = 500;
	req.home = "/home/nosuchuser-x";
	req.shell = "/bin/sh";
	n = priv_req_encode(&req, buf, sizeof(buf));
	pid = helper_start("", &fd);
	helper_ask(fd, buf, n, -1, &rep);
	ASSERT_EQ(rep.result, -EPERM);
	ASSERT_STR_EQ(rep.text, "the authenticator is not ldap");
	helper_end(pid, fd);

	pid = helper_start_conf(&conf, &fd);
	helper_ask(fd, buf, n, -1, &rep);
	ASSERT_EQ(rep.result, -EPERM);
	ASSERT(strstr(rep.text, "outside the users' range") != NULL);
	ASSERT(getpwnam("nosuchuser-x") == NULL);
	name_req(&req, PRIV_ACCOUNT_LDAP, "root");
	req.num[0] = 40001;
	req.num[1] = 40001;
	req.home = "/root";
	req.shell = "/bin/sh";
	n = priv_req_encode(&req, buf, sizeof(buf));
	helper_ask(fd, buf, n, -1, &rep);
	ASSERT_EQ(rep.result, -EEXIST);
	ASSERT(strstr(rep.text, "exists with uid 0") != NULL);
	name_req(&req, PRIV_ACCOUNT_ADD, "nosuchuser-x");
	snprintf(req.user, sizeof(req.user), "nosuchuser-x");
	n = priv_req_encode(&req, buf, sizeof(buf));
	helper_ask(fd, buf, n, -1, &rep);
	ASSERT_EQ(rep.result, -ENOENT);
	ASSERT(getpwnam("nosuchuser-x") == NULL);
	helper_end(pid, fd);
}

/* A question to Slurm: no account, its output's descriptor, a known
 * question, a job id for the comment's only and in Slurm's range; the
 * command line is the helper's own for each. */
TEST(priv_slurm_ask_msg)
{
	static unsigned char buf[PRIV_MSG_MAX];
	struct priv_req      req, out;
	const char          *why, *argv[SLURM_ASK_ARGV_MAX];
	char                 id[24];
	size_t               n;

	name_req(&req, PRIV_SLURM_ASK, "");
	req.flags = PRIV_F_FD;
	req.num[0] = SLURM_Q_COMMENT;
	req.num[1] = 42;
	n = priv_req_encode(&req, buf, sizeof(buf));
	ASSERT_EQ(n, PRIV_HDR_SIZE + PRIV_REQ_FIXED);
	ASSERT_EQ(priv_req_decode(buf, n, "rig-", &out, &why), 0);
	ASSERT_EQ(out.type, PRIV_SLURM_ASK);
	ASSERT_EQ(out.num[0], SLURM_Q_COMMENT);
	ASSERT_EQ(out.num[1], 42);
	/* Refused: an account, no descriptor, stdin, questions out of
	 * range, ids where none belongs or out of range, a third number. */
	snprintf(req.account, sizeof(req.account), "rig-alice");
	n = priv_req_encode(&req, buf, sizeof(buf));
	ASSERT_EQ(decode(buf, n, &why), -1);
	ASSERT_STR_EQ(why, "an account where none belongs");
	req.account[0] = '\0';
	{
		struct {
			uint32_t flags;
			int64_t  q, job, third;
		} bad[] = {
			{ 0, SLURM_Q_COMMENT, 42, 0 },
			{ PRIV_F_FD | PRIV_F_STDIN, SLURM_Q_COMMENT, 42, 0 },
			{ PRIV_F_FD, SLURM_Q_NONE, 0, 0 },
			{ PRIV_F_FD, SLURM_Q_END, 0, 0 },
			{ PRIV_F_FD, -1, 0, 0 },
			{ PRIV_F_FD, SLURM_Q_SERVERS, 42, 0 },
			{ PRIV_F_FD, SLURM_Q_COMMENT, 0, 0 },
			{ PRIV_F_FD, SLURM_Q_COMMENT, -5, 0 },
			{ PRIV_F_FD, SLURM_Q_COMMENT, SLURM_ASK_JOB_MAX + 1,
			    0 },
			{ PRIV_F_FD, SLURM_Q_POOL_JOBS, 0, 1 },
		};

		for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
			req.flags = bad[i].flags;
			req.num[0] = bad[i].q;
			req.num[1] = bad[i].job;
			req.num[2] = bad[i].third;
			n = priv_req_encode(&req, buf, sizeof(buf));
			ASSERT(n > 0);
			ASSERT_EQ(decode(buf, n, &why), -1);
		}
	}
	/* The helper's command lines: fixed words, the id alone the
	 * caller's, as a number. */
	ASSERT_EQ(slurm_ask_argv(SLURM_Q_COMMENT, 42, id, argv), 0);
	ASSERT_STR_EQ(argv[0], "/usr/bin/squeue");
	ASSERT_STR_EQ(argv[3], "42");
	ASSERT_STR_EQ(argv[5], "%k");
	ASSERT(argv[6] == NULL);
	ASSERT_EQ(slurm_ask_argv(SLURM_Q_SERVERS, 0, id, argv), 0);
	ASSERT_STR_EQ(argv[5], "rig-server");
	ASSERT_EQ(slurm_ask_argv(SLURM_Q_POOL_JOBS, 0, id, argv), 0);
	ASSERT_STR_EQ(argv[0], "/usr/bin/squeue");
	ASSERT_STR_EQ(argv[1], "-a");
	ASSERT_EQ(slurm_ask_argv(SLURM_Q_SERVERS, 1, id, argv), -1);
	ASSERT_EQ(slurm_ask_argv(SLURM_Q_COMMENT, 0, id, argv), -1);
	ASSERT_EQ(slurm_ask_argv(SLURM_Q_END, 0, id, argv), -1);
}
