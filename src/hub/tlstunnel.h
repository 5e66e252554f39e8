/* SPDX-License-Identifier: MIT */
/*
 * One connection of the hub carried to a user's server on a pool's node
 * over TLS, authenticated both ways (rig tls-tunnel, cmd-tls-tunnel.c):
 * the tunnel presents the hub's client certificate, and accepts the
 * server only if the certificate it shows is exactly the one pinned (the
 * one the hub made for that job, spawn-slurm-tls.h), before a byte of
 * the hub's goes out. Blocking, for a process of its own per connection.
 */
#ifndef TLSTUNNEL_H
#define TLSTUNNEL_H

#include <stddef.h>

#include <openssl/ssl.h>

/* The client context from 'pem' ('len' bytes): the hub's key, its
 * certificate, the server's certificate, in that order. NULL with 'why'
 * filled if one is missing or they do not match. */
SSL_CTX *tlstunnel_ctx(const char *pem, size_t len, char *why, size_t wlen);

/*
 * TLS 1.3 resumption across the processes of one tunnel: a child's new
 * sessions are written to 'fd' (a non-blocking pipe's end), and
 * tlstunnel_resume_read() in the parent takes the newest from the other
 * end, for the children it starts next (tlstunnel_relay resumes with it).
 */
void tlstunnel_resume_via(int fd);
void tlstunnel_resume_read(int fd);

/*
 * Connects to 'host' (numeric) 'port', completes TLS with 'ctx' (the pin
 * checked), then copies bytes between 'fd' (the hub's side) and the
 * server until both ends are done. 0, or -1 with 'why' filled.
 */
int tlstunnel_relay(SSL_CTX *ctx, int fd, const char *host, int port, char *why,
    size_t wlen);

#endif
