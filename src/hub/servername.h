/* SPDX-License-Identifier: MIT */
/*
 * Named servers (JupyterHub's allow_named_servers): a user's servers are
 * keyed by (user, server name), the default server being the name "".
 * A name goes into URLs (/user/NAME/SRV/), a Unix socket's file name and
 * log file names, so it is kept to what is safe in all of them: 1 to
 * SERVER_NAME_MAX of [a-z0-9._-], beginning and ending with a letter or
 * digit, no "..": no '/', no '%', nothing to escape (JupyterHub 4.1's
 * "safe slug" rule, made stricter by the socket path's length).
 */
#ifndef SERVERNAME_H
#define SERVERNAME_H

#define SERVER_NAME_MAX 32

/* NULL if 'srv' may name a server, else why not (static text). */
const char *server_name_check(const char *srv);
/* The base URL of user's server srv: "/user/NAME/" for the default,
 * "/user/NAME/SRV/" for a named one. Caller frees result. */
char *server_url(const char *user, const char *srv);
/* "NAME" or "NAME/SRV", for logs and scope filters. Caller frees. */
char *server_label(const char *user, const char *srv);

#endif
