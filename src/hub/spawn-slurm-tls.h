/* SPDX-License-Identifier: MIT */
/*
 * The keys of the link between the hub and a user's server on a pool's
 * node (spawn-slurm.c): a pair made for each server's job, both ways.
 * The server's key and certificate go to the job (its environment; the
 * job's script gives them to the server as --certfile/--keyfile); the
 * hub's client certificate goes with them as the server's --client-ca.
 * The hub keeps its client key and the server's certificate, which its
 * link (spawn-slurm-link.c, tlspeer.h) presents and pins. Self-signed P-256
 * certificates: the server's names SLURM_TLS_SERVER_NAME (serverAuth),
 * the hub's SLURM_TLS_HUB_NAME (clientAuth); neither is a CA.
 */
#ifndef SPAWN_SLURM_TLS_H
#define SPAWN_SLURM_TLS_H

#include <stddef.h>

#define SLURM_TLS_SERVER_NAME "rig-server"
#define SLURM_TLS_HUB_NAME "rig-hub"
#define SLURM_TLS_DAYS 400 /* a job that runs longer is refused by TLS */
#define SLURM_TLS_PEM_MAX 16384 /* the link's kept keys, at most */

/* PEM text, each NUL-terminated. */
struct slurm_tls {
	char *server_key;
	char *server_cert;
	char *hub_key;
	char *hub_cert;
};

/* Makes both pairs; -1 (logged) if OpenSSL fails. */
int slurm_tls_make(struct slurm_tls *);

/* The four PEM blocks of rig slurm-tls-keys ('text': server key, server
 * certificate, hub key, hub certificate) into 't'; -1 if not exactly
 * those (t is then empty). */
int slurm_tls_parse(const char *text, struct slurm_tls *t);

/* Wipes the keys and frees all; the struct is then empty. */
void slurm_tls_release(struct slurm_tls *);

/* What the hub keeps for its TLS link (tlspeer_new()): the hub's key, its
 * certificate, then the server's certificate (to pin), PEM one after the
 * other. Caller frees it with free_secret(). */
char *slurm_tls_link_keys(const struct slurm_tls *);

#endif
