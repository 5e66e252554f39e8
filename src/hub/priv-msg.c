/* SPDX-License-Identifier: MIT */
/*
 * The helper's messages (priv-msg.h): encoding and decoding, with no I/O.
 * Fields are copied with memcpy at fixed offsets, never by casting the
 * buffer to a struct, so alignment and padding play no part; both ends
 * are the same binary on the same machine, hence host byte order.
 *
 * The decoder is what the root helper runs on bytes the network-facing
 * hub sends, and the hub may be compromised: it refuses anything that is
 * not exactly one well-formed request, and says why.
 */
#include <signal.h>
#include <string.h>

#include "lib/util.h"
#include "priv-msg.h"
#include "slurm-ask.h"
#include "servername.h"
#include "lib/banned.h"

/* Offsets in a request's fixed body. */
#define RQ_ACCOUNT 0
#define RQ_USER 40
#define RQ_PID 80
#define RQ_SIG 84
#define RQ_FLAGS 88
#define RQ_ARGC 92
#define RQ_ENVC 96
#define RQ_ZERO 100
#define RQ_NUM 104

/* Offsets in a reply's body. */
#define RP_RESULT 0
#define RP_PID 4
#define RP_VAL 8
#define RP_TEXT 32

static void     put16(unsigned char *, uint16_t);
static void     put32(unsigned char *, uint32_t);
static void     put64(unsigned char *, uint64_t);
static uint16_t get16(const unsigned char *);
static uint32_t get32(const unsigned char *);
static uint64_t get64(const unsigned char *);
static void     put_hdr(unsigned char *, uint16_t, uint32_t, uint32_t);
static int      get_name(const unsigned char *, char *);
static int      all_zero(const unsigned char *, size_t);
static uint32_t type_flags(uint16_t);
static int      signal_allowed(int32_t);
static int      decode_tail(const unsigned char *, size_t, struct priv_req *,
         const char **);
static int      fw_uid_ok(uint32_t);
static size_t encode_fw(const struct firewall_rules *, unsigned char *, size_t);
static int    decode_fw(const unsigned char *, size_t, struct priv_req *,
       const char **);
static int    decode_secret(const unsigned char *, size_t, struct priv_req *,
       const char **);
static int    decode_ldap(const unsigned char *, size_t, struct priv_req *,
       const char **);

static void
put16(unsigned char *p, uint16_t v)
{
	memcpy(p, &v, sizeof(v));
}

static void
put32(unsigned char *p, uint32_t v)
{
	memcpy(p, &v, sizeof(v));
}

static void
put64(unsigned char *p, uint64_t v)
{
	memcpy(p, &v, sizeof(v));
}

static uint16_t
get16(const unsigned char *p)
{
	uint16_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static uint32_t
get32(const unsigned char *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static uint64_t
get64(const unsigned char *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

/* version, type, seq, length of the body, a zero word */
static void
put_hdr(unsigned char *p, uint16_t type, uint32_t seq, uint32_t len)
{
	put16(p, PRIV_VERSION);
	put16(p + 2, type);
	put32(p + 4, seq);
	put32(p + 8, len);
	put32(p + 12, 0);
}

/* Copies a name field into 'out' (PRIV_NAME_FIELD bytes). -1 unless it is
 * NUL-terminated within PRIV_NAME_MAX + 1 bytes and zero after: one
 * spelling per name, nothing hidden after the NUL. */
static int
get_name(const unsigned char *field, char *out)
{
	const unsigned char *nul = memchr(field, '\0', PRIV_NAME_MAX + 1);

	if (nul == NULL)
		return -1;
	if (!all_zero(nul, PRIV_NAME_FIELD - (size_t)(nul - field)))
		return -1;
	memcpy(out, field, PRIV_NAME_FIELD);
	return 0;
}

static int
all_zero(const unsigned char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != 0)
			return 0;
	return 1;
}

/* The flags a type may carry. */
static uint32_t
type_flags(uint16_t type)
{
	switch (type) {
	case PRIV_SIGNAL:
		return PRIV_F_GROUP;
	case PRIV_ACCOUNT_DEL:
		return PRIV_F_KEEP_HOME;
	case PRIV_SPAWN:
		return PRIV_F_FD | PRIV_F_CGROUP | PRIV_F_STDIN;
	case PRIV_SLURM_ASK:
		return PRIV_F_FD;
	default:
		return 0;
	}
}

/* Stopping a server takes no more than these. */
static int
signal_allowed(int32_t sig)
{
	return sig == SIGTERM || sig == SIGKILL || sig == SIGINT ||
	    sig == SIGHUP;
}

int
priv_account_valid(const char *prefix, const char *name)
{
	size_t plen = strlen(prefix), len = strlen(name);

	if (len > PRIV_NAME_MAX || len <= plen ||
	    strncmp(name, prefix, plen) != 0)
		return 0;
	/* The whole name follows the account rules, and so does the rig
	 * user's part, so no prefix makes a name like "-x" or ".." valid. */
	return username_error(name) == NULL &&
	    username_error(name + plen) == NULL;
}

int
priv_env_safe(const char *kv)
{
	/* glibc's unsecure environment variables (UNSECURE_ENVVARS), its
	 * tunables, and the sanitizers' options of a test build: a root
	 * process must not read them from the hub. */
	static const char *const bad[] = { "LD_",
		"GCONV_PATH=", "GETCONF_DIR=", "GLIBC_TUNABLES=",
		"HOSTALIASES=", "LOCALDOMAIN=", "LOCPATH=", "MALLOC_",
		"NIS_PATH=", "NLSPATH=", "RESOLV_HOST_CONF=", "RES_OPTIONS=",
		"TMPDIR=", "TZDIR=", "ASAN_OPTIONS=", "UBSAN_OPTIONS=" };

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (strncmp(kv, bad[i], strlen(bad[i])) == 0)
			return 0;
	return 1;
}

int
priv_path_valid(const char *path)
{
	const char *p = path;
	size_t      len = strlen(path);

	if (path[0] != '/' || len > PRIV_STR_MAX)
		return 0;
	while (*p != '\0') {
		const char *end;
		size_t      n;

		while (*p == '/')
			p++;
		end = strchr(p, '/');
		n = end != NULL ? (size_t)(end - p) : strlen(p);
		if ((n == 1 && p[0] == '.') ||
		    (n == 2 && p[0] == '.' && p[1] == '.'))
			return 0;
		p += n;
	}
	return 1;
}

size_t
priv_req_encode(const struct priv_req *req, unsigned char *out, size_t outlen)
{
	size_t   off = PRIV_HDR_SIZE + PRIV_REQ_FIXED;
	uint32_t argc = 0, envc = 0;

	if (outlen < off)
		return 0;
	memset(out, 0, off);
	if (req->type == PRIV_SPAWN) {
		const char *s[2] = { req->file, req->cwd };

		while (req->argv[argc] != NULL && argc < PRIV_ARGC_MAX)
			argc++;
		while (req->env[envc] != NULL && envc < PRIV_ENVC_MAX)
			envc++;
		if (req->argv[argc] != NULL || req->env[envc] != NULL ||
		    s[0] == NULL || s[1] == NULL)
			return 0;
		for (uint32_t i = 0; i < 2 + argc + envc; i++) {
			const char *v = i < 2 ? s[i]
			    : i < 2 + argc    ? req->argv[i - 2]
			                      : req->env[i - 2 - argc];
			size_t      n = strlen(v) + 1;

			if (n > PRIV_STR_MAX + 1 || off + n > outlen ||
			    off + n - PRIV_HDR_SIZE - PRIV_REQ_FIXED >
			        PRIV_TAIL_MAX)
				return 0;
			memcpy(out + off, v, n);
			off += n;
		}
	}
	if (req->type == PRIV_PAM_AUTH) {
		size_t n;

		if (req->secret == NULL)
			return 0;
		n = strlen(req->secret) + 1;
		if (n < 2 || n > PRIV_SECRET_MAX + 1 || off + n > outlen)
			return 0;
		memcpy(out + off, req->secret, n);
		off += n;
	}
	if (req->type == PRIV_ACCOUNT_LDAP) {
		const char *s[2] = { req->home, req->shell };

		for (int i = 0; i < 2; i++) {
			size_t n;

			if (s[i] == NULL)
				return 0;
			n = strlen(s[i]) + 1;
			if (n > PRIV_LDAP_PATH_MAX + 1 || off + n > outlen)
				return 0;
			memcpy(out + off, s[i], n);
			off += n;
		}
	}
	if (req->type == PRIV_FIREWALL_LOAD) {
		size_t n;

		if (req->fw == NULL)
			return 0;
		n = encode_fw(req->fw, out + off, outlen - off);
		if (n == 0)
			return 0;
		off += n;
	}
	put_hdr(out, req->type, req->seq, (uint32_t)(off - PRIV_HDR_SIZE));
	out += PRIV_HDR_SIZE;
	memcpy(out + RQ_ACCOUNT, req->account,
	    strnlen(req->account, PRIV_NAME_FIELD - 1));
	memcpy(out + RQ_USER, req->user,
	    strnlen(req->user, PRIV_NAME_FIELD - 1));
	put32(out + RQ_PID, (uint32_t)req->pid);
	put32(out + RQ_SIG, (uint32_t)req->sig);
	put32(out + RQ_FLAGS, req->flags);
	put32(out + RQ_ARGC, argc);
	put32(out + RQ_ENVC, envc);
	for (int i = 0; i < 3; i++)
		put64(out + RQ_NUM + 8 * i, (uint64_t)req->num[i]);
	return off;
}

/* The strings of a spawn: exactly 2 + argc + envc, each NUL-terminated and
 * bounded, filling the tail with nothing left over. */
static int
decode_tail(const unsigned char *p, size_t len, struct priv_req *req,
    const char **why)
{
	uint32_t n = 2 + req->argc + req->envc;
	size_t   off = 0;

	for (uint32_t i = 0; i < n; i++) {
		const unsigned char *nul;
		const char          *s = (const char *)p + off;

		if (off >= len) {
			*why = "spawn: fewer strings than counted";
			return -1;
		}
		nul = memchr(p + off, '\0', len - off);
		if (nul == NULL) {
			*why = "spawn: a string without its NUL";
			return -1;
		}
		if ((size_t)(nul - (p + off)) > PRIV_STR_MAX) {
			*why = "spawn: a string too long";
			return -1;
		}
		off = (size_t)(nul - p) + 1;
		if (i == 0)
			req->file = s;
		else if (i == 1)
			req->cwd = s;
		else if (i < 2 + req->argc)
			req->argv[i - 2] = s;
		else
			req->env[i - 2 - req->argc] = s;
	}
	if (off != len) {
		*why = "spawn: bytes after the last string";
		return -1;
	}
	req->argv[req->argc] = NULL;
	req->env[req->envc] = NULL;
	if (!priv_path_valid(req->file)) {
		*why = "spawn: the file is not an absolute path without '..'";
		return -1;
	}
	if (!priv_path_valid(req->cwd)) {
		*why = "spawn: cwd is not an absolute path without '..'";
		return -1;
	}
	if (req->argv[0][0] == '\0') {
		*why = "spawn: an empty argv[0]";
		return -1;
	}
	for (uint32_t i = 0; i < req->envc; i++) {
		const char *eq = strchr(req->env[i], '=');

		if (eq == NULL || eq == req->env[i]) {
			*why = "spawn: an environment entry is not K=V";
			return -1;
		}
		if (!priv_env_safe(req->env[i])) {
			*why = "spawn: an environment entry the loader obeys";
			return -1;
		}
	}
	return 0;
}

int
priv_req_decode(const unsigned char *buf, size_t len, const char *prefix,
    struct priv_req *req, const char **why)
{
	const unsigned char *b = buf + PRIV_HDR_SIZE;
	uint16_t             type;
	size_t               tail;

	memset(req, 0, sizeof(*req));
	if (len < PRIV_HDR_SIZE) {
		*why = "shorter than a header";
		return -1;
	}
	if (get16(buf) != PRIV_VERSION) {
		*why = "wrong protocol version";
		return -1;
	}
	type = get16(buf + 2);
	if (type < PRIV_ACCOUNT_ADD || type >= PRIV_REQ_END) {
		*why = "type out of range";
		return -1;
	}
	req->type = type;
	req->seq = get32(buf + 4);
	if (get32(buf + 8) != len - PRIV_HDR_SIZE || get32(buf + 12) != 0) {
		*why = "length does not match the packet";
		return -1;
	}
	if (len < PRIV_HDR_SIZE + PRIV_REQ_FIXED) {
		*why = "shorter than a request";
		return -1;
	}
	tail = len - PRIV_HDR_SIZE - PRIV_REQ_FIXED;
	if ((type != PRIV_SPAWN && type != PRIV_FIREWALL_LOAD &&
	        type != PRIV_PAM_AUTH && type != PRIV_ACCOUNT_LDAP &&
	        tail != 0) ||
	    tail > PRIV_TAIL_MAX) {
		*why = "longer than its type allows";
		return -1;
	}
	if (get_name(b + RQ_ACCOUNT, req->account) == -1 ||
	    get_name(b + RQ_USER, req->user) == -1) {
		*why = "a name field is not NUL-terminated and zero-padded";
		return -1;
	}
	if (type == PRIV_FIREWALL_LOAD || type == PRIV_FIREWALL_UNLOAD ||
	    type == PRIV_SLURM_ASK) {
		if (req->account[0] != '\0') {
			*why = "an account where none belongs";
			return -1;
		}
	} else if (!priv_account_valid(prefix, req->account)) {
		*why = "not an account of the prefix";
		return -1;
	}
	if (type == PRIV_ACCOUNT_ADD) {
		if (username_error(req->user) != NULL ||
		    strlen(prefix) + strlen(req->user) !=
		        strlen(req->account) ||
		    strcmp(req->account + strlen(prefix), req->user) != 0) {
			*why = "the account is not PREFIX + the user's name";
			return -1;
		}
	} else if (type == PRIV_CGROUP_SETUP || type == PRIV_CGROUP_KILL ||
	    type == PRIV_CGROUP_REMOVE || type == PRIV_SPAWN) {
		if (req->user[0] != '\0' &&
		    server_name_check(req->user) != NULL) {
			*why = "not a server's name";
			return -1;
		}
	} else if (req->user[0] != '\0') {
		*why = "a user name where none belongs";
		return -1;
	}
	req->pid = (int32_t)get32(b + RQ_PID);
	req->sig = (int32_t)get32(b + RQ_SIG);
	req->flags = get32(b + RQ_FLAGS);
	req->argc = get32(b + RQ_ARGC);
	req->envc = get32(b + RQ_ENVC);
	for (int i = 0; i < 3; i++)
		req->num[i] = (int64_t)get64(b + RQ_NUM + 8 * i);
	if (get32(b + RQ_ZERO) != 0) {
		*why = "a reserved field is not zero";
		return -1;
	}
	if ((req->flags & ~type_flags(type)) != 0) {
		*why = "a flag its type does not take";
		return -1;
	}
	if ((req->flags & PRIV_F_STDIN) && !(req->flags & PRIV_F_FD)) {
		*why = "spawn: standard input from no descriptor";
		return -1;
	}
	if (type == PRIV_SIGNAL) {
		if (req->pid <= 1 || !signal_allowed(req->sig)) {
			*why = "signal: pid or signal out of range";
			return -1;
		}
	} else if (req->pid != 0 || req->sig != 0) {
		*why = "a pid or signal where none belongs";
		return -1;
	}
	if (type == PRIV_CGROUP_SETUP) {
		if (req->num[0] < 0 || req->num[0] > PRIV_MEM_MAX ||
		    req->num[1] < 0 || req->num[1] > PRIV_CPU_MAX ||
		    req->num[2] < 0 || req->num[2] > PRIV_PIDS_MAX) {
			*why = "cgroup: a limit out of range";
			return -1;
		}
	} else if (type == PRIV_ACCOUNT_LDAP) {
		/* Never root; the users' range is the helper's check,
		 * which says so with the numbers. */
		if (req->num[0] < 1 || req->num[0] > PRIV_GID_MAX ||
		    req->num[1] < 1 || req->num[1] > PRIV_GID_MAX ||
		    req->num[2] != 0) {
			*why = "ldap: a uid or gid out of range";
			return -1;
		}
	} else if (type == PRIV_SLURM_ASK) {
		if (req->num[0] <= SLURM_Q_NONE || req->num[0] >= SLURM_Q_END ||
		    (req->num[0] == SLURM_Q_COMMENT
		            ? req->num[1] < 1 || req->num[1] > SLURM_ASK_JOB_MAX
		            : req->num[1] != 0) ||
		    req->num[2] != 0 || !(req->flags & PRIV_F_FD)) {
			*why = "slurm: no such question, or no output";
			return -1;
		}
	} else if (req->num[0] != 0 || req->num[1] != 0 || req->num[2] != 0) {
		*why = "a limit where none belongs";
		return -1;
	}
	if (type != PRIV_SPAWN) {
		if (req->argc != 0 || req->envc != 0) {
			*why = "strings where none belong";
			return -1;
		}
		if (type == PRIV_FIREWALL_LOAD)
			return decode_fw(b + PRIV_REQ_FIXED, tail, req, why);
		if (type == PRIV_PAM_AUTH)
			return decode_secret(b + PRIV_REQ_FIXED, tail, req,
			    why);
		if (type == PRIV_ACCOUNT_LDAP)
			return decode_ldap(b + PRIV_REQ_FIXED, tail, req, why);
		return 0;
	}
	if (req->argc < 1 || req->argc > PRIV_ARGC_MAX ||
	    req->envc > PRIV_ENVC_MAX) {
		*why = "spawn: argc or envc out of range";
		return -1;
	}
	return decode_tail(b + PRIV_REQ_FIXED, tail, req, why);
}

size_t
priv_reply_encode(const struct priv_reply *rep, unsigned char *out,
    size_t outlen)
{
	unsigned char *b = out + PRIV_HDR_SIZE;

	if (outlen < PRIV_HDR_SIZE + PRIV_REPLY_FIXED)
		return 0;
	memset(out, 0, PRIV_HDR_SIZE + PRIV_REPLY_FIXED);
	put_hdr(out, rep->type, rep->seq, PRIV_REPLY_FIXED);
	put32(b + RP_RESULT, (uint32_t)rep->result);
	put32(b + RP_PID, (uint32_t)rep->pid);
	for (int i = 0; i < 3; i++)
		put64(b + RP_VAL + 8 * i, (uint64_t)rep->val[i]);
	memcpy(b + RP_TEXT, rep->text, strnlen(rep->text, PRIV_TEXT_MAX - 1));
	return PRIV_HDR_SIZE + PRIV_REPLY_FIXED;
}

int
priv_reply_decode(const unsigned char *buf, size_t len, struct priv_reply *rep,
    const char **why)
{
	const unsigned char *b = buf + PRIV_HDR_SIZE;

	memset(rep, 0, sizeof(*rep));
	if (len != PRIV_HDR_SIZE + PRIV_REPLY_FIXED) {
		*why = "not the size of a reply";
		return -1;
	}
	if (get16(buf) != PRIV_VERSION) {
		*why = "wrong protocol version";
		return -1;
	}
	rep->type = get16(buf + 2);
	if (rep->type != PRIV_REPLY && rep->type != PRIV_EXIT) {
		*why = "type out of range";
		return -1;
	}
	rep->seq = get32(buf + 4);
	if (get32(buf + 8) != PRIV_REPLY_FIXED || get32(buf + 12) != 0) {
		*why = "length does not match the packet";
		return -1;
	}
	if (memchr(b + RP_TEXT, '\0', PRIV_TEXT_MAX) == NULL) {
		*why = "text not NUL-terminated";
		return -1;
	}
	rep->result = (int32_t)get32(b + RP_RESULT);
	rep->pid = (int32_t)get32(b + RP_PID);
	for (int i = 0; i < 3; i++)
		rep->val[i] = (int64_t)get64(b + RP_VAL + 8 * i);
	memcpy(rep->text, b + RP_TEXT, PRIV_TEXT_MAX);
	return 0;
}

/* A password: one string, not empty, its NUL the tail's last byte and
 * the only one. */
static int
decode_secret(const unsigned char *p, size_t len, struct priv_req *req,
    const char **why)
{
	if (len < 2 || len > PRIV_SECRET_MAX + 1) {
		*why = "pam: no password, or one too long";
		return -1;
	}
	if (memchr(p, '\0', len) != p + len - 1) {
		*why = "pam: the password is not one NUL-terminated string";
		return -1;
	}
	req->secret = (const char *)p;
	return 0;
}

/* The home and the shell: two strings filling the tail, each an
 * absolute path without "." or ".." and at most PRIV_LDAP_PATH_MAX, of
 * printable bytes without ':' (useradd writes them into /etc/passwd). */
static int
decode_ldap(const unsigned char *p, size_t len, struct priv_req *req,
    const char **why)
{
	const char *s[2];
	size_t      off = 0;

	for (int i = 0; i < 2; i++) {
		const unsigned char *nul =
		    off < len ? memchr(p + off, '\0', len - off) : NULL;

		if (nul == NULL ||
		    (size_t)(nul - (p + off)) > PRIV_LDAP_PATH_MAX) {
			*why = "ldap: the home or shell is not a string";
			return -1;
		}
		s[i] = (const char *)p + off;
		off = (size_t)(nul - p) + 1;
		for (const char *c = s[i]; *c != '\0'; c++)
			if ((unsigned char)*c < 0x20 || *c == 0x7f ||
			    *c == ':') {
				*why = "ldap: a control byte or ':' in a path";
				return -1;
			}
		if (!priv_path_valid(s[i])) {
			*why =
			    "ldap: the home or shell is not an absolute path";
			return -1;
		}
	}
	if (off != len) {
		*why = "ldap: more than the home and shell";
		return -1;
	}
	req->home = s[0];
	req->shell = s[1];
	return 0;
}

/* A rig account's uid as the firewall may name it. */
static int
fw_uid_ok(uint32_t uid)
{
	return uid >= 1000 && uid < PRIV_FW_UID_END;
}

/* The firewall's lists as a tail: counts, uids, ports, listeners. Its
 * size, or 0 if it does not fit or passes a limit. */
static size_t
encode_fw(const struct firewall_rules *r, unsigned char *out, size_t outlen)
{
	size_t need, off = 12;

	if (r->nuids > PRIV_FW_UIDS_MAX || r->ninternal > PRIV_FW_PORTS_MAX ||
	    r->nlisteners > PRIV_FW_LISTENERS_MAX)
		return 0;
	need = 12 + 4 * r->nuids + 2 * r->ninternal + 8 * r->nlisteners;
	if (need > outlen || need > PRIV_TAIL_MAX)
		return 0;
	memset(out, 0, need);
	put32(out, (uint32_t)r->nuids);
	put32(out + 4, (uint32_t)r->ninternal);
	put32(out + 8, (uint32_t)r->nlisteners);
	for (size_t i = 0; i < r->nuids; i++, off += 4)
		put32(out + off, r->uids[i]);
	for (size_t i = 0; i < r->ninternal; i++, off += 2)
		put16(out + off, r->internal[i]);
	for (size_t i = 0; i < r->nlisteners; i++, off += 8) {
		put32(out + off, r->listeners[i].uid);
		put16(out + off + 4, r->listeners[i].port);
	}
	return need;
}

/* The counts within their limits and the tail exactly their size; every
 * uid a user's, every port not 0. */
static int
decode_fw(const unsigned char *p, size_t len, struct priv_req *req,
    const char **why)
{
	size_t off;

	if (len < 12) {
		*why = "firewall: no counts";
		return -1;
	}
	req->nuids = get32(p);
	req->nports = get32(p + 4);
	req->nlisteners = get32(p + 8);
	if (req->nuids > PRIV_FW_UIDS_MAX || req->nports > PRIV_FW_PORTS_MAX ||
	    req->nlisteners > PRIV_FW_LISTENERS_MAX) {
		*why = "firewall: a count past its limit";
		return -1;
	}
	if (len !=
	    12 + 4 * (size_t)req->nuids + 2 * (size_t)req->nports +
	        8 * (size_t)req->nlisteners) {
		*why = "firewall: the lists do not fill the tail";
		return -1;
	}
	off = 12;
	for (uint32_t i = 0; i < req->nuids; i++, off += 4)
		if (!fw_uid_ok(get32(p + off))) {
			*why = "firewall: a uid not a user's";
			return -1;
		}
	for (uint32_t i = 0; i < req->nports; i++, off += 2)
		if (get16(p + off) == 0) {
			*why = "firewall: port 0";
			return -1;
		}
	for (uint32_t i = 0; i < req->nlisteners; i++, off += 8)
		if (!fw_uid_ok(get32(p + off)) || get16(p + off + 4) == 0 ||
		    get16(p + off + 6) != 0) {
			*why = "firewall: a listener out of range";
			return -1;
		}
	req->fw_lists = p + 12;
	return 0;
}

void
priv_req_fw_rules(const struct priv_req *req, struct firewall_rules *r)
{
	const unsigned char *p = req->fw_lists;

	firewall_rules_init(r);
	for (uint32_t i = 0; i < req->nuids; i++, p += 4)
		firewall_rules_add_uid(r, get32(p));
	for (uint32_t i = 0; i < req->nports; i++, p += 2)
		firewall_rules_add_internal(r, get16(p));
	for (uint32_t i = 0; i < req->nlisteners; i++, p += 8)
		firewall_rules_add_listener(r, get32(p), get16(p + 4));
}
