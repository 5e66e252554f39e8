/* SPDX-License-Identifier: MIT */
/*
 * Tests of auth.c (password hashes, generated passwords, token hashes, the
 * login throttle) and of the username rules in util.c that keep hostile
 * names out of paths, URLs and terminals.
 */
#include <stdint.h>

#include "unit.h"
#include "hub/auth.h"
#include "lib/util.h"

TEST(auth_password_hash_verify)
{
	char *h, *h2;

	h = password_hash("correct horse");
	ASSERT_NOT_NULL(h);
	ASSERT(strncmp(h, "$y$", 3) == 0);
	ASSERT_EQ(password_verify("correct horse", h), 1);
	ASSERT_EQ(password_verify("correct hors", h), 0);
	ASSERT_EQ(password_verify("correct horse ", h), 0);
	ASSERT_EQ(password_verify("", h), 0);
	/* A fresh salt each time. */
	h2 = password_hash("correct horse");
	ASSERT_NOT_NULL(h2);
	ASSERT(strcmp(h, h2) != 0);
	ASSERT_EQ(password_verify("correct horse", h2), 1);
	free(h);
	free(h2);
}

TEST(auth_password_verify_never_matches)
{
	char *h = password_hash("");

	ASSERT_EQ(password_verify("", ""), 0);
	ASSERT_EQ(password_verify("x", ""), 0);
	ASSERT_EQ(password_verify("", "*"), 0);
	ASSERT_EQ(password_verify("*", "*"), 0);
	ASSERT_EQ(password_verify("x", "!"), 0);
	ASSERT_EQ(password_verify("x", "!$y$j9T$abc"), 0);
	ASSERT_EQ(password_verify("x", NULL), 0);
	ASSERT_EQ(password_verify(NULL, "x"), 0);
	ASSERT_EQ(password_verify("x", "$y$garbage"), 0);
	ASSERT_EQ(password_verify("x", "plaintext"), 0);
	/* Even the empty password has a real hash, which it matches. */
	ASSERT_NOT_NULL(h);
	ASSERT_EQ(password_verify("", h), 1);
	free(h);
}

TEST(auth_password_generate)
{
	const char *bad = "0Oo1lI";
	char       *a, *b;

	for (int i = 0; i < 200; i++) {
		a = password_generate();
		ASSERT_EQ(strlen(a), 20);
		for (size_t j = 0; a[j] != '\0'; j++) {
			char c = a[j];

			ASSERT((c >= 'a' && c <= 'z') ||
			    (c >= 'A' && c <= 'Z') || (c >= '2' && c <= '9'));
			ASSERT(strchr(bad, c) == NULL);
		}
		free_secret(a);
	}
	a = password_generate();
	b = password_generate();
	ASSERT(strcmp(a, b) != 0);
	free_secret(a);
	free_secret(b);
}

TEST(auth_token_new)
{
	char *a = token_new(), *b = token_new();

	ASSERT_EQ(strlen(a), 64);
	ASSERT_EQ(strspn(a, "0123456789abcdef"), 64);
	ASSERT(strcmp(a, b) != 0);
	free_secret(a);
	free_secret(b);
}

TEST(auth_token_hash_vectors)
{
	char out[TOKEN_HASH_LEN + 1];

	token_hash("abc", out);
	ASSERT_STR_EQ(out,
	    "ba7816bf8f01cfea414140de5dae2223"
	    "b00361a396177a9cb410ff61f20015ad");
	token_hash("", out);
	ASSERT_STR_EQ(out,
	    "e3b0c44298fc1c149afbf4c8996fb924"
	    "27ae41e4649b934ca495991b7852b855");
}

TEST(throttle_free_failures)
{
	struct throttle *t = throttle_new();
	int64_t          now = 1000000;

	ASSERT_EQ(throttle_wait(t, "alice", now), 0);
	for (int i = 0; i < THROTTLE_FREE; i++) {
		throttle_fail(t, "alice", now + i);
		ASSERT_EQ(throttle_wait(t, "alice", now + i), 0);
	}
	/* The next one locks; other keys are not affected. */
	throttle_fail(t, "alice", now + 10);
	ASSERT_EQ(throttle_wait(t, "alice", now + 10), 2);
	ASSERT_EQ(throttle_wait(t, "alice", now + 11), 1);
	ASSERT_EQ(throttle_wait(t, "alice", now + 12), 0);
	ASSERT_EQ(throttle_wait(t, "bob", now + 10), 0);
	throttle_free(t);
	throttle_free(NULL);
}

TEST(throttle_doubling_and_cap)
{
	struct throttle *t = throttle_new();
	int64_t          now = 1000000, expect = 2, w;

	for (int i = 0; i < THROTTLE_FREE; i++)
		throttle_fail(t, "k", now);
	for (int i = 0; i < 20; i++) {
		throttle_fail(t, "k", now);
		w = throttle_wait(t, "k", now);
		ASSERT_EQ(w, expect);
		/* The guesser comes back as the lock ends. */
		now += w;
		ASSERT_EQ(throttle_wait(t, "k", now), 0);
		expect = expect * 2 > THROTTLE_MAX_LOCK ? THROTTLE_MAX_LOCK
		                                        : expect * 2;
	}
	ASSERT_EQ(expect, THROTTLE_MAX_LOCK);
	/* At the cap, trying again as the lock ends keeps it at the cap. */
	throttle_fail(t, "k", now);
	ASSERT_EQ(throttle_wait(t, "k", now), THROTTLE_MAX_LOCK);
	throttle_free(t);
}

TEST(throttle_window_forgets)
{
	struct throttle *t = throttle_new();
	int64_t          now = 1000000;

	for (int i = 0; i < THROTTLE_FREE + 1; i++)
		throttle_fail(t, "k", now);
	ASSERT_EQ(throttle_wait(t, "k", now), 2);
	/* Quiet for a window after the lock: the count starts again. */
	now += 2 + THROTTLE_WINDOW;
	for (int i = 0; i < THROTTLE_FREE; i++) {
		throttle_fail(t, "k", now);
		ASSERT_EQ(throttle_wait(t, "k", now), 0);
	}
	throttle_fail(t, "k", now);
	ASSERT_EQ(throttle_wait(t, "k", now), 2);
	/* Failures spread thinner than the window never lock. */
	for (int i = 0; i < 50; i++) {
		now += THROTTLE_WINDOW + THROTTLE_MAX_LOCK;
		throttle_fail(t, "slow", now);
		ASSERT_EQ(throttle_wait(t, "slow", now), 0);
	}
	throttle_free(t);
}

TEST(throttle_ok_clears)
{
	struct throttle *t = throttle_new();
	int64_t          now = 1000000;

	for (int i = 0; i < THROTTLE_FREE + 3; i++)
		throttle_fail(t, "k", now);
	ASSERT(throttle_wait(t, "k", now) > 0);
	throttle_ok(t, "k");
	ASSERT_EQ(throttle_wait(t, "k", now), 0);
	throttle_ok(t, "k");
	throttle_ok(t, "never-seen");
	/* Five free failures again after a success. */
	for (int i = 0; i < THROTTLE_FREE; i++)
		throttle_fail(t, "k", now);
	ASSERT_EQ(throttle_wait(t, "k", now), 0);
	throttle_free(t);
}

TEST(throttle_key_table_bound)
{
	struct throttle *t = throttle_new();
	int64_t          now = 1000000;
	char             key[32];

	for (int i = 0; i < THROTTLE_FREE + 4; i++)
		throttle_fail(t, "victim", now);
	ASSERT_EQ(throttle_wait(t, "victim", now), 16);
	/* Fill the table with fresh keys: the victim, oldest, stays while
	 * there is room... */
	for (int i = 0; i < THROTTLE_MAX_KEYS - 1; i++) {
		snprintf(key, sizeof(key), "k%d", i);
		throttle_fail(t, key, now + 1);
	}
	ASSERT_EQ(throttle_wait(t, "victim", now + 1), 15);
	/* ...and is the one dropped for the next key. */
	throttle_fail(t, "one-more", now + 1);
	ASSERT_EQ(throttle_wait(t, "victim", now + 1), 0);
	ASSERT_EQ(throttle_wait(t, "k0", now + 1), 0);
	for (int i = 0; i < THROTTLE_FREE; i++)
		throttle_fail(t, "k0", now + 1);
	ASSERT_EQ(throttle_wait(t, "k0", now + 1), 2); /* still counted */

	/* A window later every key is stale: all make room at once. */
	for (int i = 0; i < THROTTLE_MAX_KEYS * 3; i++) {
		snprintf(key, sizeof(key), "z%d", i);
		throttle_fail(t, key, now + 10 * THROTTLE_WINDOW + i);
	}
	ASSERT_EQ(throttle_wait(t, "k0", now + 10 * THROTTLE_WINDOW), 0);
	throttle_free(t);
}

TEST(throttle_long_keys)
{
	struct throttle *t = throttle_new();
	char             a[1000], b[1000];

	memset(a, 'a', sizeof(a) - 1);
	a[sizeof(a) - 1] = '\0';
	memcpy(b, a, sizeof(b));
	b[900] = 'b';
	for (int i = 0; i < THROTTLE_FREE + 1; i++)
		throttle_fail(t, a, 100);
	ASSERT_EQ(throttle_wait(t, a, 100), 2);
	/* Keys are cut at a few hundred bytes: a long tail changes
	 * nothing. */
	ASSERT_EQ(throttle_wait(t, b, 100), 2);
	throttle_free(t);
}

TEST(username_valid_names)
{
	const char *ok[] = { "a", "alice", "root", "bob.smith", "a_b", "a-b",
		"x1", "0day", "a.", "abcdefghijklmnopqrstuvwxyz012345" };

	for (size_t i = 0; i < nitems(ok); i++) {
		if (username_error(ok[i]) != NULL)
			FAIL("'%s' refused: %s", ok[i], username_error(ok[i]));
		ASSERT(username_valid(ok[i]));
	}
	ASSERT_EQ(strlen(ok[nitems(ok) - 1]), 32);
}

TEST(username_hostile_names)
{
	const char *bad[] = { "", "-a", ".a", "Alice", "a/b", "..", ".",
		"abcdefghijklmnopqrstuvwxyz0123456", "a b", "a\n",
		"\xef\xbd\x81lice", "a\tb", "a\x1b[31m", "a:b", "a@b", "a%2fb",
		"../etc", "a\\b", "a'b", "-", "--help", "a\x7f" };

	for (size_t i = 0; i < nitems(bad); i++) {
		if (username_error(bad[i]) == NULL)
			FAIL("hostile name %zu accepted", i);
		ASSERT(!username_valid(bad[i]));
	}
	ASSERT_EQ(strlen(bad[7]), 33);
}

TEST(auth_password_too_long)
{
	char long_pw[600], *h;

	/* libcrypt refuses passphrases of 512 bytes or more: no hash, and
	 * never a match. */
	memset(long_pw, 'p', sizeof(long_pw) - 1);
	long_pw[sizeof(long_pw) - 1] = '\0';
	ASSERT_NULL(password_hash(long_pw));
	h = password_hash("p");
	ASSERT_NOT_NULL(h);
	ASSERT_EQ(password_verify(long_pw, h), 0);
	free(h);
}

/* Attempts count when they begin: parallel guesses meet the lock the
 * earlier ones set before any is hashed. */
TEST(login_throttle_counts_in_flight)
{
	struct throttle *t = throttle_new();
	int64_t          now = 1000000;
	int              through = 0;

	for (int i = 0; i < 40; i++)
		if (login_throttle_begin(t, "10.0.0.2", "alice", now) == 0)
			through++;
	ASSERT_EQ(through, THROTTLE_FREE + 1);
	throttle_free(t);
}

/* A name attacked from one address: its owner logs in from another that
 * has not been failing; the attacker's address stays locked. */
TEST(login_throttle_name_is_not_a_lock)
{
	struct throttle *t = throttle_new();
	int64_t          now = 1000000;

	for (int i = 0; i < 40; i++)
		if (login_throttle_begin(t, "10.0.0.2", "alice", now) == 0)
			login_throttle_end(t, "10.0.0.2", "alice", 0);
	/* Other addresses failing at the name meet its lock... */
	for (int i = 0; i < 3; i++) {
		char addr[32];

		snprintf(addr, sizeof(addr), "10.0.1.%d", i);
		ASSERT_EQ(login_throttle_begin(t, addr, "alice", now), 0);
		login_throttle_end(t, addr, "alice", 0);
		ASSERT(login_throttle_begin(t, addr, "alice", now) > 0);
	}
	/* ...a clean one does not, and its success clears the name. */
	ASSERT_EQ(login_throttle_begin(t, "10.0.0.3", "alice", now), 0);
	login_throttle_end(t, "10.0.0.3", "alice", 1);
	ASSERT_EQ(login_throttle_begin(t, "10.0.0.3", "alice", now), 0);
	login_throttle_end(t, "10.0.0.3", "alice", 1);
	ASSERT(login_throttle_begin(t, "10.0.0.2", "alice", now) > 0);
	throttle_free(t);
}

/* Logging in again and again from one address never locks it. */
TEST(login_throttle_success_uncounted)
{
	struct throttle *t = throttle_new();
	int64_t          now = 1000000;

	for (int i = 0; i < 50; i++) {
		ASSERT_EQ(login_throttle_begin(t, "10.0.0.4", "bob", now), 0);
		login_throttle_end(t, "10.0.0.4", "bob", 1);
	}
	/* An address's failures at many names add up, more slowly. */
	for (int i = 0; i < THROTTLE_ADDR_FREE; i++) {
		char name[32];

		snprintf(name, sizeof(name), "n%d", i);
		ASSERT_EQ(login_throttle_begin(t, "10.0.0.5", name, now), 0);
		login_throttle_end(t, "10.0.0.5", name, 0);
	}
	ASSERT_EQ(login_throttle_begin(t, "10.0.0.5", "x", now), 0);
	ASSERT(login_throttle_begin(t, "10.0.0.5", "y", now) > 0);
	throttle_free(t);
}

/* The rule for a chosen password, the CLI's and the pages': not empty, at
 * most PASSWORD_MAX bytes (libcrypt's limit). */
TEST(auth_password_rule)
{
	char *p = xmalloc(PASSWORD_MAX + 2);

	ASSERT_NOT_NULL(password_error(NULL));
	ASSERT_NOT_NULL(password_error(""));
	ASSERT_NULL(password_error("x"));
	memset(p, 'a', PASSWORD_MAX);
	p[PASSWORD_MAX] = '\0';
	ASSERT_NULL(password_error(p));
	p[PASSWORD_MAX] = 'a';
	p[PASSWORD_MAX + 1] = '\0';
	ASSERT_NOT_NULL(password_error(p));
	free(p);
}
