/* SPDX-License-Identifier: MIT */
/*
 * A server the hub reaches over TLS on its own loop (a Slurm job's, whose
 * keys spawn-slurm-tls.h makes): the one certificate the server may show
 * (pinned: no CA, no name, only its SHA-256), and the last few sessions
 * it gave, each resumed
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

/* The hub's key and certificate (PEM, in that order, 'len' bytes), which
 * every connection shows (one client context serves all servers); again
 * replaces them. -1 with 'why' if one is missing or they do not match. */
int  tlspeer_identity(const char *pem, size_t len, char *why, size_t wlen);
int  tlspeer_has_identity(void);
void tlspeer_identity_release(void);

/* From 'pem' ('len' bytes): the server's certificate, shown with the
 * hub's identity; or, as jobs of an earlier rig kept it, a key and
 * certificate of the hub's for this server alone, then the server's
 * certificate. NULL with 'why' filled if a part is missing, the key does
 * not match, or there is no identity to show. One reference, the
 * caller's. */
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
