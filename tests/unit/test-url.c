/* SPDX-License-Identifier: MIT */
/*
 * Tests of url.c: percent-decoding and encoding, form and query fields,
 * cookies, request-target splitting, and above all the `next` redirect
 * check, which is fed every shape of off-site URL browsers are known to
 * follow (scheme-relative, backslashes, tabs, encoded slashes, schemes).
 */
#include <stdint.h>

#include "unit.h"
#include "lib/url.h"
#include "lib/util.h"

/* Asserts that url_decode(s, plus) gives 'want' (NULL: refused). */
static void
check_decode(const char *s, int plus, const char *want)
{
	char *got = url_decode(s, strlen(s), plus);

	if (want == NULL) {
		if (got != NULL)
			FAIL("url_decode(\"%s\") gave \"%s\", want NULL", s,
			    got);
		return;
	}
	if (got == NULL || strcmp(got, want) != 0)
		FAIL("url_decode(\"%s\") gave \"%s\", want \"%s\"", s,
		    got ? got : "(null)", want);
	free(got);
}

/* Asserts that form_get(form, name) gives 'want' (NULL: absent). */
static void
check_form(const char *form, const char *name, const char *want)
{
	char *got = form_get(form, strlen(form), name);

	if (want == NULL) {
		if (got != NULL)
			FAIL("form_get(\"%s\", \"%s\") gave \"%s\", want NULL",
			    form, name, got);
		return;
	}
	if (got == NULL || strcmp(got, want) != 0)
		FAIL("form_get(\"%s\", \"%s\") gave \"%s\", want \"%s\"", form,
		    name, got ? got : "(null)", want);
	free(got);
}

/* Asserts that cookie_get(header, name) gives 'want' (NULL: absent). */
static void
check_cookie(const char *header, const char *name, const char *want)
{
	char *got = cookie_get(header, strlen(header), name);

	if (want == NULL) {
		if (got != NULL)
			FAIL(
			    "cookie_get(\"%s\", \"%s\") gave \"%s\", want NULL",
			    header, name, got);
		return;
	}
	if (got == NULL || strcmp(got, want) != 0)
		FAIL("cookie_get(\"%s\", \"%s\") gave \"%s\", want \"%s\"",
		    header, name, got ? got : "(null)", want);
	free(got);
}

TEST(url_decode_plain)
{
	check_decode("", 0, "");
	check_decode("abc", 0, "abc");
	check_decode("%41%62%2f%2F", 0, "Ab//");
	check_decode("a%20b", 0, "a b");
	check_decode("%e2%82%ac", 0, "\xe2\x82\xac");
	check_decode("%25", 0, "%");
	check_decode("%2525", 0, "%25");
	check_decode("100%25", 0, "100%");
	check_decode("%0a", 0, "\n");
	check_decode("%ff", 0, "\xff");
}

TEST(url_decode_plus)
{
	check_decode("a+b", 1, "a b");
	check_decode("a+b", 0, "a+b");
	check_decode("%2B", 1, "+");
	check_decode("%2b+%2b", 1, "+ +");
	check_decode("++", 1, "  ");
}

TEST(url_decode_malformed)
{
	static const char *const bad[] = { "%", "%4", "%zz", "%00", "a%", "a%4",
		"%4g", "%g4", "%%41", "% 41", "%-1", "%+1", "abc%0" };

	for (size_t i = 0; i < nitems(bad); i++) {
		check_decode(bad[i], 0, NULL);
		check_decode(bad[i], 1, NULL);
	}
}

TEST(url_decode_nul)
{
	static const char s[] = "ab\0cd";
	char             *r;

	/* A NUL in the input would cut the C string short: refused too. */
	ASSERT_NULL(url_decode(s, sizeof(s) - 1, 0));
	/* Only 'len' bytes are read. */
	r = url_decode("abc%41", 3, 0);
	ASSERT_STR_EQ(r, "abc");
	free(r);
	r = url_decode("%41%", 3, 0);
	ASSERT_STR_EQ(r, "A");
	free(r);
}

TEST(url_encode)
{
	char *r;

	r = url_encode("", 0);
	ASSERT_STR_EQ(r, "");
	free(r);
	r = url_encode("AZaz09-._~", 0);
	ASSERT_STR_EQ(r, "AZaz09-._~");
	free(r);
	r = url_encode("/user/al ice?x=1&y=2#f+%", 0);
	ASSERT_STR_EQ(r, "%2Fuser%2Fal%20ice%3Fx%3D1%26y%3D2%23f%2B%25");
	free(r);
	r = url_encode("/user/al ice", 1);
	ASSERT_STR_EQ(r, "/user/al%20ice");
	free(r);
	r = url_encode("\xe2\x82\xac\x01\x7f", 0);
	ASSERT_STR_EQ(r, "%E2%82%AC%01%7F");
	free(r);
}

TEST(url_encode_round_trip)
{
	char   in[256], *enc, *dec;
	size_t n = 0;

	for (int c = 1; c < 256; c++)
		in[n++] = (char)c;
	in[n] = '\0';
	enc = url_encode(in, 0);
	/* Nothing but unreserved characters and escapes remain. */
	for (const char *p = enc; *p; p++)
		ASSERT(
		    strchr(
		        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
		        "0123456789-._~%",
		        *p) != NULL);
	dec = url_decode(enc, strlen(enc), 1);
	ASSERT_NOT_NULL(dec);
	ASSERT_EQ(strlen(dec), 255);
	ASSERT(memcmp(dec, in, 255) == 0);
	free(enc);
	free(dec);
}

TEST(form_get_basic)
{
	check_form("user=alice&password=s%26cret", "user", "alice");
	check_form("user=alice&password=s%26cret", "password", "s&cret");
	check_form("user=alice&password=s%26cret", "pass", NULL);
	check_form("user=alice&password=s%26cret", "users", NULL);
	check_form("user=alice&password=s%26cret", "", NULL);
	check_form("", "user", NULL);
	check_form("q=a+b%2Bc", "q", "a b+c");
	check_form("next=%2Fuser%2Falice%2Flab%3Fx%3D1", "next",
	    "/user/alice/lab?x=1");
	/* '=' inside a value belongs to the value. */
	check_form("t=a=b", "t", "a=b");
}

TEST(form_get_repeated_and_empty)
{
	/* The first one wins. */
	check_form("a=1&a=2", "a", "1");
	check_form("b=0&a=1&a=2", "a", "1");
	/* Empty values and keys without '='. */
	check_form("a=&b=2", "a", "");
	check_form("a&b=2", "a", "");
	check_form("b=2&a", "a", "");
	check_form("&&a=1&&", "a", "1");
	check_form("=x&a=1", "a", "1");
	check_form("=x", "", "x");
}

TEST(form_get_encoded_keys)
{
	check_form("us%65r=alice", "user", "alice");
	check_form("my+key=v", "my key", "v");
	check_form("my%20key=v", "my key", "v");
	/* A malformed key is skipped, a later good one still found. */
	check_form("%zz=1&a=2", "a", "2");
	/* A malformed value is an absent value, not a partial one. */
	check_form("a=%zz", "a", NULL);
	check_form("a=%00", "a", NULL);
	check_form("a=x%", "a", NULL);
	/* Only 'len' bytes count. */
	{
		const char *f = "a=1&b=2";
		char       *r = form_get(f, 3, "a");

		ASSERT_STR_EQ(r, "1");
		free(r);
		ASSERT_NULL(form_get(f, 3, "b"));
	}
}

TEST(cookie_get_basic)
{
	check_cookie("rig-session=abc123", "rig-session", "abc123");
	check_cookie("a=1; rig-session=abc123; b=2", "rig-session", "abc123");
	check_cookie("a=1;rig-session=abc123;b=2", "rig-session", "abc123");
	check_cookie("a=1;  \trig-session=abc123  ;b=2", "rig-session",
	    "abc123");
	check_cookie("a=1; b=2", "rig-session", NULL);
	check_cookie("", "rig-session", NULL);
	check_cookie("rig-session", "rig-session", NULL);
	check_cookie("rig-session=", "rig-session", "");
	/* Values are not decoded. */
	check_cookie("x=a%20b+c", "x", "a%20b+c");
	/* '=' inside a value is part of it (base64). */
	check_cookie("x=YWJj==", "x", "YWJj==");
}

TEST(cookie_get_similar_names)
{
	check_cookie("xrig-session=evil", "rig-session", NULL);
	check_cookie("xrig-session=evil; rig-session=good", "rig-session",
	    "good");
	check_cookie("rig-session-x=evil; rig-session=good", "rig-session",
	    "good");
	check_cookie("rig-sessio=evil", "rig-session", NULL);
	check_cookie("RIG-SESSION=evil", "rig-session", NULL);
	check_cookie("rig-session=good; xrig-session=evil", "xrig-session",
	    "evil");
	/* The first one wins, as browsers send the most specific first. */
	check_cookie("rig-session=one; rig-session=two", "rig-session", "one");
}

TEST(cookie_get_quotes)
{
	check_cookie("x=\"abc\"", "x", "abc");
	check_cookie("a=1; x=\"a b\" ; c=3", "x", "a b");
	check_cookie("x=\"\"", "x", "");
	check_cookie("x=\"", "x", "\"");
	check_cookie("x=\"abc", "x", "\"abc");
	check_cookie("x=abc\"", "x", "abc\"");
}

TEST(cookie_get_length)
{
	const char *h = "a=12345; b=2";
	char       *r;

	r = cookie_get(h, 4, "a");
	ASSERT_STR_EQ(r, "12");
	free(r);
	ASSERT_NULL(cookie_get(h, 7, "b"));
}

TEST(next_local_paths)
{
	static const char *const ok[] = {
		"/",
		"/hub/home",
		"/user/alice/lab",
		"/ok?x=1",
		"/user/alice/lab?x=1&y=/%2F",
		"/a//b",
		"/a/%2F%2Fevil.com",
		"/hub/login#frag",
		"/caf\xc3\xa9",
	};

	for (size_t i = 0; i < nitems(ok); i++) {
		char *r = next_sanitize(ok[i]);

		if (r == NULL)
			FAIL("next '%s' refused", ok[i]);
		/* Kept exactly as is: nothing repaired, nothing decoded. */
		ASSERT_STR_EQ(r, ok[i]);
		free(r);
	}
}

TEST(next_hostile)
{
	static const char *const bad[] = {
		"",
		"//evil.com",
		"///evil.com",
		"////evil.com",
		"/\\evil.com",
		"/\\/evil.com",
		"\\/evil.com",
		"\\\\evil.com",
		"https://evil.com",
		"http://evil.com/",
		"https:evil.com",
		"https:/evil.com",
		"javascript:alert(1)",
		"JavaScript:alert(1)",
		"data:text/html,<script>alert(1)</script>",
		"evil.com",
		"hub/home",
		"./x",
		"?next=/",
		"#/x",
		"/%2F%2Fevil.com",
		"/%2f%2fevil.com",
		"/%2Fevil.com",
		"/%5Cevil",
		"/%5cevil",
		"/\t/evil.com",
		"/\n/evil.com",
		"/\r/evil.com",
		"\t//evil.com",
		" /x",
		"/x y",
		"/x\x7f",
		"/x\x01",
		"/x\x1b[31m",
		"/a\\b",
		"/x\n",
	};

	for (size_t i = 0; i < nitems(bad); i++) {
		char *r = next_sanitize(bad[i]);

		if (r != NULL)
			FAIL("next %zu '%s' allowed as '%s'", i, bad[i], r);
	}
	ASSERT_NULL(next_sanitize(NULL));
}

TEST(next_long)
{
	char  s[4096];
	char *r;

	memset(s, 'a', sizeof(s));
	s[0] = '/';
	s[2048] = '\0';
	r = next_sanitize(s);
	ASSERT_NOT_NULL(r);
	ASSERT_EQ(strlen(r), 2048);
	free(r);
	s[2048] = 'a';
	s[2049] = '\0';
	ASSERT_NULL(next_sanitize(s));
	s[sizeof(s) - 1] = '\0';
	ASSERT_NULL(next_sanitize(s));
}

TEST(target_split)
{
	char *path, *query;

	target_split("/a/b?x=1&y=2", 12, &path, &query);
	ASSERT_STR_EQ(path, "/a/b");
	ASSERT_STR_EQ(query, "x=1&y=2");
	free(path);
	free(query);

	target_split("/a/b", 4, &path, &query);
	ASSERT_STR_EQ(path, "/a/b");
	ASSERT_STR_EQ(query, "");
	free(path);
	free(query);

	target_split("/a?", 3, &path, &query);
	ASSERT_STR_EQ(path, "/a");
	ASSERT_STR_EQ(query, "");
	free(path);
	free(query);

	/* Only the first '?' splits. */
	target_split("/a?b?c", 6, &path, &query);
	ASSERT_STR_EQ(path, "/a");
	ASSERT_STR_EQ(query, "b?c");
	free(path);
	free(query);

	/* The path is not decoded; only 'len' bytes count. */
	target_split("/a%20b?q HTTP/1.1", 8, &path, &query);
	ASSERT_STR_EQ(path, "/a%20b");
	ASSERT_STR_EQ(query, "q");
	free(path);
	free(query);

	target_split("", 0, &path, &query);
	ASSERT_STR_EQ(path, "");
	ASSERT_STR_EQ(query, "");
	free(path);
	free(query);
}

/* Asserts that url_path_normalize(path) gives 'want' (NULL: refused). */
static void
check_norm(const char *path, const char *want)
{
	char *got = url_path_normalize(path, strlen(path));

	if (want == NULL) {
		if (got != NULL)
			FAIL("url_path_normalize(\"%s\") gave \"%s\", want "
			     "NULL",
			    path, got);
		free(got);
		return;
	}
	if (got == NULL || strcmp(got, want) != 0)
		FAIL("url_path_normalize(\"%s\") gave \"%s\", want \"%s\"",
		    path, got ? got : "(null)", want);
	free(got);
}

TEST(path_normalize_plain)
{
	check_norm("/", "/");
	check_norm("/user/alice/", "/user/alice/");
	check_norm("/user/alice/lab/tree", "/user/alice/lab/tree");
	check_norm("/user/alice/api/contents/a%20b",
	    "/user/alice/api/contents/a%20b");
	check_norm("/hub/api/users/bob", "/hub/api/users/bob");
	/* Not origin-form: copied, matching no route. */
	check_norm("*", "*");
	check_norm("http://h/x", "http://h/x");
}

TEST(path_normalize_dots)
{
	check_norm("/user/alice/../zz/x", "/user/zz/x");
	check_norm("/user/alice/%2e%2e/zz/x", "/user/zz/x");
	check_norm("/user/alice/%2E%2e/zz/x", "/user/zz/x");
	check_norm("/user/alice/.%2e/zz/x", "/user/zz/x");
	check_norm("/user/alice/./x", "/user/alice/x");
	check_norm("/user/alice/%2e/x", "/user/alice/x");
	check_norm("/user/alice/.", "/user/alice/");
	check_norm("/user/alice/..", "/user/");
	check_norm("/a/b/c/../../d", "/a/d");
	check_norm("/..", NULL);
	check_norm("/a/../..", NULL);
	check_norm("/%2e%2e/hub", NULL);
	/* Not dot segments. */
	check_norm("/user/alice/...", "/user/alice/...");
	check_norm("/user/alice/..a/.b", "/user/alice/..a/.b");
	check_norm("/user/alice/%2e%2e%2e", "/user/alice/%2e%2e%2e");
	check_norm("/user/alice/%2", "/user/alice/%2");
}

TEST(path_normalize_slashes)
{
	check_norm("/user/alice//../zz/x", "/user/zz/x");
	check_norm("//user/alice/x", "/user/alice/x");
	check_norm("/user//alice/x//", "/user/alice/x/");
	check_norm("/user/alice/x/", "/user/alice/x/");
}

TEST(path_normalize_refused)
{
	check_norm("/user/alice/%00", NULL);
	check_norm("/user/al%2fice/x", NULL);
	check_norm("/user%2Falice/x", NULL);
	check_norm("/user/al%5cice/x", NULL);
	check_norm("/user/al\\ice/x", NULL);
	check_norm("/user/alice/..%2f..%2fhub", NULL);
	check_norm("/user/alice/%2e%2e%2fzz", NULL);
	check_norm("/user/alice/..\\zz", NULL);
	check_norm("/user/alice/x%5c..", NULL);
	/* Deeper in, an encoded slash is the server's business. */
	check_norm("/user/alice/api/contents/a%2Fb",
	    "/user/alice/api/contents/a%2Fb");
	check_norm("/user/alice/a\\b", "/user/alice/a\\b");
}
