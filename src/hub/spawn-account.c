/* SPDX-License-Identifier: MIT */
/*
 * A server's Unix account before its start (spawn-account.h): looked up,
 * refused if it is a system account, made through the privileged helper's
 * queue when the hub owns its accounts.
 */
#include <pwd.h>
#include <stdint.h>
#include <stdlib.h>

#include <uv.h>

#include "accounts.h"
#include "config.h"
#include "hub.h"
#include "lib/util.h"
#include "priv.h"
#include "progress.h"
#include "server.h"
#include "services.h"
#include "spawn-account.h"

/* What comes after useradd. */
struct then {
	struct server *s;
	void (*fn)(struct server *);
};

static void useradd_cb(void *, int64_t, int);

int
spawn_own_accounts(const struct hub *hub)
{
	return hub->cfg->authenticator == AUTH_LOCAL;
}

void
spawn_account_then(struct server *s, void (*fn)(struct server *))
{
	char           acct[ACCOUNT_NAME_MAX + 1];
	struct passwd *pw;
	struct then   *t;
	int            r;

	if (account_name(s->hub->cfg->user_prefix, s->name, acct,
	        sizeof(acct)) == -1) {
		server_spawn_failed(s,
		    "'%s%s' is not a valid Unix account name",
		    s->hub->cfg->user_prefix, s->name);
		return;
	}
	/* A user named like a managed service would run as its account,
	 * with its files (services.h). */
	if (services_own_account(acct)) {
		server_spawn_failed(s, "the Unix account '%s' is a service's",
		    acct);
		return;
	}
	r = account_lookup(acct, &pw);
	if (r == -1) {
		server_spawn_failed(s, "refusing to run as system account '%s'",
		    acct);
		return;
	}
	if (r == 1) {
		fn(s);
		return;
	}
	if (!spawn_own_accounts(s->hub)) {
		server_spawn_failed(s,
		    s->hub->cfg->authenticator == AUTH_LDAP
		        ? "there is no Unix account '%s' (authenticator = "
		          "ldap: it is made at the person's login: sign in "
		          "again)"
		        : "there is no Unix account '%s' (authenticator = "
		          "pam: the hub makes none)",
		    acct);
		return;
	}
	t = xcalloc(1, sizeof(*t));
	t->s = s;
	t->fn = fn;
	server_ref(s);
	progress_step(s, 10, "Creating the Unix account");
	/* Queued: useradd runs one at a time (in the helper with it). */
	r = priv_account_add(s->hub, acct, s->name, useradd_cb, t);
	if (r != 0) {
		server_unref(s);
		free(t);
		server_spawn_failed(s, "cannot run useradd: %s",
		    uv_strerror(r));
	}
}

static void
useradd_cb(void *arg, int64_t status, int sig)
{
	struct then   *t = arg;
	struct server *s = t->s;
	void (*fn)(struct server *) = t->fn;

	free(t);
	if (s->removed || s->state != SERVER_PENDING) {
		server_unref(s);
		return;
	}
	server_unref(s);
	if (status != 0 || sig != 0) {
		server_spawn_failed(s,
		    "could not create the Unix account "
		    "(useradd exited with %lld)",
		    (long long)status);
		return;
	}
	fn(s);
}
