/* SPDX-License-Identifier: MIT */
/*
 * The user firewall (firewall.h). The hub builds the whole table as nft
 * script text from three lists (rig accounts' uids, back ends' local
 * ports, rig accounts' TCP listeners) and hands it to 'nft -f -' as a
 * child with an argv array; the script deletes and re-creates the table
 * in one transaction, so the rules are never half loaded and a restart
 * after a crash replaces what the dead hub left. Accounts come from the
 * password database (re-read when /etc/passwd changes), listeners from
 * the kernel's socket diagnostics (NETLINK_SOCK_DIAG, listening sockets
 * only), both once a second; nft runs only when a list changed.
 *
 * Why by uid at output: that is the one place where every process of an
 * account is seen, whoever started it (the hub, sshd, cron, a setsid
 * child), and the socket's owner is known (meta skuid). A listener's owner
 * is not known to the rules on the receiving side, hence the list of
 * listeners kept from the kernel's sockets.
 */
#include <sys/socket.h>
#include <sys/stat.h>

#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>

#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>
#include <uv.h>

#include "accounts.h"
#include "config.h"
#include "db.h"
#include "firewall.h"
#include "hub.h"
#include "lib/log.h"
#include "lib/util.h"
#include "lib/banned.h"

#define TCP_LISTEN_STATE 10 /* TCP_LISTEN in the kernel's tcp_states.h */
#define DIAG_BUF 32768
#define RIG_GECOS "rig user " /* accounts.c's comment on its accounts */

/*
 * The cloud metadata services a kernel could take the machine's identity
 * from: IMDS (Azure, AWS, GCP), Azure's WireServer, and IMDS over IPv6 on
 * AWS. Whole addresses, every port: IMDS is port 80, the WireServer 80
 * and 32526.
 */
static const char *const metadata4[] = { "169.254.169.254", "168.63.129.16" };
static const char *const metadata6[] = { "fd00:ec2::254" };

/* The hub's firewall: what is loaded, and what to compare with. */
static struct {
	int                   active;
	struct hub           *hub;
	char                 *status_path; /* STATE/firewall.json */
	struct firewall_rules loaded;
	struct stat           passwd; /* /etc/passwd when last read */
	uint32_t             *uids; /* accounts as last read, sorted */
	size_t                nuids;
	uv_fs_event_t         etc; /* a new /etc/passwd at once */
	int                   watching; /* 'etc' started */
} F;

static int    cmp_u32(const void *, const void *);
static int    cmp_u16(const void *, const void *);
static int    cmp_listener(const void *, const void *);
static int    full(size_t);
static size_t grown(size_t);
static size_t sort_unique(void *, size_t, size_t,
    int (*)(const void *, const void *));
static void   word_num(struct buf *, unsigned long);
static void   word_pair(struct buf *, unsigned long, unsigned long);
static void   add_elements(struct buf *, const char *, const char *, size_t);
static void   nft_exit_cb(uv_process_t *, int64_t, int);
static int    nft_run(const char *, size_t);
static int is_rig_account(const struct passwd *, const char *, struct db_user *,
    size_t);
static int read_accounts(struct hub *);
static int passwd_changed(void);
static int read_listeners(struct firewall_rules *);
static int diag_dump(int, int, struct firewall_rules *);
static int has_uid(const struct firewall_rules *, uint32_t);
static void collect(struct hub *, struct firewall_rules *);
static int  load(const struct firewall_rules *);
static void write_status(void);
static void etc_cb(uv_fs_event_t *, const char *, int, int);
static void watch_etc(struct hub *);

void
firewall_rules_init(struct firewall_rules *r)
{
	memset(r, 0, sizeof(*r));
}

void
firewall_rules_release(struct firewall_rules *r)
{
	free(r->uids);
	free(r->internal);
	free(r->listeners);
	firewall_rules_init(r);
}

/* The arrays hold 8, then double when full: their length 'n' says when
 * (0, or a power of two from 8 on) and to what size. */
static int
full(size_t n)
{
	return n == 0 || (n >= 8 && (n & (n - 1)) == 0);
}

static size_t
grown(size_t n)
{
	return n == 0 ? 8 : n * 2;
}

void
firewall_rules_add_uid(struct firewall_rules *r, uint32_t uid)
{
	if (full(r->nuids))
		r->uids = xrealloc(r->uids, grown(r->nuids) * sizeof(*r->uids));
	r->uids[r->nuids++] = uid;
}

void
firewall_rules_add_internal(struct firewall_rules *r, uint16_t port)
{
	if (full(r->ninternal))
		r->internal = xrealloc(r->internal,
		    grown(r->ninternal) * sizeof(*r->internal));
	r->internal[r->ninternal++] = port;
}

void
firewall_rules_add_listener(struct firewall_rules *r, uint32_t uid,
    uint16_t port)
{
	if (full(r->nlisteners))
		r->listeners = xrealloc(r->listeners,
		    grown(r->nlisteners) * sizeof(*r->listeners));
	memset(&r->listeners[r->nlisteners], 0, sizeof(*r->listeners));
	r->listeners[r->nlisteners].uid = uid;
	r->listeners[r->nlisteners].port = port;
	r->nlisteners++;
}

static int
cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

static int
cmp_u16(const void *a, const void *b)
{
	uint16_t x = *(const uint16_t *)a, y = *(const uint16_t *)b;

	return x < y ? -1 : x > y;
}

static int
cmp_listener(const void *a, const void *b)
{
	const struct firewall_listener *x = a, *y = b;

	if (x->uid != y->uid)
		return x->uid < y->uid ? -1 : 1;
	return x->port < y->port ? -1 : x->port > y->port;
}

/* Sorts 'n' elements of 'size' bytes and drops equal neighbours. */
static size_t
sort_unique(void *base, size_t n, size_t size,
    int (*cmp)(const void *, const void *))
{
	char  *p = base;
	size_t out = 0;

	if (n == 0)
		return 0;
	qsort(base, n, size, cmp);
	for (size_t i = 1; i < n; i++)
		if (cmp(p + out * size, p + i * size) != 0) {
			out++;
			memmove(p + out * size, p + i * size, size);
		}
	return out + 1;
}

void
firewall_rules_normalize(struct firewall_rules *r)
{
	r->nuids = sort_unique(r->uids, r->nuids, sizeof(*r->uids), cmp_u32);
	r->ninternal = sort_unique(r->internal, r->ninternal,
	    sizeof(*r->internal), cmp_u16);
	r->nlisteners = sort_unique(r->listeners, r->nlisteners,
	    sizeof(*r->listeners), cmp_listener);
}

int
firewall_rules_equal(const struct firewall_rules *a,
    const struct firewall_rules                  *b)
{
	if (a->nuids != b->nuids || a->ninternal != b->ninternal ||
	    a->nlisteners != b->nlisteners)
		return 0;
	return (a->nuids == 0 ||
	           memcmp(a->uids, b->uids, a->nuids * sizeof(*a->uids)) ==
	               0) &&
	    (a->ninternal == 0 ||
	        memcmp(a->internal, b->internal,
	            a->ninternal * sizeof(*a->internal)) == 0) &&
	    (a->nlisteners == 0 ||
	        memcmp(a->listeners, b->listeners,
	            a->nlisteners * sizeof(*a->listeners)) == 0);
}

/* "elements = { a, b }" of a set, from 'n' words already formatted in
 * 'words' (NUL-separated); nothing when the set is empty, which nft's
 * syntax does not allow. */
static void
add_elements(struct buf *out, const char *typeof_, const char *words, size_t n)
{
	buf_addf(out, "\t\ttypeof %s\n", typeof_);
	if (n == 0)
		return;
	buf_adds(out, "\t\telements = { ");
	for (size_t i = 0; i < n; i++) {
		buf_addf(out, "%s%s", i > 0 ? ", " : "", words);
		words += strlen(words) + 1;
	}
	buf_adds(out, " }\n");
}

/* Adds a number, or a pair "a . b", to 'w' as a NUL-terminated word. */
static void
word_num(struct buf *w, unsigned long a)
{
	buf_addf(w, "%lu", a);
	buf_add(w, "", 1);
}

static void
word_pair(struct buf *w, unsigned long a, unsigned long b)
{
	buf_addf(w, "%lu . %lu", a, b);
	buf_add(w, "", 1);
}

int
firewall_ruleset(const struct firewall_rules *in, struct buf *out)
{
	struct firewall_rules r;
	struct buf            w;
	uint16_t             *ports;
	size_t                n;

	/* Normalized on a copy: the caller's lists stay as they are. */
	firewall_rules_init(&r);
	for (size_t i = 0; i < in->nuids; i++)
		firewall_rules_add_uid(&r, in->uids[i]);
	for (size_t i = 0; i < in->ninternal; i++)
		firewall_rules_add_internal(&r, in->internal[i]);
	for (size_t i = 0; i < in->nlisteners; i++)
		firewall_rules_add_listener(&r, in->listeners[i].uid,
		    in->listeners[i].port);
	firewall_rules_normalize(&r);
	buf_init(&w, FIREWALL_MAX_RULESET);

	/* Creating the table first makes the delete succeed when there is
	 * none; all three statements are one transaction. */
	buf_adds(out,
	    "table inet " FIREWALL_TABLE "\n"
	    "delete table inet " FIREWALL_TABLE "\n"
	    "table inet " FIREWALL_TABLE " {\n");

	buf_adds(out, "\tset users {\n");
	for (size_t i = 0; i < r.nuids; i++)
		word_num(&w, r.uids[i]);
	add_elements(out, "meta skuid", buf_str(&w), r.nuids);
	buf_adds(out, "\t}\n");

	buf_reset(&w);
	buf_adds(out, "\tset metadata4 {\n");
	for (size_t i = 0; i < sizeof(metadata4) / sizeof(*metadata4); i++) {
		buf_adds(&w, metadata4[i]);
		buf_add(&w, "", 1);
	}
	add_elements(out, "ip daddr", buf_str(&w),
	    sizeof(metadata4) / sizeof(*metadata4));
	buf_adds(out, "\t}\n");

	buf_reset(&w);
	buf_adds(out, "\tset metadata6 {\n");
	for (size_t i = 0; i < sizeof(metadata6) / sizeof(*metadata6); i++) {
		buf_adds(&w, metadata6[i]);
		buf_add(&w, "", 1);
	}
	add_elements(out, "ip6 daddr", buf_str(&w),
	    sizeof(metadata6) / sizeof(*metadata6));
	buf_adds(out, "\t}\n");

	buf_reset(&w);
	buf_adds(out, "\tset internal {\n");
	for (size_t i = 0; i < r.ninternal; i++)
		word_num(&w, r.internal[i]);
	add_elements(out, "tcp dport", buf_str(&w), r.ninternal);
	buf_adds(out, "\t}\n");

	/* The ports rig accounts listen on, and which account each is. */
	buf_reset(&w);
	buf_adds(out, "\tset listen_ports {\n");
	ports = xcalloc(r.nlisteners + 1, sizeof(*ports));
	for (size_t i = 0; i < r.nlisteners; i++)
		ports[i] = r.listeners[i].port;
	/* Two accounts can listen on one port (on two addresses). */
	n = sort_unique(ports, r.nlisteners, sizeof(*ports), cmp_u16);
	for (size_t i = 0; i < n; i++)
		word_num(&w, ports[i]);
	free(ports);
	add_elements(out, "tcp dport", buf_str(&w), n);
	buf_adds(out, "\t}\n");

	buf_reset(&w);
	buf_adds(out, "\tset owned {\n");
	for (size_t i = 0; i < r.nlisteners; i++)
		word_pair(&w, r.listeners[i].uid, r.listeners[i].port);
	add_elements(out, "meta skuid . tcp dport", buf_str(&w), r.nlisteners);
	buf_adds(out, "\t}\n");

	/*
	 * Only packets of a rig account's socket go on to the checks: anyone
	 * else's pass at once, and so do packets of no socket at all (a
	 * reset the kernel sends for a refused connection: "meta skuid !=
	 * @users accept" would not match those, and then a reset from a
	 * metadata address, in a test where it is local, would be refused
	 * in turn). TCP gets a reset, so the caller sees "connection
	 * refused" at once rather than a timeout; anything else an ICMP
	 * "administratively prohibited". Local destinations go out through
	 * lo whatever their address: "fib daddr type local" is the machine
	 * itself on any of its addresses.
	 */
	buf_adds(out,
	    "\tchain output {\n"
	    "\t\ttype filter hook output priority filter; policy accept;\n"
	    "\t\tmeta skuid @users jump user\n"
	    "\t}\n"
	    "\tchain user {\n"
	    "\t\tip daddr @metadata4 meta l4proto tcp reject with tcp reset\n"
	    "\t\tip daddr @metadata4 reject with icmpx admin-prohibited\n"
	    "\t\tip6 daddr @metadata6 meta l4proto tcp "
	    "reject with tcp reset\n"
	    "\t\tip6 daddr @metadata6 reject with icmpx admin-prohibited\n"
	    "\t\tfib daddr type local tcp dport @internal "
	    "reject with tcp reset\n"
	    "\t\tfib daddr type local tcp dport @listen_ports "
	    "meta skuid . tcp dport != @owned reject with tcp reset\n"
	    "\t}\n"
	    "}\n");
	buf_release(&w);
	firewall_rules_release(&r);
	/* buf_add*() stop at the maximum: a full buffer is a cut script. */
	return out->len >= out->max ? -1 : 0;
}

const char *
firewall_teardown(void)
{
	return "table inet " FIREWALL_TABLE "\n"
	       "delete table inet " FIREWALL_TABLE "\n";
}

/* nft's exit status, into the int the handle's data points at. */
static void
nft_exit_cb(uv_process_t *p, int64_t status, int sig)
{
	int *rc = p->data;

	*rc = sig != 0 ? 128 + sig : (int)status;
	uv_close((uv_handle_t *)p, NULL);
}

/*
 * Runs 'nft -f -' with 'text' on its standard input, on a private loop,
 * and waits for it: a few milliseconds, and only when a list changed.
 * Its messages go to the hub's stderr. 0 if nft exited 0.
 */
static int
nft_run(const char *text, size_t len)
{
	uv_loop_t            loop;
	uv_process_t         proc;
	uv_process_options_t o;
	uv_stdio_container_t stdio[3];
	const char          *nft = getenv("RIG_NFT");
	char                *args[4];
	int                  fds[2], r, rc = -1;
	ssize_t              n;

	if (nft == NULL || *nft == '\0')
		nft = FIREWALL_NFT;
	args[0] = (char *)nft;
	args[1] = (char *)"-f";
	args[2] = (char *)"-";
	args[3] = NULL;
	if (pipe2(fds, O_CLOEXEC) == -1)
		return error("cannot make a pipe for nft: %s", strerror(errno));
	/* nft dying early must be an exit status here, not a signal to the
	 * hub, which ignores SIGPIPE in any case. */
	signal(SIGPIPE, SIG_IGN);
	memset(&o, 0, sizeof(o));
	memset(stdio, 0, sizeof(stdio));
	stdio[0].flags = UV_INHERIT_FD;
	stdio[0].data.fd = fds[0];
	stdio[1].flags = UV_IGNORE;
	stdio[2].flags = UV_INHERIT_FD;
	stdio[2].data.fd = 2;
	o.file = args[0];
	o.args = args;
	o.exit_cb = nft_exit_cb;
	o.stdio = stdio;
	o.stdio_count = 3;
	uv_loop_init(&loop);
	proc.data = &rc;
	r = uv_spawn(&loop, &proc, &o);
	close(fds[0]);
	if (r != 0) {
		close(fds[1]);
		uv_close((uv_handle_t *)&proc, NULL);
		uv_run(&loop, UV_RUN_DEFAULT);
		uv_loop_close(&loop);
		return error("cannot run %s: %s", nft, uv_strerror(r));
	}
	/* A blocking write: nft reads all of its input before it acts. */
	while (len > 0) {
		n = write(fds[1], text, len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		text += n;
		len -= (size_t)n;
	}
	close(fds[1]);
	uv_run(&loop, UV_RUN_DEFAULT);
	uv_loop_close(&loop);
	if (rc != 0)
		return error("%s -f - exited with status %d", nft, rc);
	return 0;
}

/*
 * Whether account 'pw' belongs to rig: the prefix, not a system account,
 * and either made by rig (accounts.c's comment) or named after a user in
 * the hub's database (an account an administrator made beforehand).
 */
static int
is_rig_account(const struct passwd *pw, const char *prefix,
    struct db_user *users, size_t n)
{
	size_t plen = strlen(prefix);

	if (pw->pw_uid < ACCOUNT_MIN_UID ||
	    strncmp(pw->pw_name, prefix, plen) != 0)
		return 0;
	if (pw->pw_gecos != NULL &&
	    strncmp(pw->pw_gecos, RIG_GECOS, strlen(RIG_GECOS)) == 0)
		return 1;
	for (size_t i = 0; i < n; i++)
		if (strcmp(pw->pw_name + plen, users[i].name) == 0)
			return 1;
	return 0;
}

/* Re-reads the rig accounts into F.uids. -1 if the database fails. */
static int
read_accounts(struct hub *hub)
{
	struct firewall_rules r;
	struct db_user       *users = NULL;
	struct passwd        *pw;
	size_t                n = 0;

	if (db_user_list(hub->db, &users, &n) == -1)
		return -1;
	firewall_rules_init(&r);
	setpwent();
	while ((pw = getpwent()) != NULL)
		if (is_rig_account(pw, hub->cfg->user_prefix, users, n))
			firewall_rules_add_uid(&r, pw->pw_uid);
	endpwent();
	db_users_free(users, n);
	firewall_rules_normalize(&r);
	free(F.uids);
	F.uids = r.uids; /* taken over from 'r' */
	F.nuids = r.nuids;
	return 0;
}

/* 1 if /etc/passwd is another file, or changed, since the last call.
 * useradd and userdel replace it by a rename, so the inode tells. */
static int
passwd_changed(void)
{
	struct stat sb;
	int         changed;

	if (stat("/etc/passwd", &sb) == -1)
		return 1;
	changed = sb.st_ino != F.passwd.st_ino ||
	    sb.st_dev != F.passwd.st_dev || sb.st_size != F.passwd.st_size ||
	    sb.st_mtim.tv_sec != F.passwd.st_mtim.tv_sec ||
	    sb.st_mtim.tv_nsec != F.passwd.st_mtim.tv_nsec;
	F.passwd = sb;
	return changed;
}

static int
has_uid(const struct firewall_rules *r, uint32_t uid)
{
	return r->nuids > 0 &&
	    bsearch(&uid, r->uids, r->nuids, sizeof(*r->uids), cmp_u32) != NULL;
}

/* One family's listening TCP sockets of rig accounts ('r''s uids, sorted)
 * into r's listeners. */
static int
diag_dump(int fd, int family, struct firewall_rules *r)
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
		for (; NLMSG_OK(h, len); h = NLMSG_NEXT(h, len)) {
			struct inet_diag_msg *m;

			if (h->nlmsg_type == NLMSG_DONE) {
				ret = 0;
				goto out;
			}
			if (h->nlmsg_type == NLMSG_ERROR ||
			    h->nlmsg_len < NLMSG_LENGTH(sizeof(*m)))
				goto out;
			m = NLMSG_DATA(h);
			if (has_uid(r, m->idiag_uid))
				firewall_rules_add_listener(r, m->idiag_uid,
				    ntohs(m->id.idiag_sport));
		}
	}
out:
	free(buf);
	return ret;
}

/* The TCP listeners of rig accounts, IPv4 and IPv6, from the kernel. */
static int
read_listeners(struct firewall_rules *r)
{
	int fd, ret;

	fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
	if (fd == -1)
		return -1;
	ret = diag_dump(fd, AF_INET, r) == 0 && diag_dump(fd, AF_INET6, r) == 0
	    ? 0
	    : -1;
	close(fd);
	return ret;
}

/* The rules as they should be now: F.uids (read_accounts()), the ports of
 * [service] back ends, the listeners. */
static void
collect(struct hub *hub, struct firewall_rules *r)
{
	firewall_rules_init(r);
	for (size_t i = 0; i < F.nuids; i++)
		firewall_rules_add_uid(r, F.uids[i]);
	/* A service is reached through the hub, which adds what the user may
	 * not: its port on any local address is off limits. */
	for (const struct service *s = hub->cfg->services; s != NULL;
	     s = s->next)
		firewall_rules_add_internal(r, (uint16_t)s->port);
	if (read_listeners(r) == -1)
		log_warn("firewall: cannot list listening sockets");
	firewall_rules_normalize(r);
}

/* Replaces the table with 'r'. */
static int
load(const struct firewall_rules *r)
{
	struct buf text;
	int        ret;

	buf_init(&text, FIREWALL_MAX_RULESET);
	ret = firewall_ruleset(r, &text);
	if (ret == -1)
		error("firewall: the rules pass %d bytes",
		    FIREWALL_MAX_RULESET);
	else
		ret = nft_run(buf_str(&text), text.len);
	buf_release(&text);
	return ret;
}

/* A file in /etc changed: if it is the password file, an account was
 * made or removed, and the table follows now rather than at the tick. */
static void
etc_cb(uv_fs_event_t *h, const char *filename, int events, int status)
{
	(void)h;
	(void)events;
	if (status == 0 && filename != NULL && strcmp(filename, "passwd") == 0)
		firewall_tick(F.hub);
}

/*
 * useradd renames the new /etc/passwd into place before it makes the home,
 * and the hub starts a new account's server only once useradd has exited:
 * seen from here, the account is in the table before its first process
 * runs, not up to a tick later. The handle is unreferenced, so it never
 * keeps the loop running; the hub's last walk over its handles closes it.
 * Without inotify the tick still does the work.
 */
static void
watch_etc(struct hub *hub)
{
	int r;

	if (uv_fs_event_init(hub->loop, &F.etc) != 0)
		return;
	uv_unref((uv_handle_t *)&F.etc);
	F.watching = 1;
	r = uv_fs_event_start(&F.etc, etc_cb, "/etc", 0);
	if (r != 0) {
		log_warnx("firewall: cannot watch /etc: %s; accounts are "
		          "seen once a second",
		    uv_strerror(r));
		uv_close((uv_handle_t *)&F.etc, NULL);
	}
}

/* For 'rig service status' (and so rig status) on the machine. */
static void
write_status(void)
{
	json_t *st = json_object();
	char   *text;

	json_object_set_new(st, "active", json_boolean(F.active));
	json_object_set_new(st, "table", json_string("inet " FIREWALL_TABLE));
	json_object_set_new(st, "accounts",
	    json_integer((json_int_t)F.loaded.nuids));
	json_object_set_new(st, "listeners",
	    json_integer((json_int_t)F.loaded.nlisteners));
	text = json_dumps(st, JSON_COMPACT);
	if (text != NULL)
		write_file_atomic(F.status_path, text, strlen(text), 0644);
	free(text);
	json_decref(st);
}

int
firewall_start(struct hub *hub)
{
	struct firewall_rules r;

	free(F.status_path);
	F.status_path = xasprintf("%s/%s", hub->cfg->state_dir, FIREWALL_FILE);
	if (!hub->cfg->user_firewall) {
		unlink(F.status_path);
		return 0;
	}
	if (!hub->is_root)
		return error("user_firewall = yes needs rig hub to run as "
		             "root (it loads nftables rules)");
	F.hub = hub;
	passwd_changed();
	if (read_accounts(hub) == -1)
		return error("firewall: cannot read the hub's users");
	collect(hub, &r);
	if (load(&r) == -1) {
		firewall_rules_release(&r);
		return error("firewall: nft refused the rules; "
		             "user_firewall = yes needs nftables");
	}
	F.loaded = r;
	F.active = 1;
	write_status();
	watch_etc(hub);
	log_info("firewall: table inet %s loaded: %zu accounts, %zu "
	         "listeners",
	    FIREWALL_TABLE, F.loaded.nuids, F.loaded.nlisteners);
	return 0;
}

void
firewall_tick(struct hub *hub)
{
	struct firewall_rules r;

	if (!F.active)
		return;
	if (passwd_changed() && read_accounts(hub) == -1)
		log_warnx("firewall: cannot read the hub's users");
	collect(hub, &r);
	if (firewall_rules_equal(&r, &F.loaded)) {
		firewall_rules_release(&r);
		return;
	}
	/* A failed load leaves the old table in place (one transaction):
	 * try again at the next tick. */
	if (load(&r) == -1) {
		log_warnx("firewall: cannot update the rules");
		firewall_rules_release(&r);
		return;
	}
	log_debug("%s: %zu accounts, %zu listeners", __func__, r.nuids,
	    r.nlisteners);
	firewall_rules_release(&F.loaded);
	F.loaded = r;
	write_status();
}

void
firewall_stop(void)
{
	const char *t = firewall_teardown();

	/* Closed already by the hub's walk, unless it stops before its
	 * loop ran (it could not listen): then here. */
	if (F.watching && !uv_is_closing((uv_handle_t *)&F.etc)) {
		uv_close((uv_handle_t *)&F.etc, NULL);
		uv_run(F.hub->loop, UV_RUN_NOWAIT);
	}
	if (F.active) {
		if (nft_run(t, strlen(t)) == 0)
			log_info("firewall: table inet %s removed",
			    FIREWALL_TABLE);
		F.active = 0;
	}
	if (F.status_path != NULL)
		unlink(F.status_path);
	free(F.status_path);
	free(F.uids);
	firewall_rules_release(&F.loaded);
	memset(&F, 0, sizeof(F));
}

int
firewall_active(void)
{
	return F.active;
}
