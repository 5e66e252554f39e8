/* SPDX-License-Identifier: MIT */
/*
 * The servers' way to the hub's API: a plain HTTP listener on 127.0.0.1,
 * as JupyterHub's own hub port (8081) is, or on api_address, where the
 * servers of a pool's nodes reach it (spawner = slurm: its jobs report
 * their ports there, signed; with JupyterHub's protocol the pool's
 * network is trusted with their API tokens, as JupyterHub's hub_ip on a
 * cluster is without internal_ssl). A single-user
 * server checks the hub's certificate against the system's authorities, which a
 * self-signed one is not among, so JUPYTERHUB_API_URL points here instead. It
 * answers /hub/api/... only (routes.c), takes no cookies (session.c), and keeps
 * its port across restarts (STATE/api-port), since servers outlive the
 * hub and keep the URL they were given.
 */
#ifndef APILISTEN_H
#define APILISTEN_H

struct hub;

/* Binds and listens on apilisten_address(), the port of STATE/api-port if it is
 * free, else a new one, which is written there; sets hub->api_port.
 * Connections go to conn_accept() as internal. -1 if none can be had
 * (logged). */
int apilisten_start(struct hub *);
/* api_address, else 127.0.0.1. */
const char *apilisten_address(const struct hub *);
/* Closes the listener (hub stopping); harmless if it never started. */
void apilisten_stop(struct hub *);

#endif
