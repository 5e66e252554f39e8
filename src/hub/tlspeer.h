/* SPDX-License-Identifier: MIT */
/*
 * A server the hub reaches over TLS on its own loop (a Slurm job's, whose
 * keys spawn-slurm-tls.h makes): the hub's key and certificate for that
 * server (set on each connection; one client context serves every
 * server), the one certificate the server may show (pinned: no CA, no
 * name, only X509_cmp), and the last few sessions it gave, each resumed
 * by one next connection (no signature, no certificate check: a TLS 1.3
 * ticket only the pinned server can use). A server that answers an
 * offered session with a full handshake (Jupyter's tornado makes a new
 * context, and so new ticket keys, for every connection) is offered none
 * again. Counted: the server holds a reference, and so does every
 * connection to it, since a ticket may come after the server was stopped.
 */
#ifndef TLSPEER_H
#define TLSPEER_H

#include <stddef.h>

#include <openssl/ssl.h>

struct tlspeer;

/* From 'pem' ('len' bytes): the hub's key, its certificate, the server's
 * certificate, in that order. NULL with 'why' filled if one is missing or
 * the key does not match. One reference, the caller's. */
struct tlspeer *tlspeer_new(const char *pem, size_t len, char *why,
    size_t wlen);
void            tlspeer_ref(struct tlspeer *);
void            tlspeer_unref(struct tlspeer *); /* NULL does nothing */

/* A client SSL for one connection, offering (and so using up) the newest
 * kept session if any; 'offered' says whether it did. NULL if OpenSSL has
 * no memory. */
SSL *tlspeer_ssl(struct tlspeer *, int *offered);

/* After a finished handshake: 0 if the server showed the pinned
 * certificate (in this handshake or the one whose session resumed), -1
 * if not. */
int tlspeer_check(const struct tlspeer *, SSL *);

/* A handshake that offered a session failed, or ended in a full one:
 * resume no more (a server that will not resume would otherwise cost
 * two handshakes a connection, or a ticket kept for nothing). */
void tlspeer_resume_failed(struct tlspeer *);

/* Whether an unused session is kept (for tests and logs). */
int tlspeer_has_session(const struct tlspeer *);

#endif
