/* SPDX-License-Identifier: MIT */
/*
 * The keys of the link between the hub and a user's server on a pool's
 * node (spawn-slurm.c), both ways. Each server's job gets a pair made for
 * it: its key and certificate go to the job (its environment; the job's
 * script gives them to the server as --certfile/--keyfile), with the
 * hub's client certificate as the server's --client-ca. The hub has one
 * client pair for all its jobs (its identity, made once and kept under
 * the state directory: only the hub holds the key, and each job pins
 * only its own server's certificate, so a pair per job would add no
 * boundary, only ~3.5 kB a server and a parse of it a connection); it
 * keeps each job's server certificate to pin (spawn-slurm-link.c,
 * tlspeer.h). Self-signed P-256 certificates: the server's names
 * SLURM_TLS_SERVER_NAME (serverAuth), the hub's SLURM_TLS_HUB_NAME
 * (clientAuth); neither is a CA.
 */
#ifndef SPAWN_SLURM_TLS_H
#define SPAWN_SLURM_TLS_H

#include <stddef.h>

#define SLURM_TLS_SERVER_NAME "rig-server"
#define SLURM_TLS_HUB_NAME "rig-hub"
#define SLURM_TLS_DAYS 400 /* a job that runs longer is refused by TLS */
#define SLURM_TLS_PEM_MAX 16384 /* the link's kept keys, at most */

/* PEM text, each NUL-terminated; the hub's pair only when asked for. */
struct slurm_tls {
	char *server_key;
	char *server_cert;
	char *hub_key;
	char *hub_cert;
};

/* Makes the server's pair, and the hub's too if 'hub'; -1 (logged) if
 * OpenSSL fails. */
int slurm_tls_make(struct slurm_tls *, int hub);

/* The PEM blocks of rig slurm-tls-keys ('text': server key, server
 * certificate, then with --hub the hub's key and certificate) into 't';
 * -1 if not exactly those (t is then empty). */
int slurm_tls_parse(const char *text, struct slurm_tls *t);

/* Wipes the keys and frees all; the struct is then empty. */
void slurm_tls_release(struct slurm_tls *);

#endif
