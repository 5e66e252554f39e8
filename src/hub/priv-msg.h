/* SPDX-License-Identifier: MIT */
/*
 * The messages between the network-facing hub and its privileged helper
 * (priv.h): fixed-layout records over a SOCK_SEQPACKET socketpair, one
 * message per packet, encoded and decoded here with no I/O, so that the
 * parser the root process runs on the hub's bytes is small, pure and
 * fuzzed (tests/fuzz/fuzz-priv.c).
 *
 * Every message is a 16-byte header (version, type, sequence number,
 * length of what follows, a zero word) and a body whose size the type
 * fixes: a request is PRIV_REQ_FIXED bytes, plus for PRIV_SPAWN a tail of
 * NUL-terminated strings (file, cwd, argv..., env...) of at most
 * PRIV_TAIL_MAX bytes, for PRIV_FIREWALL_LOAD its lists, and for
 * PRIV_PAM_AUTH the password, one NUL-terminated string, and for
 * PRIV_ACCOUNT_LDAP the home and the shell; a reply or an exit
 * event is PRIV_REPLY_FIXED bytes. The decoder checks the whole message against
 * the type before anything uses it (relayd's IMSG_SIZE_CHECK, in one place):
 * version, type, length, every name field NUL-terminated and a valid account of
 * the prefix, every number in range, unused fields zero, and the strings of a
 * spawn counted and bounded.
 */
#ifndef PRIV_MSG_H
#define PRIV_MSG_H

#include <stddef.h>
#include <stdint.h>

#include "firewall-rules.h"

#define PRIV_VERSION 1
#define PRIV_HDR_SIZE 16
#define PRIV_NAME_FIELD 40 /* an account or user name, NUL-padded */
#define PRIV_NAME_MAX 32 /* useradd's limit (ACCOUNT_NAME_MAX) */
#define PRIV_REQ_FIXED 128 /* a request's body before the tail */
#define PRIV_TAIL_MAX 65536 /* the strings of a spawn */
#define PRIV_STR_MAX 8192 /* one string of a spawn, without its NUL */
#define PRIV_ARGC_MAX 128 /* argv entries of a spawn */
#define PRIV_ENVC_MAX 64 /* environment entries of a spawn */
#define PRIV_TEXT_MAX 256 /* a reply's text, with its NUL */
#define PRIV_SECRET_MAX 511 /* a password, without its NUL (PASSWORD_MAX) */
#define PRIV_REPLY_FIXED 288
#define PRIV_MSG_MAX (PRIV_HDR_SIZE + PRIV_REQ_FIXED + PRIV_TAIL_MAX)
#define PRIV_LDAP_PATH_MAX 255 /* a home or shell of PRIV_ACCOUNT_LDAP */
#define PRIV_GID_MAX 0x7fffffff

/* Limits of a firewall request (PRIV_FIREWALL_LOAD): its tail is three
 * u32 counts, then the uids (u32 each), the ports (u16 each) and the
 * listeners (u32 uid, u16 port, u16 0 each). */
#define PRIV_FW_UIDS_MAX 4096
#define PRIV_FW_PORTS_MAX 1024
#define PRIV_FW_LISTENERS_MAX 4096
#define PRIV_FW_UID_END 60000 /* uids are ACCOUNT_MIN_UID up to this */

/* Limits of a cgroup request (PRIV_CGROUP_SETUP). */
#define PRIV_MEM_MAX (INT64_C(1) << 50) /* bytes */
#define PRIV_CPU_MAX (1024 * 1000) /* thousandths of a CPU */
#define PRIV_PIDS_MAX (1 << 22)

enum priv_type {
	PRIV_ACCOUNT_ADD = 1, /* account, user: useradd */
	PRIV_ACCOUNT_DEL, /* account [KEEP_HOME]: processes killed, userdel */
	PRIV_RUNTIME_DIR, /* account: PRIV_RUN_DIR/ACCOUNT made; text = path */
	PRIV_SPAWN, /* account [FD], tail: a server; reply pid, text start */
	PRIV_SIGNAL, /* account, pid, sig [GROUP] */
	PRIV_KILL_USER, /* account: SIGKILL to every process of its uid */
	PRIV_USAGE, /* account: val = cpu ticks, rss bytes, processes */
	PRIV_CGROUP_SETUP, /* account, server, num = mem, cpu, pids limits */
	PRIV_CGROUP_KILL, /* account, server */
	PRIV_CGROUP_REMOVE, /* account, server */
	PRIV_FIREWALL_LOAD, /* no account, tail: the user firewall's lists */
	PRIV_FIREWALL_UNLOAD, /* no account: the table deleted */
	/* account, tail: the password; 'rig pam-auth' as root (auth-pam.h),
	 * result its exit status (enum authpam_result) or -errno */
	PRIV_PAM_AUTH,
	/* account (the user's name, no prefix), num = uidNumber, gidNumber,
	 * tail: home, shell; authenticator = ldap: the account matched by
	 * uid, or made with useradd (accounts.h), result 0 or -errno */
	PRIV_ACCOUNT_LDAP,
	/* no account, FD, num = question, job id (slurm-ask.h): Slurm's
	 * fixed command line of that question run as SLURM_ASK_USER; reply
	 * pid, then PRIV_EXIT as for PRIV_SPAWN */
	PRIV_SLURM_ASK,
	PRIV_REQ_END, /* requests are below this */
	PRIV_REPLY = 100, /* helper -> hub: seq of the request */
	PRIV_EXIT, /* helper -> hub: a spawned pid ended, seq 0 */
};

/* Flags of a request, each allowed for one type only. */
#define PRIV_F_GROUP 0x1 /* PRIV_SIGNAL: the process group 'pid' leads */
#define PRIV_F_KEEP_HOME 0x2 /* PRIV_ACCOUNT_DEL: home moved aside */
/* PRIV_SPAWN: one fd comes along (SCM_RIGHTS), the child's stdout and
 * stderr. */
#define PRIV_F_FD 0x4
/* PRIV_SPAWN: inside the account's cgroup (made by PRIV_CGROUP_SETUP)
 * from before exec: the helper runs 'rig sandbox --cgroup DIR...
 * --umask 077 --user ACCOUNT -- FILE ARGS' as root, with words it makes
 * itself from the account, never the hub's. */
#define PRIV_F_CGROUP 0x8
/* PRIV_SPAWN, with PRIV_F_FD: the fd is the child's standard input too
 * (a short tool fed through it, as sbatch its job script). */
#define PRIV_F_STDIN 0x10

/*
 * A request, decoded. The strings of a spawn point into the buffer it was
 * decoded from (borrowed: keep it while the request is used); argv and env
 * end with NULL.
 */
struct priv_req {
	uint16_t type;
	uint32_t seq;
	char     account[PRIV_NAME_FIELD]; /* PREFIX + NAME */
	/* NAME: PRIV_ACCOUNT_ADD; the server's name ("" the user's default
	 * one, else a checked named server's) for PRIV_CGROUP_* and
	 * PRIV_SPAWN, whose group is ACCOUNT or ACCOUNT@SERVER
	 * (cgroup_group_name()); empty for the others. */
	char     user[PRIV_NAME_FIELD];
	int32_t  pid; /* PRIV_SIGNAL: > 1 */
	int32_t  sig; /* PRIV_SIGNAL: SIGTERM, SIGKILL, SIGINT, SIGHUP */
	uint32_t flags; /* PRIV_F_* */
	/* PRIV_CGROUP_SETUP: memory bytes, thousandths of a CPU, pids;
	 * 0 is no limit. */
	int64_t     num[3];
	uint32_t    argc, envc; /* PRIV_SPAWN */
	const char *file, *cwd; /* PRIV_SPAWN: absolute, no ".." */
	const char *argv[PRIV_ARGC_MAX + 1];
	const char *env[PRIV_ENVC_MAX + 1]; /* each "K=V" */
	/* PRIV_FIREWALL_LOAD: encoded from 'fw'; decoded as counts and a
	 * pointer to the lists in the buffer (priv_req_fw_rules()). */
	const struct firewall_rules *fw;
	/* PRIV_PAM_AUTH: the password, 1 to PRIV_SECRET_MAX bytes. */
	const char *secret;
	/* PRIV_ACCOUNT_LDAP: absolute paths, at most PRIV_LDAP_PATH_MAX. */
	const char          *home, *shell;
	uint32_t             nuids, nports, nlisteners;
	const unsigned char *fw_lists;
};

/* A reply to a request, or an exit event (PRIV_EXIT). */
struct priv_reply {
	uint16_t type; /* PRIV_REPLY or PRIV_EXIT */
	uint32_t seq;
	/* 0 or -errno; PRIV_ACCOUNT_*: the tool's exit status; PRIV_EXIT:
	 * the process's. */
	int32_t result;
	int32_t pid; /* PRIV_SPAWN, PRIV_EXIT */
	int64_t val[3]; /* PRIV_USAGE; PRIV_EXIT: val[0] the signal */
	char    text[PRIV_TEXT_MAX]; /* NUL-terminated */
};

/*
 * Encodes 'req' (its type, seq and fields; argc and envc are counted from
 * argv and env) into 'out'. Returns the message's size, or 0 if it does
 * not fit 'outlen' or breaks a limit above. Does not check names: the
 * decoder on the other side does.
 */
size_t priv_req_encode(const struct priv_req *req, unsigned char *out,
    size_t outlen);

/*
 * Decodes and checks one request of 'len' bytes; 'prefix' is the account
 * prefix every account must start with (followed by a valid user name).
 * 0, or -1 with *why saying what was refused (a static string). On
 * success 'req' borrows 'buf'.
 */
int priv_req_decode(const unsigned char *buf, size_t len, const char *prefix,
    struct priv_req *req, const char **why);

/* Encodes a reply or an exit event; the size (PRIV_HDR_SIZE +
 * PRIV_REPLY_FIXED), or 0 if 'outlen' is too small. */
size_t priv_reply_encode(const struct priv_reply *rep, unsigned char *out,
    size_t outlen);

/* Decodes and checks a reply or exit event; 0, or -1 and *why. */
int priv_reply_decode(const unsigned char *buf, size_t len,
    struct priv_reply *rep, const char **why);

/* The lists of a decoded PRIV_FIREWALL_LOAD into 'r' (initialized here;
 * the caller releases it). */
void priv_req_fw_rules(const struct priv_req *req, struct firewall_rules *r);

/*
 * Whether 'name' is an account of the prefix: PREFIX followed by a valid
 * rig user name (username_error()), at most PRIV_NAME_MAX in all. Names
 * with '/', "..", a NUL before the end or over-long are not.
 */
int priv_account_valid(const char *prefix, const char *name);

/* Whether environment entry 'kv' ("K=V") may reach a process the helper
 * starts as root: not one the dynamic loader or libc obeys (LD_*,
 * GCONV_PATH, MALLOC_*, ... as glibc drops them for setuid programs). */
int priv_env_safe(const char *kv);

/* Whether 'path' is absolute, at most PRIV_STR_MAX, and has no "." or
 * ".." component. */
int priv_path_valid(const char *path);

#endif
