/* SPDX-License-Identifier: MIT */
/*
 * Credentials: password hashing (yescrypt through libcrypt), generated
 * passwords, API tokens and session ids (random, stored as SHA-256), and the
 * throttle that slows down password guessing.
 */
#ifndef AUTH_H
#define AUTH_H

#include <stddef.h>
#include <stdint.h>

#define TOKEN_HASH_LEN 64 /* hex SHA-256 */

/* Bytes of a password at most: libcrypt refuses longer ones
 * (CRYPT_MAX_PASSPHRASE_SIZE, 512 with the NUL). */
#define PASSWORD_MAX 511
/* The one rule for a password someone chooses (rig user add and passwd
 * with --password-stdin, the password pages): not empty, at most
 * PASSWORD_MAX bytes. NULL if 'pw' may be used, else why not. */
const char *password_error(const char *pw);
/* A new yescrypt hash of 'password'; caller frees result. NULL on error.
 * Slow on purpose (tens of ms): the hub calls it from the thread pool. */
char *password_hash(const char *password);
/* 1 if 'password' matches 'hash', else 0 (also for an empty hash). */
int password_verify(const char *password, const char *hash);
/* A new random password of 20 characters that are easy to read and type;
 * caller frees result with free_secret(). */
char *password_generate(void);

/* A new random token (64 hex characters); caller frees with free_secret(). */
char *token_new(void);
/* SHA-256 of 'token' as hex into 'out' (TOKEN_HASH_LEN + 1 bytes). */
void token_hash(const char *token, char *out);

/*
 * Login throttle: after THROTTLE_FREE failures in THROTTLE_WINDOW seconds a
 * key (a username, or a client address) is locked for a time that doubles
 * with each further failure, up to THROTTLE_MAX_LOCK. Keys are kept in a
 * table of bounded size; the oldest entries are dropped first.
 */
#define THROTTLE_FREE 5
#define THROTTLE_WINDOW 900
#define THROTTLE_MAX_LOCK 900
#define THROTTLE_MAX_KEYS 4096

struct throttle;

struct throttle *throttle_new(void);
void             throttle_free(struct throttle *);
/* Seconds 'key' must still wait at time 'now'; 0 if it may try. */
int64_t throttle_wait(struct throttle *, const char *key, int64_t now);
void    throttle_fail(struct throttle *, const char *key, int64_t now);
void    throttle_ok(struct throttle *, const char *key);

/*
 * The login form's throttle, over three keys: the client's address (with
 * THROTTLE_ADDR_FREE free failures: many people may share one), the
 * address and the name (THROTTLE_FREE), and the name alone, which holds
 * back only addresses that are failing themselves.
 */
#define THROTTLE_ADDR_FREE 20
#define LOGIN_NAME_KEY 64 /* bytes of a name used as a key */

/* Seconds an attempt must wait (answer 429); 0: it goes on, counted as a
 * failure from now until login_throttle_end() says otherwise. */
int64_t login_throttle_begin(struct throttle *, const char *addr,
    const char *name, int64_t now);
/* The outcome of an attempt login_throttle_begin() let through. */
void login_throttle_end(struct throttle *, const char *addr, const char *name,
    int ok);

#endif
