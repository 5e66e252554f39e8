/* SPDX-License-Identifier: MIT */
/*
 * TLS for the hub's listener: the server SSL_CTX, and the self-signed
 * certificate made on first start. OpenSSL 3 API only.
 */
#ifndef TLS_H
#define TLS_H

#include <openssl/ssl.h>

/*
 * Ensures 'cert_path' and 'key_path' hold a usable self-signed certificate:
 * makes one (EC P-256 key, written 0600; validity 825 days) if either is
 * missing, or if the certificate expires within 30 days, or if it does not
 * cover every name in 'names', or if 'renew' is set. 'names' is a
 * NULL-terminated list of DNS names and IP addresses (v4 or v6, told apart
 * by parsing) that go into subjectAltName; the first is also the CN. A new
 * certificate also carries 'also' (NULL or such a list: the machine's
 * addresses), which an existing one need not have: users accepted its
 * fingerprint, and an address the machine gains later (a bridge, a VPN)
 * must not change it. Returns 0, 1 if a new certificate was written, -1 on
 * error (logged).
 */
int tls_selfsigned_ensure(const char *cert_path, const char *key_path,
    const char *const *names, const char *const *also, int renew);

/* The names a certificate must cover: "localhost", the host name,
 * 127.0.0.1, ::1 and the names in 'extra' (the tls_names setting: NULL, or
 * separated by spaces or commas: e.g. a cloud VM's DNS name and public
 * address); invalid ones are left out with a warning. Caller frees with
 * tls_names_free(). */
char **tls_default_names(const char *extra);

/* The addresses of the machine's interfaces (IPv6 link-local ones left
 * out), for a new certificate and the URLs the hub prints. Caller frees with
 * tls_names_free(). */
char **tls_address_names(void);
/* The names of 'a', then those of 'b' (NULL or a list) 'a' lacks, each
 * once (without case); invalid ones of 'b' left out. Never NULL. Caller
 * frees with tls_names_free(). */
char **tls_names_union(const char *const *a, const char *const *b);
void   tls_names_free(char **);

/* A server context (TLS 1.2+, modern ciphers, ALPN http/1.1) loaded with the
 * given certificate chain and key. NULL on error, logged. */
SSL_CTX *tls_server_ctx(const char *cert_path, const char *key_path);

/* The SHA-256 fingerprint of the PEM certificate at 'cert_path' as
 * "AB:CD:..." into 'out' (at least 96 bytes). -1 on error. */
int tls_fingerprint(const char *cert_path, char *out, size_t outlen);

/* Logs and clears OpenSSL's error queue, prefixed with 'what'. */
void tls_log_errors(const char *what);

#endif
