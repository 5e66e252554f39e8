/* SPDX-License-Identifier: MIT */
/*
 * Tests of gitignore.c, wildmatch.c and gitignore-rsync.c: wildmatch()
 * on cases from git's own wildmatch tests, git's ignore semantics
 * (order, scope, negation, "dir/", '**', escapes, trailing spaces), the
 * walk (no way into an ignored folder), and the rsync rules the same
 * patterns become.
 */
#include <sys/stat.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "unit.h"
#include "lib/buf.h"
#include "machine/gitignore.h"
#include "machine/wildmatch.h"
#include "lib/util.h"

#define WM(p, t) (wildmatch((p), (t), WM_PATHNAME) == 0)

TEST(ignore_wildmatch_basics)
{
	ASSERT(WM("foo", "foo"));
	ASSERT(!WM("foo", "bar"));
	ASSERT(WM("", ""));
	ASSERT(WM("???", "abc"));
	ASSERT(WM("*", "foo"));
	ASSERT(WM("f*", "foo"));
	ASSERT(!WM("*f", "foo"));
	ASSERT(WM("*foo*", "foo"));
	ASSERT(WM("*ob*a*r*", "foobar"));
	ASSERT(WM("*ab", "aaaaaaabababab"));
	ASSERT(WM("foo\\*", "foo*"));
	ASSERT(!WM("foo\\*bar", "foobar"));
	ASSERT(WM("f\\\\oo", "f\\oo"));
	ASSERT(WM("*[al]?", "ball"));
	ASSERT(!WM("[ten]", "ten"));
	ASSERT(WM("**[!te]", "ten"));
	ASSERT(!WM("**[!ten]", "ten"));
	ASSERT(WM("t[a-g]n", "ten"));
	ASSERT(!WM("t[!a-g]n", "ten"));
	ASSERT(WM("t[!a-g]n", "ton"));
	ASSERT(WM("t[^a-g]n", "ton"));
	ASSERT(WM("a[]]b", "a]b"));
	ASSERT(WM("a[]-]b", "a-b"));
	ASSERT(WM("a[]a-]b", "aab"));
	ASSERT(WM("]", "]"));
	ASSERT(WM("[[:alpha:]][[:digit:]][[:upper:]]", "a1B"));
	ASSERT(!WM("[[:digit:][:upper:][:space:]]", "a"));
	ASSERT(WM("[[:digit:][:upper:][:space:]]", " "));
	ASSERT(WM("[a-c[:digit:]x-z]", "5"));
	ASSERT(!WM("[a-c[:digit:]x-z]", "q"));
	ASSERT(!WM("\\", "\\"));
}

TEST(ignore_wildmatch_slashes)
{
	ASSERT(!WM("foo*bar", "foo/baz/bar"));
	ASSERT(!WM("foo?bar", "foo/bar"));
	ASSERT(!WM("foo[/]bar", "foo/bar"));
	ASSERT(WM("foo/*", "foo/bar"));
	ASSERT(!WM("foo/*", "foo/bar/baz"));
	ASSERT(WM("foo/**", "foo/bar/baz"));
	ASSERT(!WM("foo/**", "foo"));
	ASSERT(WM("**/foo", "foo"));
	ASSERT(WM("**/foo", "x/y/foo"));
	ASSERT(WM("a/**/b", "a/b"));
	ASSERT(WM("a/**/b", "a/x/y/b"));
	ASSERT(!WM("a/**/b", "a/xb"));
	ASSERT(!WM("**/bar*", "deep/foo/bar/baz"));
	ASSERT(WM("**/bar*", "deep/foo/barbaz"));
	ASSERT(!WM("**/bar/*", "deep/foo/bar"));
	ASSERT(WM("**/bar/**", "deep/foo/bar/baz/x"));
	ASSERT(WM("*/bar/**", "foo/bar/baz/x"));
	ASSERT(!WM("*/bar/**", "deep/foo/bar/baz/x"));
	/* "**" not a whole part is one '*'. */
	ASSERT(WM("a**b", "axxb"));
	ASSERT(!WM("a**b", "a/b"));
	ASSERT(WM("foo/**/bar", "foo/baz/bar"));
	ASSERT(WM("XXX/\\[]", "XXX/[]"));
	ASSERT(!WM("XXX/\\[]", "XXX/["));
	ASSERT(WM("**/*a*b*g*n*t",
	    "abcd/abcdefg/abcdefghijk/abcdefghijklmnop.txt"));
	ASSERT(!WM("**/*a*b*g*n*t",
	    "abcd/abcdefg/abcdefghijk/abcdefghijklmnop.txtz"));
}

/* ignored(rules in root .gitignore, path, is_dir) */
static int
ign(const char *rules, const char *path, int is_dir)
{
	struct ignore *ig = ignore_new(unit_tmpdir());
	int            r;

	ignore_add(ig, "", rules, strlen(rules));
	r = ignore_match(ig, path, is_dir);
	ignore_free(ig);
	return r;
}

TEST(ignore_match_rules)
{
	ASSERT_EQ(ign("*.o\n", "a/b/c.o", 0), 1);
	ASSERT_EQ(ign("*.o\n", "a/b/c.c", 0), 0);
	/* Last match wins; '!' negates. */
	ASSERT_EQ(ign("*.log\n!keep.log\n", "x/keep.log", 0), 0);
	ASSERT_EQ(ign("!keep.log\n*.log\n", "x/keep.log", 0), 1);
	/* "dir/" only matches folders. */
	ASSERT_EQ(ign("build/\n", "build", 1), 1);
	ASSERT_EQ(ign("build/\n", "build", 0), 0);
	ASSERT_EQ(ign("build/\n", "src/build", 1), 1);
	/* A slash anchors to the .gitignore's folder. */
	ASSERT_EQ(ign("/build\n", "build", 1), 1);
	ASSERT_EQ(ign("/build\n", "src/build", 1), 0);
	ASSERT_EQ(ign("doc/out\n", "doc/out", 1), 1);
	ASSERT_EQ(ign("doc/out\n", "x/doc/out", 1), 0);
	/* Comments, blank lines, escapes, trailing spaces. */
	ASSERT_EQ(ign("# x\n\n#x\n", "#x", 0), 0);
	ASSERT_EQ(ign("\\#x\n", "#x", 0), 1);
	ASSERT_EQ(ign("\\!x\n", "!x", 0), 1);
	ASSERT_EQ(ign("a.txt   \n", "a.txt", 0), 1);
	ASSERT_EQ(ign("a\\ \n", "a ", 0), 1);
	ASSERT_EQ(ign("a\\ \n", "a", 0), 0);
	ASSERT_EQ(ign("crlf\r\n", "crlf", 0), 1);
	/* '**' */
	ASSERT_EQ(ign("**/cache\n", "cache", 1), 1);
	ASSERT_EQ(ign("**/cache\n", "a/b/cache", 1), 1);
	ASSERT_EQ(ign("data/**\n", "data/x/y", 0), 1);
	ASSERT_EQ(ign("data/**\n", "data", 1), 0);
	ASSERT_EQ(ign("a/**/z\n", "a/z", 0), 1);
}

TEST(ignore_match_nested_scope)
{
	struct ignore *ig = ignore_new(unit_tmpdir());

	ignore_add(ig, "", "*.tmp\n", 6);
	ignore_add(ig, "src", "!keep.tmp\n/only\n", 16);
	ASSERT_EQ(ignore_match(ig, "src/keep.tmp", 0), 0);
	ASSERT_EQ(ignore_match(ig, "src/deep/keep.tmp", 0), 0);
	ASSERT_EQ(ignore_match(ig, "keep.tmp", 0), 1);
	ASSERT_EQ(ignore_match(ig, "other/keep.tmp", 0), 1);
	ASSERT_EQ(ignore_match(ig, "src/only", 0), 1);
	ASSERT_EQ(ignore_match(ig, "src/x/only", 0), 0);
	ASSERT_EQ(ignore_match(ig, "only", 0), 0);
	/* "src2" is not under "src". */
	ASSERT_EQ(ignore_match(ig, "src2/keep.tmp", 0), 1);
	ignore_free(ig);
}

static void
put(const char *rel, const char *text)
{
	char *path = xasprintf("%s/%s", unit_tmpdir(), rel), *slash;
	FILE *f;

	slash = strrchr(path, '/');
	*slash = '\0';
	ASSERT_EQ(mkdir_p(path, 0755), 0);
	*slash = '/';
	f = fopen(path, "w");
	ASSERT_NOT_NULL(f);
	fputs(text, f);
	fclose(f);
	free(path);
}

static int
collect(void *arg, const char *path, const struct stat *sb)
{
	struct buf *b = arg;

	(void)sb;
	buf_addf(b, "%s\n", path);
	return 0;
}

TEST(ignore_walk_skips_ignored_folders)
{
	struct ignore    *ig;
	struct buf        b;
	const char *const skip[] = { ".rig", NULL };

	put(".gitignore", "ign/\n*.o\n");
	put("ign/keep", "");
	put("ign/.gitignore", "!keep\n");
	put("a/x.o", "");
	put("a/x.c", "");
	put("a/.gitignore", "!x.o\n");
	put(".git/config", "");
	put(".git/info/exclude", "secret\n");
	put("secret", "");
	put(".rig/state", "");
	put("top.c", "");
	ig = ignore_new(unit_tmpdir());
	buf_init(&b, 1 << 20);
	ASSERT_EQ(ignore_walk(ig, skip, collect, &b), 0);
	/* Order is the folder's; check membership. */
	ASSERT(strstr(buf_str(&b), "top.c\n") != NULL);
	ASSERT(strstr(buf_str(&b), "a/x.c\n") != NULL);
	ASSERT(strstr(buf_str(&b), "a/x.o\n") != NULL);
	ASSERT(strstr(buf_str(&b), ".gitignore\n") != NULL);
	ASSERT(strstr(buf_str(&b), "ign/") == NULL);
	ASSERT(strstr(buf_str(&b), "secret") == NULL);
	ASSERT(strstr(buf_str(&b), ".git/") == NULL);
	ASSERT(strstr(buf_str(&b), ".rig/") == NULL);
	buf_release(&b);
	ignore_free(ig);
}

/* The rules for 'text' in folder 'base', NUL-separated turned into '\n'. */
static char *
rules(const char *base, const char *text)
{
	struct ignore *ig = ignore_new(unit_tmpdir());
	struct buf     b;
	char          *s;

	ignore_add(ig, base, text, strlen(text));
	buf_init(&b, 1 << 20);
	ignore_rsync_rules(ig, NULL, &b);
	for (size_t i = 0; i < b.len; i++)
		if (b.data[i] == '\0')
			b.data[i] = '\n';
	s = buf_detach(&b, NULL);
	ignore_free(ig);
	return s;
}

TEST(ignore_rsync_translation)
{
	char *r;

	r = rules("", "*.o\n!keep.o\n/build/\ndoc/out\n");
	/* .git first; then lines last first. */
	ASSERT_STR_EQ(r, "- .git\n- /doc/out\n- /build/\n+ keep.o\n- *.o\n");
	free(r);
	/* In a subfolder: scoped, "**" + "/" both with and without. */
	r = rules("src", "*.tmp\na/**/b\n");
	ASSERT_STR_EQ(r,
	    "- .git\n- /src/a/**/b\n- /src/a/b\n"
	    "- /src/**/*.tmp\n- /src/*.tmp\n");
	free(r);
	/* Literal folder names with wildcard characters are escaped; a
	 * rule left without wildcards loses git's escapes. */
	r = rules("we[1]", "x\n");
	ASSERT_STR_EQ(r, "- .git\n- /we\\[1]/**/x\n- /we\\[1]/x\n");
	free(r);
	r = rules("", "\\#hash\n/a\\ b\n");
	ASSERT_STR_EQ(r, "- .git\n- /a b\n- #hash\n");
	free(r);
	/* '**' that is not a whole part is one '*'. */
	r = rules("", "a**b\n");
	ASSERT_STR_EQ(r, "- .git\n- a*b\n");
	free(r);
}

TEST(ignore_rsync_literal_path)
{
	struct buf b;

	buf_init(&b, 1 << 20);
	ignore_rsync_literal(&b, '-', "a/b c.txt", 0);
	ignore_rsync_literal(&b, 'P', "x[1]*?", 1);
	ASSERT_EQ(b.len,
	    strlen("- /a/b c.txt") + 1 + strlen("P /x\\[1]\\*\\?/") + 1);
	ASSERT_STR_EQ(b.data, "- /a/b c.txt");
	ASSERT_STR_EQ(b.data + strlen(b.data) + 1, "P /x\\[1]\\*\\?/");
	buf_release(&b);
}

/* Reading an ignore file as git does (issue 17): a UTF-8 byte order mark
 * at the start is skipped, a pattern that ends in a lone backslash
 * matches nothing and gives rsync no rule, CRLF and escaped trailing
 * spaces. */
TEST(ignore_read_as_git)
{
	struct ignore *ig = ignore_new(unit_tmpdir());
	char          *r;
	const char     text[] = "\xef\xbb\xbf.env\r\nfoo\\\nsp\\ \r\ntr  \n";

	ignore_add(ig, "", text, strlen(text));
	ASSERT_EQ(ignore_match(ig, ".env", 0), 1);
	ASSERT_EQ(ignore_match(ig, "foo\\", 0), 0);
	ASSERT_EQ(ignore_match(ig, "foo", 0), 0);
	ASSERT_EQ(ignore_match(ig, "sp ", 0), 1);
	ASSERT_EQ(ignore_match(ig, "tr", 0), 1);
	ignore_free(ig);
	/* Only at the start of the file. */
	r = rules("", "x\n\xef\xbb\xbfy\n");
	ASSERT_STR_EQ(r, "- .git\n- \xef\xbb\xbfy\n- x\n");
	free(r);
	r = rules("", "*\n!foo\\\n");
	ASSERT_STR_EQ(r, "- .git\n- *\n");
	free(r);
	/* An escaped backslash at the end is a backslash (and without
	 * wildcards rsync compares it literally, unescaped). */
	r = rules("", "foo\\\\\n");
	ASSERT_STR_EQ(r, "- .git\n- foo\\\n");
	free(r);
}

/* "**" + "/" after a part that ends in an escaped backslash is a whole
 * part (both forms written); a run of them is one; too many are refused
 * with a message, not written with another meaning. */
TEST(ignore_rsync_starstar)
{
	struct ignore *ig;
	struct buf     b;
	char          *r, *pat;

	r = rules("", "b\\\\/**/x\n");
	ASSERT_STR_EQ(r, "- .git\n- /b\\\\/**/x\n- /b\\/x\n");
	free(r);
	r = rules("", "**/**/**/**/**/**/**/x\n");
	ASSERT_STR_EQ(r, "- .git\n- /**/x\n- /x\n");
	free(r);
	/* Seven separate ones: 2^7 rules, the last without any. */
	r = rules("", "a/**/b/**/c/**/d/**/e/**/f/**/g/**/h\n");
	ASSERT_EQ(strlen(r) > 0, 1);
	ASSERT(strstr(r, "- /a/b/c/d/e/f/g/h\n") != NULL);
	ASSERT(strstr(r, "- /a/**/b/**/c/**/d/**/e/**/f/**/g/**/h\n") != NULL);
	free(r);
	/* Escaped '/' after "**": a whole part to git, which then tries no
	 * zero-folder form; nor does rsync. */
	r = rules("", "a/**\\/b\n");
	ASSERT_STR_EQ(r, "- .git\n- /a/**\\/b\n");
	free(r);
	ig = ignore_new(unit_tmpdir());
	pat = xstrdup("a/**/b/**/c/**/d/**/e/**/f/**/g/**/h/**/i/**/j/**/k/"
	              "**/l\n");
	ignore_add(ig, "", pat, strlen(pat));
	buf_init(&b, 1 << 20);
	ASSERT_EQ(ignore_rsync_rules(ig, NULL, &b), -1);
	buf_release(&b);
	free(pat);
	ignore_free(ig);
}

/* Tracked files the rules ignore: included with their folders, and the
 * rest of an ignored folder excluded, ahead of the translated rules. */
TEST(ignore_rsync_tracked_files)
{
	struct ignore *ig = ignore_new(unit_tmpdir());
	struct buf     b;
	const char     forced[] = "data/sub/s.csv\0x.log";

	ignore_add(ig, "", "data/\n*.log\n", 12);
	buf_init(&b, 1 << 20);
	ignore_rsync_tracked(ig, forced, sizeof(forced), &b);
	for (size_t i = 0; i < b.len; i++)
		if (b.data[i] == '\0')
			b.data[i] = '\n';
	ASSERT_STR_EQ(b.data,
	    "+ /data/sub/s.csv\n+ /data/\n+ /data/sub/\n+ /x.log\n"
	    "- /data/*\n- /data/sub/*\n");
	buf_release(&b);
	ignore_free(ig);
}
