/* SPDX-License-Identifier: MIT */
/*
 * The LDAP check of authenticator = ldap (auth-ldap.h), with libldap
 * opened by ldap-api.c. One connection per check: TLS first (ldaps://,
 * or StartTLS before anything is sent on ldap://), verification of the
 * server's certificate always on (LDAP_OPT_X_TLS_HARD, against
 * ldap_ca_file, and its name against the URL's host), every operation
 * bounded by AUTHLDAP_TIMEOUT. The group checks are JupyterHub
 * LDAPAuthenticator's: a group matches if it lists the person's DN as
 * member or uniqueMember (groupOfNames, groupOfUniqueNames) or the login
 * name as memberUid (posixGroup).
 */
#include <sys/time.h>

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth-ldap.h"
#include "ldap-api.h"
#include "ldap-escape.h"
#include "ldap-tlsdiag.h"
#include "lib/util.h"
#include "lib/banned.h"

/* One check's connection and where its errors go. */
struct conn {
	const struct ldap_api *api;
	LDAP                  *ld;
	char                  *why;
	size_t                 len;
};

static void say(struct conn *, const char *, int);
static int  conn_open(struct conn *, const struct authldap_conf *);
static int  bind_simple(struct conn *, const char *, const char *);
static int  find_dn(struct conn *, const struct authldap_conf *, const char *,
     char *, size_t);
static int  read_entry(struct conn *, const char *, struct authldap_account *);
static int value_of(struct conn *, LDAPMessage *, const char *, char *, size_t);
static int in_groups(struct conn *, const struct authldap_conf *, const char *,
    const char *, const char *);
static char *group_next(const char **, int);

/* 'what' failed with libldap's 'rc': its words and the server's
 * diagnostic message (a TLS failure's reason is there) into why. */
static void
say(struct conn *c, const char *what, int rc)
{
	char *diag = NULL;

	if (c->ld != NULL)
		c->api->get_option(c->ld, LDAP_OPT_DIAGNOSTIC_MESSAGE, &diag);
	snprintf(c->why, c->len, "%s: %s%s%s", what, c->api->err2string(rc),
	    diag != NULL && *diag != '\0' ? ": " : "",
	    diag != NULL ? diag : "");
	if (diag != NULL)
		c->api->memfree(diag);
}

/* The handle with its options, and TLS up (StartTLS on ldap:// unless
 * plaintext was asked for). 0, or -1 with why. */
static int
conn_open(struct conn *c, const struct authldap_conf *cf)
{
	struct timeval tv = { AUTHLDAP_TIMEOUT, 0 };
	int            v3 = LDAP_VERSION3, hard = LDAP_OPT_X_TLS_HARD,
	    tlsmin = LDAP_OPT_X_TLS_PROTOCOL_TLS1_2, zero = 0, rc, tls = 0;
	const char *ca = cf->ca_file != NULL ? cf->ca_file : AUTHLDAP_SYSTEM_CA;

	(void)ldapesc_url_error(cf->url, &tls);
	rc = c->api->initialize(&c->ld, cf->url);
	if (rc != LDAP_SUCCESS) {
		c->ld = NULL;
		say(c, cf->url, rc);
		return -1;
	}
	if (c->api->set_option(c->ld, LDAP_OPT_PROTOCOL_VERSION, &v3) != 0 ||
	    c->api->set_option(c->ld, LDAP_OPT_REFERRALS, LDAP_OPT_OFF) != 0 ||
	    c->api->set_option(c->ld, LDAP_OPT_NETWORK_TIMEOUT, &tv) != 0 ||
	    c->api->set_option(c->ld, LDAP_OPT_TIMEOUT, &tv) != 0 ||
	    c->api->set_option(c->ld, LDAP_OPT_X_TLS_REQUIRE_CERT, &hard) !=
	        0 ||
	    c->api->set_option(c->ld, LDAP_OPT_X_TLS_PROTOCOL_MIN, &tlsmin) !=
	        0 ||
	    c->api->set_option(c->ld, LDAP_OPT_X_TLS_CACERTFILE, ca) != 0) {
		snprintf(c->why, c->len, "cannot set libldap's options");
		return -1;
	}
	/* A context of this handle's own, made from the options above. */
	rc = c->api->set_option(c->ld, LDAP_OPT_X_TLS_NEWCTX, &zero);
	if (rc != LDAP_OPT_SUCCESS) {
		snprintf(c->why, c->len,
		    "cannot make a TLS context with CA file '%s' (is it "
		    "readable, and a PEM certificate?)",
		    ca);
		return -1;
	}
	if (!tls && cf->plaintext)
		return 0;
	/* Connected now, so that a refused certificate is told apart from
	 * a refused password. */
	rc = tls ? c->api->connect(c->ld)
	         : c->api->start_tls_s(c->ld, NULL, NULL);
	if (rc != LDAP_SUCCESS) {
		ldap_tlsdiag(c->api, cf, c->why, c->len);
		return -1;
	}
	return 0;
}

/* A simple bind; the password is never empty here. LDAP_SUCCESS, or
 * libldap's code. */
static int
bind_simple(struct conn *c, const char *dn, const char *pw)
{
	struct berval cred;

	cred.bv_val = (char *)pw;
	cred.bv_len = strlen(pw);
	return c->api->sasl_bind_s(c->ld, dn, LDAP_SASL_SIMPLE, &cred, NULL,
	    NULL, NULL);
}

/* The service's bind, then the one entry whose user_attribute is
 * 'user', its DN into 'dn'. 0 found, 1 none (or several), -1 error. */
static int
find_dn(struct conn *c, const struct authldap_conf *cf, const char *user,
    char *dn, size_t dnlen)
{
	struct timeval tv = { AUTHLDAP_TIMEOUT, 0 };
	LDAPMessage   *res = NULL;
	char          *esc, *filter, *found, *attrs[] = { (char *)"1.1", NULL };
	int            rc, n, ret = -1;

	rc = bind_simple(c, cf->bind_dn, cf->bind_password);
	if (rc != LDAP_SUCCESS) {
		say(c, "the service's bind (ldap_bind_dn)", rc);
		return -1;
	}
	esc = ldapesc_filter_value(user);
	filter = xasprintf("(%s=%s)", cf->user_attribute, esc);
	free(esc);
	rc = c->api->search_ext_s(c->ld, cf->search_base, LDAP_SCOPE_SUBTREE,
	    filter, attrs, 0, NULL, NULL, &tv, 2, &res);
	free(filter);
	if (rc != LDAP_SUCCESS && rc != LDAP_SIZELIMIT_EXCEEDED) {
		say(c, "the search for the person (ldap_search_base)", rc);
		goto out;
	}
	n = c->api->count_entries(c->ld, res);
	if (n != 1) {
		snprintf(c->why, c->len, "%s under %s",
		    n == 0 ? "no such person" : "several entries of that name",
		    cf->search_base);
		ret = 1;
		goto out;
	}
	found = c->api->get_dn(c->ld, c->api->first_entry(c->ld, res));
	if (found == NULL || strlen(found) >= dnlen) {
		snprintf(c->why, c->len, "the person's DN is unreadable");
		if (found != NULL)
			c->api->memfree(found);
		goto out;
	}
	snprintf(dn, dnlen, "%s", found);
	c->api->memfree(found);
	ret = 0;
out:
	if (res != NULL)
		c->api->msgfree(res);
	return ret;
}

/* The first value of 'attr' of entry 'e' into 'out'; 0, or -1 if none
 * (or too long, or with a NUL or control byte). */
static int
value_of(struct conn *c, LDAPMessage *e, const char *attr, char *out,
    size_t len)
{
	struct berval **v = c->api->get_values_len(c->ld, e, attr);
	int             ret = -1;

	out[0] = '\0';
	if (v != NULL && v[0] != NULL && v[0]->bv_len < len) {
		ret = 0;
		for (size_t i = 0; i < v[0]->bv_len; i++)
			if ((unsigned char)v[0]->bv_val[i] < 0x20)
				ret = -1;
		if (ret == 0) {
			memcpy(out, v[0]->bv_val, v[0]->bv_len);
			out[v[0]->bv_len] = '\0';
		}
	}
	if (v != NULL)
		c->api->value_free_len(v);
	return ret;
}

/* The person's entry: uidNumber and gidNumber (both needed), the home
 * and shell if there. 0, 1 not a Unix account, -1 error. */
static int
read_entry(struct conn *c, const char *dn, struct authldap_account *a)
{
	struct timeval tv = { AUTHLDAP_TIMEOUT, 0 };
	LDAPMessage   *res = NULL, *e;
	char          *attrs[] = { (char *)"uidNumber", (char *)"gidNumber",
		         (char *)"homeDirectory", (char *)"loginShell", NULL };
	char           num[32];
	int            rc, ret = 1;

	rc = c->api->search_ext_s(c->ld, dn, LDAP_SCOPE_BASE, "(objectClass=*)",
	    attrs, 0, NULL, NULL, &tv, 1, &res);
	if (rc != LDAP_SUCCESS) {
		say(c, "reading the person's entry", rc);
		ret = -1;
		goto out;
	}
	e = c->api->first_entry(c->ld, res);
	if (e == NULL) {
		snprintf(c->why, c->len, "the entry %s cannot be read", dn);
		goto out;
	}
	if (value_of(c, e, "uidNumber", num, sizeof(num)) == -1 ||
	    parse_int(num, 0, 0x7fffffff, &a->uid) == -1) {
		snprintf(c->why, c->len,
		    "%s has no uidNumber (not a posixAccount)", dn);
		goto out;
	}
	if (value_of(c, e, "gidNumber", num, sizeof(num)) == -1 ||
	    parse_int(num, 0, 0x7fffffff, &a->gid) == -1) {
		snprintf(c->why, c->len, "%s has no gidNumber", dn);
		goto out;
	}
	(void)value_of(c, e, "homeDirectory", a->home, sizeof(a->home));
	(void)value_of(c, e, "loginShell", a->shell, sizeof(a->shell));
	ret = 0;
out:
	if (res != NULL)
		c->api->msgfree(res);
	return ret;
}

/* The next group of a list: with a '=' anywhere the list is DNs apart by
 * '|', else names apart by spaces or commas. Caller frees; NULL at the
 * end. */
static char *
group_next(const char **p, int dns)
{
	const char *s = *p;
	size_t      n;

	if (dns)
		return ldapesc_list_next(p);
	s += strspn(s, " ,\t");
	n = strcspn(s, " ,\t");
	*p = s + n;
	return n == 0 ? NULL : xstrndup(s, n);
}

/* Whether the person (DN 'dn', login 'user') is in one of 'groups': 1,
 * 0, -1 on an error. A group named by cn is looked for under
 * search_base. */
static int
in_groups(struct conn *c, const struct authldap_conf *cf, const char *groups,
    const char *dn, const char *user)
{
	struct timeval tv = { AUTHLDAP_TIMEOUT, 0 };
	const char    *p = groups;
	char          *g, *edn, *euser, *member, *filter, *eg;
	char          *attrs[] = { (char *)"1.1", NULL };
	int            dns = strchr(groups, '=') != NULL, rc, ret = 0;

	edn = ldapesc_filter_value(dn);
	euser = ldapesc_filter_value(user);
	member = xasprintf("(|(member=%s)(uniqueMember=%s)(memberUid=%s))", edn,
	    edn, euser);
	while (ret == 0 && (g = group_next(&p, dns)) != NULL) {
		LDAPMessage *res = NULL;

		if (strchr(g, '=') != NULL) {
			rc = c->api->search_ext_s(c->ld, g, LDAP_SCOPE_BASE,
			    member, attrs, 0, NULL, NULL, &tv, 1, &res);
		} else {
			eg = ldapesc_filter_value(g);
			filter = xasprintf("(&(cn=%s)%s)", eg, member);
			rc = c->api->search_ext_s(c->ld,
			    cf->search_base != NULL ? cf->search_base : "",
			    LDAP_SCOPE_SUBTREE, filter, attrs, 0, NULL, NULL,
			    &tv, 1, &res);
			free(eg);
			free(filter);
		}
		if (rc == LDAP_SUCCESS || rc == LDAP_SIZELIMIT_EXCEEDED) {
			if (c->api->count_entries(c->ld, res) > 0)
				ret = 1;
		} else if (rc != LDAP_NO_SUCH_OBJECT) {
			say(c, "looking up a group", rc);
			ret = -1;
		}
		if (res != NULL)
			c->api->msgfree(res);
		free(g);
	}
	free(member);
	free(edn);
	free(euser);
	return ret;
}

enum authldap_result
authldap_check(const struct authldap_conf *cf, const char *user,
    const char *password, struct authldap_account *a, char *why, size_t len)
{
	struct conn          c = { NULL, NULL, why, len };
	enum authldap_result res = AUTHLDAP_ERROR;
	const char          *p;
	char                *t, *dn;
	int                  rc = LDAP_INVALID_CREDENTIALS, r;

	memset(a, 0, sizeof(*a));
	why[0] = '\0';
	/* An empty password is an unauthenticated bind (RFC 4513 5.1.2),
	 * which servers answer with success: never sent. */
	if (password == NULL || *password == '\0') {
		snprintf(why, len, "an empty password");
		return AUTHLDAP_AUTH;
	}
	c.api = ldap_api();
	if (c.api == NULL) {
		snprintf(why, len, "%s", ldap_api_error());
		return AUTHLDAP_ERROR;
	}
	if (conn_open(&c, cf) == -1)
		goto out;
	if (cf->templates != NULL) {
		p = cf->templates;
		while ((t = ldapesc_list_next(&p)) != NULL) {
			dn = ldapesc_template(t, user);
			free(t);
			rc = bind_simple(&c, dn, password);
			if (rc == LDAP_SUCCESS)
				snprintf(a->dn, sizeof(a->dn), "%s", dn);
			free(dn);
			/* Another template may be the person's; anything
			 * but a refusal is the directory's trouble. */
			if (rc != LDAP_INVALID_CREDENTIALS)
				break;
		}
	} else {
		r = find_dn(&c, cf, user, a->dn, sizeof(a->dn));
		if (r == 1)
			res = AUTHLDAP_AUTH;
		if (r != 0)
			goto out;
		rc = bind_simple(&c, a->dn, password);
	}
	if (rc == LDAP_INVALID_CREDENTIALS) {
		say(&c, "the bind", rc);
		res = AUTHLDAP_AUTH;
		goto out;
	}
	if (rc != LDAP_SUCCESS) {
		say(&c, "the bind", rc);
		goto out;
	}
	r = read_entry(&c, a->dn, a);
	if (r != 0) {
		res = r == 1 ? AUTHLDAP_ACCOUNT : AUTHLDAP_ERROR;
		goto out;
	}
	a->allowed = 1;
	if (cf->allowed_groups != NULL && *cf->allowed_groups != '\0') {
		a->allowed = in_groups(&c, cf, cf->allowed_groups, a->dn, user);
		if (a->allowed == -1)
			goto out;
	}
	a->admin = -1;
	if (cf->admin_groups != NULL && *cf->admin_groups != '\0') {
		a->admin = in_groups(&c, cf, cf->admin_groups, a->dn, user);
		if (a->admin == -1)
			goto out;
	}
	res = AUTHLDAP_OK;
out:
	if (c.ld != NULL)
		c.api->unbind_ext_s(c.ld, NULL, NULL);
	return res;
}
