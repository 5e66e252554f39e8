/* SPDX-License-Identifier: MIT */
/*
 * The hub's side of an LDAP login (authenticator = ldap): 'rig ldap-auth'
 * started as a child of the hub, as the hub's own unprivileged account,
 * with the settings as words and the passwords on its standard input;
 * its answer read from its standard output and its exit status. Its
 * standard error is the hub's, so the directory's trouble (a refused
 * certificate, a server down) is in the hub's log.
 */
#ifndef LDAP_LOGIN_H
#define LDAP_LOGIN_H

#include "auth-ldap.h"

struct hub;

/* Children at once; more logins wait their turn as 503. */
#define LDAPLOGIN_MAX 32
/* Milliseconds before a child that has not ended is killed. */
#define LDAPLOGIN_TIMEOUT_MS 60000

/* 'status' is rig ldap-auth's (enum authldap_result), or AUTHLDAP_ERROR
 * if it could not run, was killed, answered nonsense or the hub stopped
 * meanwhile; 'acct' is filled for AUTHLDAP_OK (and may be NULL else). */
typedef void (
    *ldaplogin_cb)(void *arg, int status, const struct authldap_account *acct);

/*
 * Starts the check of 'user' with 'password' (copied, wiped after the
 * write). 'cb' is called once, later, from the loop. 0, or a libuv error
 * (UV_EAGAIN with LDAPLOGIN_MAX in flight) and 'cb' is never called.
 */
int ldaplogin_start(struct hub *, const char *user, const char *password,
    ldaplogin_cb cb, void *arg);

/* At the hub's stop: every child still running is killed, so that its
 * login ends (as AUTHLDAP_ERROR) and the loop can end. */
void ldaplogin_stop(void);

/*
 * Reads rig ldap-auth's output 'out' into 'a': every line "KEY VALUE" of
 * the keys it prints, each once, the numbers in range. 0, or -1.
 */
int ldaplogin_parse(const char *out, struct authldap_account *a);

#endif
