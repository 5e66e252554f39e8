/* SPDX-License-Identifier: MIT */
/*
 * Tests of sync.c's helpers: rsync's itemized lines (with escaped
 * names), the names of conflict copies, byte counts for people; and of
 * sync-manifest.c: records saved and read again, only for their key.
 */
#include <stdio.h>
#include <string.h>

#include "unit.h"
#include "machine/sync-manifest.h"
#include "machine/sync.h"
#include "lib/util.h"

TEST(sync_items_and_names)
{
	struct sync_item it;
	char             line[256], *n;
	char             hb[32];

	snprintf(line, sizeof(line),
	    ">f.st...... 1234 2026/11/25-13:05:01 "
	    "a dir/we\\#012ird");
	ASSERT_EQ(sync_parse_item(line, &it), 0);
	ASSERT_STR_EQ(it.flags, ">f.st......");
	ASSERT_EQ(it.size, 1234);
	ASSERT_STR_EQ(it.mtime, "2026/11/25-13:05:01");
	ASSERT_STR_EQ(it.name, "a dir/we\nird");
	snprintf(line, sizeof(line),
	    "*deleting   0 1970/01/01-00:00:00 "
	    "old/x");
	ASSERT_EQ(sync_parse_item(line, &it), 0);
	ASSERT_STR_EQ(it.flags, "*deleting");
	ASSERT_STR_EQ(it.name, "old/x");
	snprintf(line, sizeof(line), "Number of files: 3");
	ASSERT_EQ(sync_parse_item(line, &it), -1);

	n = sync_conflict_name(unit_tmpdir(), "docs/readme.md");
	ASSERT_STR_EQ(n, "docs/readme.remote-conflict.md");
	free(n);
	n = sync_conflict_name(unit_tmpdir(), ".bashrc");
	ASSERT_STR_EQ(n, ".bashrc.remote-conflict");
	free(n);
	n = sync_conflict_name(unit_tmpdir(), "Makefile");
	ASSERT_STR_EQ(n, "Makefile.remote-conflict");
	free(n);
	{
		char *p = xasprintf("%s/x.remote-conflict.c", unit_tmpdir());
		FILE *f = fopen(p, "w");

		ASSERT_NOT_NULL(f);
		fclose(f);
		free(p);
	}
	n = sync_conflict_name(unit_tmpdir(), "x.c");
	ASSERT_STR_EQ(n, "x.remote-conflict-2.c");
	free(n);

	sync_human_bytes(999, hb, sizeof(hb));
	ASSERT_STR_EQ(hb, "999 B");
	sync_human_bytes(1234567, hb, sizeof(hb));
	ASSERT_STR_EQ(hb, "1.2 MB");
}

TEST(sync_manifest_round_trip)
{
	struct manifest        mf, back;
	struct manifest_entry *e;
	char                  *path = xasprintf("%s/m", unit_tmpdir());

	memset(&mf, 0, sizeof(mf));
	manifest_add(&mf, "b/new\nline.txt", 5, 1700000000, 123);
	manifest_add(&mf, "a.txt", 1, 1600000000, 0);
	ASSERT_EQ(manifest_save(&mf, path, "host:22:/w"), 0);
	ASSERT_EQ(manifest_load(&back, path, "host:22:/w"), 0);
	ASSERT_EQ(back.n, 2);
	e = manifest_find(&back, "b/new\nline.txt");
	ASSERT_NOT_NULL(e);
	ASSERT_EQ(e->size, 5);
	ASSERT_EQ(e->mtime_s, 1700000000);
	ASSERT_EQ(e->mtime_ns, 123);
	ASSERT_NULL(manifest_find(&back, "c.txt"));
	manifest_free(&back);
	/* Another machine's records are not ours. */
	ASSERT_EQ(manifest_load(&back, path, "other:22:/w"), 0);
	ASSERT_EQ(back.n, 0);
	manifest_free(&back);
	manifest_free(&mf);
	free(path);
}
