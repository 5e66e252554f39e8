/* SPDX-License-Identifier: MIT */
/*
 * One-time messages of the pages across a redirect (pages-internal.h): a
 * POST that made something answers with a redirect to a page, and that
 * page's next GET shows what was made, once. Kept in memory only, by a
 * hash of the session's XSRF token (one entry per session and page), at
 * most PAGE_FLASH_TTL seconds and FLASH_MAX entries: a hub restart loses
 * them, as it would a page not yet shown.
 */
#include <sys/queue.h>

#include <stdlib.h>
#include <string.h>

#include "auth.h"
#include "html.h"
#include "pages-internal.h"
#include "req.h"
#include "respond.h"
#include "lib/util.h"

#define FLASH_MAX 256

struct flash {
	char    key[TOKEN_HASH_LEN + 1]; /* of the session's XSRF token */
	char   *page;
	char   *notice;
	char   *secret; /* NULL if none; wiped when freed */
	int64_t expires;
	TAILQ_ENTRY(flash) entry;
};
TAILQ_HEAD(flashes, flash);

static struct flashes flashes = TAILQ_HEAD_INITIALIZER(flashes);
static size_t         count;

static void          flash_free(struct flash *);
static int           flash_key(const struct req *, char *);
static struct flash *flash_find(const char *key, const char *page);

static void
flash_free(struct flash *f)
{
	TAILQ_REMOVE(&flashes, f, entry);
	count--;
	free(f->page);
	free_secret(f->notice);
	free_secret(f->secret);
	free(f);
}

/* The session's key; -1 for a request without a session's XSRF token. */
static int
flash_key(const struct req *req, char *key)
{
	if (req->xsrf == NULL || *req->xsrf == '\0')
		return -1;
	token_hash(req->xsrf, key);
	return 0;
}

/* The entry of 'key' for 'page', expired ones dropped on the way. */
static struct flash *
flash_find(const char *key, const char *page)
{
	struct flash *f, *next;
	int64_t       now = now_sec();

	for (f = TAILQ_FIRST(&flashes); f != NULL; f = next) {
		next = TAILQ_NEXT(f, entry);
		if (f->expires <= now)
			flash_free(f);
		else if (strcmp(f->key, key) == 0 && strcmp(f->page, page) == 0)
			return f;
	}
	return NULL;
}

int
page_flash_put(const struct req *req, const char *page, const char *notice,
    const char *secret)
{
	char          key[TOKEN_HASH_LEN + 1];
	struct flash *f;

	if (flash_key(req, key) == -1)
		return -1;
	f = flash_find(key, page);
	if (f != NULL)
		flash_free(f);
	if (count >= FLASH_MAX) /* the oldest goes */
		flash_free(TAILQ_FIRST(&flashes));
	f = xcalloc(1, sizeof(*f));
	memcpy(f->key, key, sizeof(key));
	f->page = xstrdup(page);
	f->notice = xstrdup(notice);
	f->secret = secret != NULL ? xstrdup(secret) : NULL;
	f->expires = now_sec() + PAGE_FLASH_TTL;
	TAILQ_INSERT_TAIL(&flashes, f, entry);
	count++;
	return 0;
}

void
page_made_paras(struct buf *b, const char *notice, const char *secret)
{
	buf_adds(b, "<p>");
	html_add(b, notice);
	buf_adds(b, "</p>");
	if (secret != NULL) {
		buf_adds(b, "<p class=\"secret\" id=\"secret\">");
		html_add(b, secret);
		buf_adds(b, "</p><p>It is shown only this once.</p>");
	}
}

void
page_made(struct req *req, const char *page, const char *notice,
    const char *secret)
{
	struct buf b;

	if (page_flash_put(req, page, notice, secret) == 0) {
		respond_redirect(req, page, NULL);
		return;
	}
	buf_init(&b, (size_t)-1 / 2);
	html_begin(&b, "Done", req->user.name, req->user.admin);
	buf_adds(&b, "<div class=\"box\" role=\"status\">");
	page_made_paras(&b, notice, secret);
	buf_adds(&b, "<p><a href=\"");
	html_add(&b, page);
	buf_adds(&b, "\">Back</a></p></div>");
	html_end(&b);
	page_respond(req, 200, &b, NULL);
}

int
page_flash_take(const struct req *req, const char *page, char **notice,
    char **secret)
{
	char          key[TOKEN_HASH_LEN + 1];
	struct flash *f;

	*notice = *secret = NULL;
	if (flash_key(req, key) == -1)
		return 0;
	f = flash_find(key, page);
	if (f == NULL)
		return 0;
	*notice = f->notice;
	*secret = f->secret;
	f->notice = f->secret = NULL;
	flash_free(f);
	return 1;
}
