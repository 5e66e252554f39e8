/* SPDX-License-Identifier: MIT */
/*
 * The user firewall's rules (firewall-rules.h): the three lists (rig
 * accounts' uids, back ends' local ports, rig accounts' TCP listeners), the
 * whole table as nft script text built from them, and nft run on it as a
 * child with an argv array. The script deletes and re-creates the table in
 * one transaction, so the rules are never half loaded. Pure but for
 * nft_run(): the hub (firewall.c) gathers the lists, the privileged helper
 * (priv-helper.c) or a root hub loads them.
 */
#include <sys/wait.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <uv.h>

#include "firewall-rules.h"
#include "lib/log.h"
#include "lib/util.h"
#include "lib/banned.h"

/*
 * The cloud metadata services a kernel could take the machine's identity
 * from: IMDS (Azure, AWS, GCP), Azure's WireServer, and IMDS over IPv6 on
 * AWS. Whole addresses, every port: IMDS is port 80, the WireServer 80
 * and 32526.
 */
static const char *const metadata4[] = { "169.254.169.254", "168.63.129.16" };
static const char *const metadata6[] = { "fd00:ec2::254" };

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

int
firewall_nft_load(const struct firewall_rules *r)
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

int
firewall_nft_unload(void)
{
	const char *t = firewall_teardown();

	return nft_run(t, strlen(t));
}

int
firewall_rules_has_uid(const struct firewall_rules *r, uint32_t uid)
{
	return r->nuids > 0 &&
	    bsearch(&uid, r->uids, r->nuids, sizeof(*r->uids), cmp_u32) != NULL;
}
