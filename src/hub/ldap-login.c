/* SPDX-License-Identifier: MIT */
/*
 * One 'rig ldap-auth' per login (ldap-login.h): three pipes' worth of
 * handles (stdin written and closed, stdout read to EOF, the process),
 * a deadline timer, and a job freed once every handle is closed.
 */
#include <sys/queue.h>

#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <uv.h>

#include "config.h"
#include "hub.h"
#include "ldap-login.h"
#include "lib/buf.h"
#include "lib/log.h"
#include "lib/util.h"
#include "lib/banned.h"

#define OUT_MAX 8192 /* what rig ldap-auth prints is far less */
#define ENV_MAX 256 /* the hub's variables passed on, at most */

extern char **environ;

struct job {
	TAILQ_ENTRY(job) entry; /* in 'running' until it exited */
	uv_process_t proc;
	uv_pipe_t    in, out;
	uv_timer_t   timer;
	uv_write_t   wr;
	char        *secrets; /* password\0[bind password], wiped */
	size_t       nsecrets;
	struct buf   output;
	int          open; /* handles not yet closed */
	int          exited, eof, timed_out, overflow;
	int          answered; /* cb called */
	int64_t      status;
	ldaplogin_cb cb;
	void        *arg;
};

static int inflight;
static TAILQ_HEAD(, job) running = TAILQ_HEAD_INITIALIZER(running);

static void close_cb(uv_handle_t *);
static void finish(struct job *);
static void exit_cb(uv_process_t *, int64_t, int);
static void alloc_cb(uv_handle_t *, size_t, uv_buf_t *);
static void read_cb(uv_stream_t *, ssize_t, const uv_buf_t *);
static void write_cb(uv_write_t *, int);
static void timer_cb(uv_timer_t *);
static void argv_add(char **, int *, const char *, const char *);

static void
close_cb(uv_handle_t *h)
{
	struct job *j = h->data;

	if (--j->open > 0)
		return;
	/* Closed without an answer: the hub is stopping (its last walk
	 * closes every handle). The login still ends, as a failure. */
	if (!j->answered)
		j->cb(j->arg, AUTHLDAP_ERROR, NULL);
	if (j->secrets != NULL) {
		explicit_bzero(j->secrets, j->nsecrets);
		free(j->secrets);
	}
	buf_release(&j->output);
	free(j);
	inflight--;
}

/* Once the child has exited and its output ended: the answer. */
static void
finish(struct job *j)
{
	struct authldap_account a;
	int                     st = AUTHLDAP_ERROR;

	if (!j->exited || !j->eof)
		return;
	memset(&a, 0, sizeof(a));
	if (j->timed_out)
		log_warnx("ldap: rig ldap-auth took longer than %d s: killed",
		    LDAPLOGIN_TIMEOUT_MS / 1000);
	else if (j->overflow)
		log_warnx("ldap: rig ldap-auth said more than %d bytes",
		    OUT_MAX);
	else if (j->status == AUTHLDAP_OK) {
		if (ldaplogin_parse(
		        j->output.data != NULL ? j->output.data : "", &a) == 0)
			st = AUTHLDAP_OK;
		else
			log_warnx("ldap: rig ldap-auth's answer is not what "
			          "the hub reads");
	} else if (j->status >= AUTHLDAP_AUTH && j->status <= AUTHLDAP_ERROR)
		st = (int)j->status;
	else
		log_warnx("ldap: rig ldap-auth ended with status %lld",
		    (long long)j->status);
	j->answered = 1;
	j->cb(j->arg, st, &a);
	uv_close((uv_handle_t *)&j->timer, close_cb);
	uv_close((uv_handle_t *)&j->proc, close_cb);
	if (!uv_is_closing((uv_handle_t *)&j->out))
		uv_close((uv_handle_t *)&j->out, close_cb);
}

static void
exit_cb(uv_process_t *p, int64_t status, int sig)
{
	struct job *j = p->data;

	j->exited = 1;
	TAILQ_REMOVE(&running, j, entry);
	j->status = sig != 0 ? 128 + sig : status;
	uv_timer_stop(&j->timer);
	finish(j);
}

static void
alloc_cb(uv_handle_t *h, size_t suggested, uv_buf_t *b)
{
	static char chunk[1024];

	(void)h, (void)suggested;
	b->base = chunk;
	b->len = sizeof(chunk);
}

static void
read_cb(uv_stream_t *s, ssize_t n, const uv_buf_t *b)
{
	struct job *j = s->data;

	if (n > 0 && buf_add(&j->output, b->base, (size_t)n) == 0)
		return;
	if (n == 0)
		return;
	/* EOF, an error, or more than OUT_MAX: the output is over. */
	if (n > 0)
		j->overflow = 1;
	uv_read_stop(s);
	uv_close((uv_handle_t *)s, close_cb);
	j->eof = 1;
	finish(j);
}

static void
write_cb(uv_write_t *w, int status)
{
	struct job *j = w->data;

	(void)status; /* a child that died early: its status says so */
	explicit_bzero(j->secrets, j->nsecrets);
	uv_close((uv_handle_t *)&j->in, close_cb);
}

static void
timer_cb(uv_timer_t *t)
{
	struct job *j = t->data;

	j->timed_out = 1;
	uv_process_kill(&j->proc, SIGKILL);
}

/* "--NAME VALUE" when the value is set. */
static void
argv_add(char **argv, int *n, const char *name, const char *value)
{
	if (value == NULL || *value == '\0')
		return;
	argv[(*n)++] = (char *)name;
	argv[(*n)++] = (char *)value;
}

int
ldaplogin_start(struct hub *hub, const char *user, const char *password,
    ldaplogin_cb cb, void *arg)
{
	const struct config    *cfg = hub->cfg;
	const struct ldap_conf *l = &cfg->ldap;
	uv_process_options_t    o;
	uv_stdio_container_t    stdio[3];
	struct job             *j;
	char                    exe[PATH_MAX], *argv[24], *env[ENV_MAX + 2];
	size_t                  len = sizeof(exe), pl = strlen(password);
	uv_buf_t                wb;
	int                     n = 0, r;

	if (inflight >= LDAPLOGIN_MAX)
		return UV_EAGAIN;
	r = uv_exepath(exe, &len);
	if (r != 0)
		return r;
	argv[n++] = exe;
	argv[n++] = (char *)"ldap-auth";
	argv_add(argv, &n, "--ca-file", l->ca_file);
	if (l->allow_plaintext)
		argv[n++] = (char *)"--plaintext";
	argv_add(argv, &n, "--bind-dn-template", l->bind_dn_template);
	argv_add(argv, &n, "--search-base", l->search_base);
	argv_add(argv, &n, "--bind-dn", l->bind_dn);
	argv_add(argv, &n, "--user-attribute", l->user_attribute);
	argv_add(argv, &n, "--allowed-groups", cfg->allowed_groups);
	argv_add(argv, &n, "--admin-groups", config_admin_groups(cfg));
	argv[n++] = (char *)"--";
	argv[n++] = l->url;
	argv[n++] = (char *)user;
	argv[n] = NULL;
	/* The hub's environment, and libldap told to read no settings file
	 * (/etc/ldap/ldap.conf, ~/.ldaprc): the hub's keys are the only
	 * ones. No secret is ever in either. */
	n = 0;
	for (char **e = environ; *e != NULL && n < ENV_MAX; e++)
		if (strncmp(*e, "LDAP", 4) != 0)
			env[n++] = *e;
	env[n++] = (char *)"LDAPNOINIT=1";
	env[n] = NULL;

	j = xcalloc(1, sizeof(*j));
	j->cb = cb;
	j->arg = arg;
	buf_init(&j->output, OUT_MAX);
	j->nsecrets =
	    pl + 1 + (l->bind_password != NULL ? strlen(l->bind_password) : 0);
	j->secrets = xmalloc(j->nsecrets + 1);
	memcpy(j->secrets, password, pl + 1);
	if (l->bind_password != NULL)
		memcpy(j->secrets + pl + 1, l->bind_password,
		    strlen(l->bind_password) + 1);
	/* Without a service bind only the password goes, with no NUL. */
	if (l->bind_password == NULL)
		j->nsecrets = pl;
	uv_pipe_init(hub->loop, &j->in, 0);
	uv_pipe_init(hub->loop, &j->out, 0);
	uv_timer_init(hub->loop, &j->timer);
	j->in.data = j->out.data = j->timer.data = j->proc.data = j->wr.data =
	    j;
	j->open = 4;
	inflight++;
	memset(&o, 0, sizeof(o));
	memset(stdio, 0, sizeof(stdio));
	stdio[0].flags = UV_CREATE_PIPE | UV_READABLE_PIPE;
	stdio[0].data.stream = (uv_stream_t *)&j->in;
	stdio[1].flags = UV_CREATE_PIPE | UV_WRITABLE_PIPE;
	stdio[1].data.stream = (uv_stream_t *)&j->out;
	stdio[2].flags = UV_INHERIT_FD;
	stdio[2].data.fd = 2;
	o.file = exe;
	o.args = argv;
	o.env = env;
	o.exit_cb = exit_cb;
	o.stdio = stdio;
	o.stdio_count = 3;
	r = uv_spawn(hub->loop, &j->proc, &o);
	if (r != 0) {
		log_warnx("ldap: cannot start rig ldap-auth: %s",
		    uv_strerror(r));
		j->answered = 1; /* the caller hears of it from r */
		/* The handles close; the job goes with the last. */
		uv_close((uv_handle_t *)&j->in, close_cb);
		uv_close((uv_handle_t *)&j->out, close_cb);
		uv_close((uv_handle_t *)&j->timer, close_cb);
		uv_close((uv_handle_t *)&j->proc, close_cb);
		return r;
	}
	TAILQ_INSERT_TAIL(&running, j, entry);
	uv_timer_start(&j->timer, timer_cb, LDAPLOGIN_TIMEOUT_MS, 0);
	uv_read_start((uv_stream_t *)&j->out, alloc_cb, read_cb);
	wb = uv_buf_init(j->secrets, (unsigned)j->nsecrets);
	r = uv_write(&j->wr, (uv_stream_t *)&j->in, &wb, 1, write_cb);
	if (r != 0) /* the child reads no password and says so */
		uv_close((uv_handle_t *)&j->in, close_cb);
	return 0;
}

void
ldaplogin_stop(void)
{
	struct job *j;

	TAILQ_FOREACH(j, &running, entry)
		uv_process_kill(&j->proc, SIGKILL);
}

int
ldaplogin_parse(const char *out, struct authldap_account *a)
{
	static const char *const keys[] = { "dn", "uid", "gid", "home", "shell",
		"allowed", "admin" };
	unsigned                 seen = 0;
	long long                v;

	memset(a, 0, sizeof(*a));
	while (*out != '\0') {
		const char *nl = strchr(out, '\n'), *sp;
		size_t      n, k;
		char        val[1024];
		int         i = -1;

		if (nl == NULL)
			return -1;
		sp = memchr(out, ' ', (size_t)(nl - out));
		if (sp == NULL)
			return -1;
		k = (size_t)(sp - out);
		n = (size_t)(nl - sp - 1);
		if (n >= sizeof(val))
			return -1;
		memcpy(val, sp + 1, n);
		val[n] = '\0';
		for (int t = 0; t < (int)nitems(keys); t++)
			if (strlen(keys[t]) == k &&
			    memcmp(keys[t], out, k) == 0)
				i = t;
		if (i == -1 || (seen & (1u << i)))
			return -1;
		seen |= 1u << i;
		switch (i) {
		case 0:
			snprintf(a->dn, sizeof(a->dn), "%s", val);
			break;
		case 1:
		case 2:
			if (parse_int(val, 0, 0x7fffffff, &v) == -1)
				return -1;
			*(i == 1 ? &a->uid : &a->gid) = v;
			break;
		case 3:
		case 4:
			if (n >= sizeof(a->home))
				return -1;
			memcpy(i == 3 ? a->home : a->shell, val, n + 1);
			break;
		case 5:
		case 6:
			if (parse_int(val, i == 6 ? -1 : 0, 1, &v) == -1)
				return -1;
			*(i == 5 ? &a->allowed : &a->admin) = (int)v;
			break;
		}
		out = nl + 1;
	}
	return seen == (1u << nitems(keys)) - 1 ? 0 : -1;
}
