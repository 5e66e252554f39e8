/* SPDX-License-Identifier: MIT */
/*
 * Credentials. Passwords are hashed with yescrypt, libcrypt's default on
 * Debian, so a hash can be compared with /etc/shadow's by eye and libcrypt
 * picks the cost. Tokens and session ids are random and only their SHA-256
 * is stored: a stolen database gives no working credential, and a fast hash
 * is enough for 256 random bits. The throttle keeps per-key failure counts
 * in a bounded table, so guessing costs time and flooding costs no memory.
 */
#include <sys/queue.h>

#include <crypt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/evp.h>

#include "auth.h"
#include "lib/log.h"
#include "lib/util.h"

#define PASSWORD_LEN 20
/* No 0/O/o, 1/l/I: a password read off a terminal is typed right. */
#define PASSWORD_ALPHABET                                                      \
	"abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"

/*
 * A valid yescrypt setting, hashed against when the stored hash can never
 * match ("", "*", "!..."): a login for a user without a password then takes
 * as long as one with, and timing does not tell them apart.
 */
#define DUMMY_SETTING "$y$j9T$WO/aWE6qrbvigKeHLLl5y/"

/* Keys longer than this are cut: names and addresses are much shorter. */
#define THROTTLE_KEY_MAX 256
#define THROTTLE_BUCKETS 8192 /* a power of two, twice THROTTLE_MAX_KEYS */

struct throttle_entry {
	char    key[THROTTLE_KEY_MAX];
	int     fails; /* since the key was last quiet for a window */
	int     free_fails; /* how many cost nothing */
	int64_t last_fail;
	int64_t locked_until; /* 0 when not locked */
	LIST_ENTRY(throttle_entry) bucket;
	TAILQ_ENTRY(throttle_entry) age; /* least recent failure first */
};

LIST_HEAD(throttle_bucket, throttle_entry);
TAILQ_HEAD(throttle_ages, throttle_entry);

struct throttle {
	struct throttle_bucket buckets[THROTTLE_BUCKETS];
	struct throttle_ages   ages;
	size_t                 n;
	uint64_t               seed; /* so peers cannot aim at one bucket */
};

static char  *crypt_with(const char *, const char *);
static size_t throttle_slot(const struct throttle *, const char *);
static struct throttle_entry *throttle_find(struct throttle *, const char *);
static void throttle_remove(struct throttle *, struct throttle_entry *);
static int  throttle_stale(const struct throttle_entry *, int64_t);
static void throttle_make_room(struct throttle *, int64_t);
static void throttle_count(struct throttle *, const char *, int64_t, int);
static int  throttle_known(struct throttle *, const char *, int64_t);
static void throttle_undo(struct throttle *, const char *);
static void login_keys(const char *, const char *, char *, char *, char *);

/* crypt_rn() of 'password' with 'setting' into a new string; NULL on
 * failure. The work area is on the heap: it is 32 kB, and this may run on
 * a thread pool's small stack. */
static char *
crypt_with(const char *password, const char *setting)
{
	struct crypt_data *cd;
	char              *h, *ret = NULL;

	cd = xcalloc(1, sizeof(*cd));
	h = crypt_rn(password, setting, cd, (int)sizeof(*cd));
	if (h != NULL && h[0] != '*')
		ret = xstrdup(h);
	explicit_bzero(cd, sizeof(*cd));
	free(cd);
	return ret;
}

char *
password_hash(const char *password)
{
	char  salt[CRYPT_GENSALT_OUTPUT_SIZE];
	char *h;

	/* NULL random bytes: libcrypt draws them from the kernel itself. */
	if (crypt_gensalt_rn("$y$", 0, NULL, 0, salt, (int)sizeof(salt)) ==
	    NULL) {
		log_warn("crypt_gensalt_rn");
		return NULL;
	}
	h = crypt_with(password, salt);
	if (h == NULL)
		log_warn("crypt_rn");
	return h;
}

int
password_verify(const char *password, const char *hash)
{
	char *h;
	int   ok;

	if (password == NULL)
		return 0;
	if (hash == NULL || hash[0] == '\0' || hash[0] == '*' ||
	    hash[0] == '!') {
		free_secret(crypt_with(password, DUMMY_SETTING));
		return 0;
	}
	h = crypt_with(password, hash);
	if (h == NULL)
		return 0;
	ok = secret_equal(h, hash);
	free_secret(h);
	return ok;
}

/*
 * Rejection sampling: bytes at or above the largest multiple of the
 * alphabet's size are drawn again, so every character is equally likely.
 */
const char *
password_error(const char *pw)
{
	if (pw == NULL || *pw == '\0')
		return "the password is empty";
	if (strlen(pw) > PASSWORD_MAX)
		return "the password is too long (at most 511 bytes)";
	return NULL;
}

char *
password_generate(void)
{
	static const char alphabet[] = PASSWORD_ALPHABET;
	const unsigned    n = sizeof(alphabet) - 1;
	const unsigned    limit = 256 - 256 % n;
	unsigned char     raw[32];
	char             *pw;
	size_t            len = 0;

	pw = xmalloc(PASSWORD_LEN + 1);
	while (len < PASSWORD_LEN) {
		random_bytes(raw, sizeof(raw));
		for (size_t i = 0; i < sizeof(raw) && len < PASSWORD_LEN; i++)
			if (raw[i] < limit)
				pw[len++] = alphabet[raw[i] % n];
	}
	pw[len] = '\0';
	explicit_bzero(raw, sizeof(raw));
	return pw;
}

char *
token_new(void)
{
	return random_hex(32);
}

void
token_hash(const char *token, char *out)
{
	static EVP_MD *sha256;
	unsigned char  md[EVP_MAX_MD_SIZE];
	unsigned int   len = 0;

	/* Fetched once: the proxy hashes a credential on every request, and
	 * an implicit fetch per call costs more than the hash. */
	if (sha256 == NULL &&
	    (sha256 = EVP_MD_fetch(NULL, "SHA256", NULL)) == NULL)
		fatalx("%s: no SHA-256 in OpenSSL", __func__);
	/* SHA-256 of a string in memory fails only if OpenSSL is broken. */
	if (EVP_Digest(token, strlen(token), md, &len, sha256, NULL) != 1 ||
	    len != TOKEN_HASH_LEN / 2) {
		ERR_print_errors_fp(stderr);
		fatalx("%s: EVP_Digest failed", __func__);
	}
	hex_encode(md, len, out);
}

/*
 * The throttle. Each key counts its failures; the first THROTTLE_FREE cost
 * nothing, and failure THROTTLE_FREE + k locks the key for 2^k seconds (2,
 * 4, 8, ...) up to THROTTLE_MAX_LOCK. The count is forgotten once a key has
 * been quiet for THROTTLE_WINDOW seconds after its last failure and after
 * its lock ended: measuring from the lock's end means that a guesser at the
 * cap, who tries again as each lock ends, stays at the cap.
 *
 * The table holds at most THROTTLE_MAX_KEYS keys. When it is full, keys
 * whose count would be forgotten anyway go first; if none would, the key
 * with the oldest failure does. XXX A peer that fails with thousands of
 * fresh keys can push a locked key out; the per-address key it must also
 * fail under, and the cost of each hashed guess, make that slow.
 */
struct throttle *
throttle_new(void)
{
	struct throttle *t;

	t = xcalloc(1, sizeof(*t));
	for (size_t i = 0; i < THROTTLE_BUCKETS; i++)
		LIST_INIT(&t->buckets[i]);
	TAILQ_INIT(&t->ages);
	random_bytes(&t->seed, sizeof(t->seed));
	return t;
}

void
throttle_free(struct throttle *t)
{
	struct throttle_entry *e, *next;

	if (t == NULL)
		return;
	for (e = TAILQ_FIRST(&t->ages); e != NULL; e = next) {
		next = TAILQ_NEXT(e, age);
		free(e);
	}
	free(t);
}

/* The bucket of 'key': seeded FNV-1a over its first THROTTLE_KEY_MAX - 1
 * bytes, the part that is stored. */
static size_t
throttle_slot(const struct throttle *t, const char *key)
{
	uint64_t h = 14695981039346656037ULL ^ t->seed;

	for (size_t i = 0; i < THROTTLE_KEY_MAX - 1 && key[i] != '\0'; i++) {
		h ^= (unsigned char)key[i];
		h *= 1099511628211ULL;
	}
	h ^= h >> 29;
	return (size_t)(h & (THROTTLE_BUCKETS - 1));
}

/* The entry of 'key', or NULL. */
static struct throttle_entry *
throttle_find(struct throttle *t, const char *key)
{
	struct throttle_entry *e;

	LIST_FOREACH(e, &t->buckets[throttle_slot(t, key)], bucket)
		if (strncmp(e->key, key, THROTTLE_KEY_MAX - 1) == 0)
			return e;
	return NULL;
}

/* Unlinks and frees one entry. */
static void
throttle_remove(struct throttle *t, struct throttle_entry *e)
{
	LIST_REMOVE(e, bucket);
	TAILQ_REMOVE(&t->ages, e, age);
	t->n--;
	free(e);
}

/* Whether the key has been quiet long enough to forget its count. */
static int
throttle_stale(const struct throttle_entry *e, int64_t now)
{
	int64_t quiet = e->last_fail;

	if (e->locked_until > quiet)
		quiet = e->locked_until;
	return now - quiet >= THROTTLE_WINDOW;
}

/*
 * Frees at least one slot of a full table: every stale key, else the one
 * with the oldest failure. A linear sweep, but only when full, and cheap
 * beside the password hash that each failure costs.
 */
static void
throttle_make_room(struct throttle *t, int64_t now)
{
	struct throttle_entry *e, *next;

	for (e = TAILQ_FIRST(&t->ages); e != NULL; e = next) {
		next = TAILQ_NEXT(e, age);
		if (throttle_stale(e, now))
			throttle_remove(t, e);
	}
	if (t->n >= THROTTLE_MAX_KEYS)
		throttle_remove(t, TAILQ_FIRST(&t->ages));
}

int64_t
throttle_wait(struct throttle *t, const char *key, int64_t now)
{
	struct throttle_entry *e;

	e = throttle_find(t, key);
	if (e == NULL || e->locked_until <= now)
		return 0;
	return e->locked_until - now;
}

void
throttle_fail(struct throttle *t, const char *key, int64_t now)
{
	throttle_count(t, key, now, THROTTLE_FREE);
}

/* A failure of 'key', of which the first 'free_fails' cost nothing. */
static void
throttle_count(struct throttle *t, const char *key, int64_t now, int free_fails)
{
	struct throttle_entry *e;
	int64_t                lock;
	int                    k;

	e = throttle_find(t, key);
	if (e != NULL && throttle_stale(e, now)) {
		e->fails = 0;
		e->locked_until = 0;
	}
	if (e == NULL) {
		if (t->n >= THROTTLE_MAX_KEYS)
			throttle_make_room(t, now);
		e = xcalloc(1, sizeof(*e));
		snprintf(e->key, sizeof(e->key), "%s", key);
		LIST_INSERT_HEAD(&t->buckets[throttle_slot(t, key)], e, bucket);
		t->n++;
	} else
		TAILQ_REMOVE(&t->ages, e, age);
	TAILQ_INSERT_TAIL(&t->ages, e, age);
	e->last_fail = now;
	e->free_fails = free_fails;
	if (e->fails < free_fails + 64)
		e->fails++;
	if (e->fails <= free_fails)
		return;
	k = e->fails - free_fails;
	lock = k >= 30 ? THROTTLE_MAX_LOCK : (int64_t)1 << k;
	if (lock > THROTTLE_MAX_LOCK)
		lock = THROTTLE_MAX_LOCK;
	e->locked_until = now + lock;
}

void
throttle_ok(struct throttle *t, const char *key)
{
	struct throttle_entry *e;

	e = throttle_find(t, key);
	if (e != NULL)
		throttle_remove(t, e);
}

/* Whether 'key' has failures it has not yet been forgiven. */
static int
throttle_known(struct throttle *t, const char *key, int64_t now)
{
	struct throttle_entry *e = throttle_find(t, key);

	return e != NULL && e->fails > 0 && !throttle_stale(e, now);
}

/* Takes back one failure of 'key' counted in advance; a lock goes with it
 * once the count is back within the free ones. */
static void
throttle_undo(struct throttle *t, const char *key)
{
	struct throttle_entry *e = throttle_find(t, key);

	if (e == NULL)
		return;
	if (e->fails > 0)
		e->fails--;
	if (e->fails == 0) {
		throttle_remove(t, e);
		return;
	}
	if (e->fails <= e->free_fails)
		e->locked_until = 0;
}

/* The three keys of an attempt: its address, the address and the name,
 * the name (cut to LOGIN_NAME_KEY bytes). */
static void
login_keys(const char *addr, const char *name, char *a, char *p, char *u)
{
	snprintf(a, THROTTLE_KEY_MAX, "a:%s", addr);
	snprintf(p, THROTTLE_KEY_MAX, "p:%s %.*s", addr, LOGIN_NAME_KEY, name);
	snprintf(u, THROTTLE_KEY_MAX, "u:%.*s", LOGIN_NAME_KEY, name);
}

/*
 * An attempt counts as a failure from the moment it starts: guesses sent in
 * parallel find the lock that those before them set, before any of them is
 * hashed. The name's own count only holds back addresses that have failed
 * themselves: a name under attack from elsewhere does not lock out its
 * owner at an address with a clean record; to the attacker, each new
 * address is worth one guess before the name's lock applies to it too.
 */
int64_t
login_throttle_begin(struct throttle *t, const char *addr, const char *name,
    int64_t now)
{
	char    a[THROTTLE_KEY_MAX], p[THROTTLE_KEY_MAX], u[THROTTLE_KEY_MAX];
	int64_t wait, w;

	login_keys(addr, name, a, p, u);
	wait = throttle_wait(t, a, now);
	w = throttle_wait(t, p, now);
	wait = w > wait ? w : wait;
	if (throttle_known(t, a, now) || throttle_known(t, p, now)) {
		w = throttle_wait(t, u, now);
		wait = w > wait ? w : wait;
	}
	if (wait > 0)
		return wait;
	throttle_count(t, a, now, THROTTLE_ADDR_FREE);
	throttle_count(t, p, now, THROTTLE_FREE);
	throttle_count(t, u, now, THROTTLE_FREE);
	return 0;
}

void
login_throttle_end(struct throttle *t, const char *addr, const char *name,
    int ok)
{
	char a[THROTTLE_KEY_MAX], p[THROTTLE_KEY_MAX], u[THROTTLE_KEY_MAX];

	if (!ok)
		return; /* counted when it began */
	login_keys(addr, name, a, p, u);
	/* Not forgiven: the address's other failures, which a guesser with
	 * an account of their own could otherwise wipe by logging in. */
	throttle_undo(t, a);
	throttle_ok(t, p);
	throttle_ok(t, u);
}
