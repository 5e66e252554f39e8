/* SPDX-License-Identifier: MIT */
/*
 * What a user's server is told in its environment about the hub, by the
 * protocol it speaks (config.h): with "token", its secret in
 * JUPYTER_TOKEN (the proxy sends it with every request); with
 * "jupyterhub", JupyterHub 3's JUPYTERHUB_* variables (Spawner.get_env):
 * its API token, the hub's API and activity URLs on the loopback API
 * listener (apilisten.h), its OAuth client id, callback and scopes, its
 * prefix and the address it binds. A spawner adds these to its own.
 */
#ifndef SERVERENV_H
#define SERVERENV_H

struct server;

/* The most entries server_env() adds. */
#define SERVERENV_MAX 24

/*
 * Appends the entries ("NAME=value", each a new string the caller frees
 * with free_secret(): some hold the secret) for server 's', whose root
 * folder is 'root' and whose program resolved to 'program', to env[n...];
 * returns the new count. env needs room for SERVERENV_MAX more.
 */
int server_env(const struct server *s, const char *root, const char *program,
    char **env, int n);

#endif
