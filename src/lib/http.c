/* SPDX-License-Identifier: MIT */
/*
 * HTTP/1.1 head and body-framing parser. It works on bytes already read and
 * never allocates: a head is parsed in place and its fields point into the
 * caller's buffer. Everything that decides where a message ends (lengths,
 * chunked encoding) is checked strictly, since a proxy that frames a message
 * differently from the server behind it can be used to smuggle requests.
 */
#include <stddef.h>
#include <string.h>
#include <strings.h>

#include "http.h"
#include "util.h"

/* Token characters of RFC 9110 §5.6.2, as a table: the parser asks for
 * every byte of every header name. */
/* clang-format off */
static const unsigned char tchar[256] = {
	['!'] = 1, ['#'] = 1, ['$'] = 1, ['%'] = 1, ['&'] = 1, ['\''] = 1,
	['*'] = 1, ['+'] = 1, ['-'] = 1, ['.'] = 1, ['^'] = 1, ['_'] = 1,
	['`'] = 1, ['|'] = 1, ['~'] = 1,
	['0'] = 1, ['1'] = 1, ['2'] = 1, ['3'] = 1, ['4'] = 1, ['5'] = 1,
	['6'] = 1, ['7'] = 1, ['8'] = 1, ['9'] = 1,
	['A'] = 1, ['B'] = 1, ['C'] = 1, ['D'] = 1, ['E'] = 1, ['F'] = 1,
	['G'] = 1, ['H'] = 1, ['I'] = 1, ['J'] = 1, ['K'] = 1, ['L'] = 1,
	['M'] = 1, ['N'] = 1, ['O'] = 1, ['P'] = 1, ['Q'] = 1, ['R'] = 1,
	['S'] = 1, ['T'] = 1, ['U'] = 1, ['V'] = 1, ['W'] = 1, ['X'] = 1,
	['Y'] = 1, ['Z'] = 1,
	['a'] = 1, ['b'] = 1, ['c'] = 1, ['d'] = 1, ['e'] = 1, ['f'] = 1,
	['g'] = 1, ['h'] = 1, ['i'] = 1, ['j'] = 1, ['k'] = 1, ['l'] = 1,
	['m'] = 1, ['n'] = 1, ['o'] = 1, ['p'] = 1, ['q'] = 1, ['r'] = 1,
	['s'] = 1, ['t'] = 1, ['u'] = 1, ['v'] = 1, ['w'] = 1, ['x'] = 1,
	['y'] = 1, ['z'] = 1,
};
/* clang-format on */

static int
is_tchar(unsigned char c)
{
	return tchar[c];
}

/* Field value characters: visible, obs-text, space and tab. */
static int
is_vchar(unsigned char c)
{
	return c == '\t' || (c >= 0x20 && c != 0x7f);
}

/* Finds the end of the head: the byte after the empty line. 0 if absent,
 * -1 on a bare CR. */
static ssize_t
head_end(const char *d, size_t len)
{
	const char *p = d, *end = d + len, *nl, *cr;

	/* Line by line: a CR may only stand right before its LF. */
	while ((nl = memchr(p, '\n', (size_t)(end - p))) != NULL) {
		cr = memchr(p, '\r', (size_t)(nl - p));
		if (cr != NULL && cr != nl - 1)
			return -1;
		if (nl == p || (nl == p + 1 && p[0] == '\r'))
			return p == d ? -1 : nl + 1 - d;
		p = nl + 1;
	}
	cr = memchr(p, '\r', (size_t)(end - p));
	if (cr != NULL && cr != end - 1)
		return -1;
	return 0;
}

/* The length of the line at 'p' up to 'end' without its terminator, and
 * sets *next past the terminator. */
static size_t
line_len(const char *p, const char *end, const char **next)
{
	const char *nl = memchr(p, '\n', (size_t)(end - p));
	size_t      n;

	if (nl == NULL) {
		*next = end;
		return (size_t)(end - p);
	}
	*next = nl + 1;
	n = (size_t)(nl - p);
	if (n > 0 && p[n - 1] == '\r')
		n--;
	return n;
}

static int
eq_ci(const char *a, size_t alen, const char *b)
{
	return alen == strlen(b) && strncasecmp(a, b, alen) == 0;
}

static int
parse_version(const char *p, size_t n, int *minor)
{
	if (n != 8 || memcmp(p, "HTTP/", 5) != 0 || p[6] != '.')
		return HTTP_EBAD;
	if (p[5] != '1' || p[7] < '0' || p[7] > '9')
		return HTTP_EVERSION;
	*minor = p[7] - '0';
	return 0;
}

/* Parses the header lines from 'p' to 'end' into h->hdr. */
static int
parse_fields(const char *p, const char *end, struct http_head *h)
{
	const char *next;
	size_t      n;

	h->nhdr = 0;
	for (;;) {
		const char *line = p, *colon, *v, *ve;

		n = line_len(p, end, &next);
		if (n == 0)
			return 0;
		if (line[0] == ' ' || line[0] == '\t')
			return HTTP_EBAD; /* obsolete line folding */
		colon = memchr(line, ':', n);
		if (colon == NULL || colon == line)
			return HTTP_EBAD;
		for (const char *c = line; c < colon; c++)
			if (!is_tchar((unsigned char)*c))
				return HTTP_EBAD;
		v = colon + 1;
		ve = line + n;
		for (const char *c = v; c < ve; c++)
			if (!is_vchar((unsigned char)*c))
				return HTTP_EBAD;
		while (v < ve && (*v == ' ' || *v == '\t'))
			v++;
		while (ve > v && (ve[-1] == ' ' || ve[-1] == '\t'))
			ve--;
		if (h->nhdr == HTTP_MAX_HEADERS)
			return HTTP_ETOOMANY;
		h->hdr[h->nhdr].name = line;
		h->hdr[h->nhdr].name_len = (size_t)(colon - line);
		h->hdr[h->nhdr].value = v;
		h->hdr[h->nhdr].value_len = (size_t)(ve - v);
		h->nhdr++;
		p = next;
	}
}

/* Parses a Content-Length value: digits only, no sign, bounded. */
static int
parse_length(const char *v, size_t n, uint64_t *out)
{
	uint64_t x = 0;

	if (n == 0 || n > 18)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (v[i] < '0' || v[i] > '9')
			return -1;
		x = x * 10 + (uint64_t)(v[i] - '0');
	}
	*out = x;
	return 0;
}

/* Whether a Transfer-Encoding list ends with "chunked". */
static int
last_is_chunked(const char *v, size_t n)
{
	const char *comma = memrchr(v, ',', n), *t;

	if (comma == NULL)
		return 0;
	t = comma + 1;
	while (t < v + n && (*t == ' ' || *t == '\t'))
		t++;
	return eq_ci(t, (size_t)(v + n - t), "chunked");
}

/* Derives framing and connection handling from the headers. */
static int
derive(struct http_head *h, int is_request)
{
	int has_cl = 0, has_te = 0, te_chunked = 0, hosts = 0;

	h->body = BODY_NONE;
	h->length = 0;
	for (size_t i = 0; i < h->nhdr; i++) {
		struct http_header *f = &h->hdr[i];

		if (eq_ci(f->name, f->name_len, "content-length")) {
			uint64_t len;

			if (parse_length(f->value, f->value_len, &len) == -1)
				return HTTP_EFRAMING;
			/* Even two equal lengths are refused in a request, as
			 * nginx does: a proxy forwarding both leaves the
			 * next hop to pick one. */
			if (has_cl && (is_request || len != h->length))
				return HTTP_EFRAMING;
			has_cl = 1;
			h->length = len;
		} else if (eq_ci(f->name, f->name_len, "transfer-encoding")) {
			if (has_te)
				return HTTP_EFRAMING;
			has_te = 1;
			/* In a response the last coding decides (RFC 9112
			 * §6.3); a request must say exactly "chunked". */
			te_chunked = eq_ci(f->value, f->value_len, "chunked") ||
			    (!is_request &&
			        last_is_chunked(f->value, f->value_len));
		} else if (eq_ci(f->name, f->name_len, "host"))
			hosts++;
	}
	if (has_te && has_cl)
		return HTTP_EFRAMING;
	if (is_request) {
		if (hosts > 1 || (hosts == 0 && h->minor >= 1))
			return HTTP_EBAD;
		if (has_te && !te_chunked)
			return HTTP_EFRAMING;
	}
	if (has_te)
		h->body = te_chunked ? BODY_CHUNKED : BODY_UNTIL_CLOSE;
	else if (has_cl)
		h->body =
		    h->length > 0 || !is_request ? BODY_LENGTH : BODY_NONE;
	else if (!is_request)
		h->body = BODY_UNTIL_CLOSE;

	if (h->minor == 0)
		h->keep_alive =
		    http_header_has_token(h, "connection", "keep-alive");
	else
		h->keep_alive =
		    !http_header_has_token(h, "connection", "close");
	h->upgrade = http_header_has_token(h, "connection", "upgrade") &&
	    http_header(h, "upgrade", NULL) != NULL;
	h->expect_continue = 0;
	if (is_request) {
		size_t      n;
		const char *e = http_header(h, "expect", &n);

		h->expect_continue = e != NULL && eq_ci(e, n, "100-continue");
	}
	return 0;
}

/* Clears the head but for its header array (4 KiB, filled as parsed). */
static void
head_clear(struct http_head *h)
{
	memset(h, 0, offsetof(struct http_head, hdr));
	h->nhdr = 0;
	h->body = BODY_NONE;
	h->length = 0;
	h->keep_alive = 0;
	h->upgrade = 0;
	h->expect_continue = 0;
}

int
http_parse_request(const char *data, size_t len, struct http_head *h)
{
	const char *p = data, *end, *next, *sp1, *sp2;
	ssize_t     hl;
	size_t      n;
	int         r;

	head_clear(h);
	hl = head_end(data, len > HTTP_MAX_HEAD ? HTTP_MAX_HEAD : len);
	if (hl == -1)
		return HTTP_EBAD;
	if (hl == 0) {
		const char *nl = memchr(data, '\n', len);

		if (nl == NULL && len > HTTP_MAX_TARGET + 32)
			return HTTP_ETARGET;
		return len >= HTTP_MAX_HEAD ? HTTP_ETOOLARGE : 0;
	}
	end = data + hl;
	n = line_len(p, end, &next);
	sp1 = memchr(p, ' ', n);
	if (sp1 == NULL || sp1 == p || (size_t)(sp1 - p) > 16)
		return HTTP_EBAD;
	for (const char *c = p; c < sp1; c++)
		if (!is_tchar((unsigned char)*c))
			return HTTP_EBAD;
	sp2 = memchr(sp1 + 1, ' ', n - (size_t)(sp1 + 1 - p));
	if (sp2 == NULL || sp2 == sp1 + 1)
		return HTTP_EBAD;
	if ((size_t)(sp2 - sp1 - 1) > HTTP_MAX_TARGET)
		return HTTP_ETARGET;
	for (const char *c = sp1 + 1; c < sp2; c++)
		if ((unsigned char)*c <= 0x20 || (unsigned char)*c >= 0x7f)
			return HTTP_EBAD;
	r = parse_version(sp2 + 1, n - (size_t)(sp2 + 1 - p), &h->minor);
	if (r != 0)
		return r;
	h->method = p;
	h->method_len = (size_t)(sp1 - p);
	h->target = sp1 + 1;
	h->target_len = (size_t)(sp2 - sp1 - 1);
	r = parse_fields(next, end, h);
	if (r != 0)
		return r;
	r = derive(h, 1);
	if (r != 0)
		return r;
	return (int)hl;
}

int
http_parse_response(const char *data, size_t len, struct http_head *h,
    const char *req_method, size_t req_method_len)
{
	const char *p = data, *end, *next;
	ssize_t     hl;
	size_t      n;
	int         r;

	head_clear(h);
	hl = head_end(data, len > HTTP_MAX_HEAD ? HTTP_MAX_HEAD : len);
	if (hl == -1)
		return HTTP_EBAD;
	if (hl == 0)
		return len >= HTTP_MAX_HEAD ? HTTP_ETOOLARGE : 0;
	end = data + hl;
	n = line_len(p, end, &next);
	if (n < 12 || p[8] != ' ')
		return HTTP_EBAD;
	r = parse_version(p, 8, &h->minor);
	if (r != 0)
		return r;
	for (int i = 9; i < 12; i++)
		if (p[i] < '0' || p[i] > '9')
			return HTTP_EBAD;
	if (n > 12 && p[12] != ' ')
		return HTTP_EBAD;
	h->status = (p[9] - '0') * 100 + (p[10] - '0') * 10 + (p[11] - '0');
	if (h->status < 100)
		return HTTP_EBAD;
	r = parse_fields(next, end, h);
	if (r != 0)
		return r;
	r = derive(h, 0);
	if (r != 0)
		return r;
	if ((h->status >= 100 && h->status < 200) || h->status == 204 ||
	    h->status == 304 ||
	    (req_method_len == 4 && memcmp(req_method, "HEAD", 4) == 0))
		h->body = BODY_NONE;
	return (int)hl;
}

void
http_head_rebase(struct http_head *h, const char *from, const char *to)
{
#define REBASE(p) ((p) = (p) != NULL ? to + ((p)-from) : NULL)
	REBASE(h->method);
	REBASE(h->target);
	for (size_t i = 0; i < h->nhdr; i++) {
		REBASE(h->hdr[i].name);
		REBASE(h->hdr[i].value);
	}
#undef REBASE
}

const char *
http_header(const struct http_head *h, const char *name, size_t *len)
{
	for (size_t i = 0; i < h->nhdr; i++) {
		if (eq_ci(h->hdr[i].name, h->hdr[i].name_len, name)) {
			if (len != NULL)
				*len = h->hdr[i].value_len;
			return h->hdr[i].value;
		}
	}
	return NULL;
}

int
http_header_has_token(const struct http_head *h, const char *name,
    const char *token)
{
	size_t tlen = strlen(token);

	for (size_t i = 0; i < h->nhdr; i++) {
		const char *v, *e;

		if (!eq_ci(h->hdr[i].name, h->hdr[i].name_len, name))
			continue;
		v = h->hdr[i].value;
		e = v + h->hdr[i].value_len;
		while (v < e) {
			const char *comma = memchr(v, ',', (size_t)(e - v));
			const char *te = comma ? comma : e, *ts = v;

			while (ts < te && (*ts == ' ' || *ts == '\t'))
				ts++;
			while (te > ts && (te[-1] == ' ' || te[-1] == '\t'))
				te--;
			if ((size_t)(te - ts) == tlen &&
			    strncasecmp(ts, token, tlen) == 0)
				return 1;
			v = comma ? comma + 1 : e;
		}
	}
	return 0;
}

int
http_method_is(const struct http_head *h, const char *m)
{
	return h->method_len == strlen(m) &&
	    memcmp(h->method, m, h->method_len) == 0;
}

/* Chunked decoder states. */
enum {
	CH_SIZE,
	CH_EXT,
	CH_SIZE_LF,
	CH_DATA,
	CH_DATA_CR,
	CH_DATA_LF,
	CH_TRAILER, /* at the start of a trailer line */
	CH_TRAILER_LINE,
	CH_TRAILER_LF,
	CH_LAST_LF,
};

void
http_body_init(struct http_body *b, const struct http_head *h)
{
	memset(b, 0, sizeof(*b));
	b->kind = h->body;
	b->remaining = h->body == BODY_LENGTH ? h->length : 0;
	b->state = CH_SIZE;
}

static ssize_t
chunked_feed(struct http_body *b, const char *d, size_t len, int *done,
    http_data_cb cb, void *arg)
{
	size_t i = 0;

	while (i < len) {
		char c = d[i];

		switch (b->state) {
		case CH_SIZE:
			if (hex_value(c) >= 0) {
				if (++b->digits > 15)
					return -1;
				b->remaining =
				    b->remaining * 16 + (uint64_t)hex_value(c);
				i++;
				break;
			}
			if (b->digits == 0)
				return -1;
			if (c == ';' || c == ' ' || c == '\t') {
				b->state = CH_EXT;
				i++;
				break;
			}
			if (c == '\r') {
				b->state = CH_SIZE_LF;
				i++;
				break;
			}
			return -1;
		case CH_EXT:
			if (++b->line > 1024)
				return -1;
			if (c == '\r')
				b->state = CH_SIZE_LF;
			else if (c == '\n')
				return -1;
			i++;
			break;
		case CH_SIZE_LF:
			if (c != '\n')
				return -1;
			i++;
			b->digits = 0;
			b->line = 0;
			b->state = b->remaining ? CH_DATA : CH_TRAILER;
			break;
		case CH_DATA: {
			size_t n = len - i;

			if (n > b->remaining)
				n = (size_t)b->remaining;
			if (cb != NULL)
				cb(arg, d + i, n);
			i += n;
			b->remaining -= n;
			if (b->remaining == 0)
				b->state = CH_DATA_CR;
			break;
		}
		case CH_DATA_CR:
			if (c != '\r')
				return -1;
			b->state = CH_DATA_LF;
			i++;
			break;
		case CH_DATA_LF:
			if (c != '\n')
				return -1;
			b->state = CH_SIZE;
			i++;
			break;
		case CH_TRAILER:
			if (c == '\r') {
				b->state = CH_LAST_LF;
				i++;
				break;
			}
			b->state = CH_TRAILER_LINE;
			break;
		case CH_TRAILER_LINE:
			if (++b->line > HTTP_MAX_TRAILER)
				return -1;
			if (c == '\r')
				b->state = CH_TRAILER_LF;
			else if (c == '\n')
				return -1;
			i++;
			break;
		case CH_TRAILER_LF:
			if (c != '\n')
				return -1;
			b->state = CH_TRAILER;
			i++;
			break;
		case CH_LAST_LF:
			if (c != '\n')
				return -1;
			*done = 1;
			return (ssize_t)i + 1;
		}
	}
	return (ssize_t)i;
}

ssize_t
http_body_feed(struct http_body *b, const char *d, size_t len, int *done,
    http_data_cb cb, void *arg)
{
	size_t n;

	*done = 0;
	switch (b->kind) {
	case BODY_NONE:
		*done = 1;
		return 0;
	case BODY_LENGTH:
		n = len < b->remaining ? len : (size_t)b->remaining;
		if (cb != NULL && n > 0)
			cb(arg, d, n);
		b->remaining -= n;
		*done = b->remaining == 0;
		return (ssize_t)n;
	case BODY_CHUNKED:
		return chunked_feed(b, d, len, done, cb, arg);
	case BODY_UNTIL_CLOSE:
		if (cb != NULL && len > 0)
			cb(arg, d, len);
		return (ssize_t)len;
	}
	return -1;
}

const char *
http_reason(int status)
{
	switch (status) {
	case 100:
		return "Continue";
	case 101:
		return "Switching Protocols";
	case 200:
		return "OK";
	case 201:
		return "Created";
	case 202:
		return "Accepted";
	case 204:
		return "No Content";
	case 302:
		return "Found";
	case 303:
		return "See Other";
	case 304:
		return "Not Modified";
	case 400:
		return "Bad Request";
	case 401:
		return "Unauthorized";
	case 403:
		return "Forbidden";
	case 404:
		return "Not Found";
	case 405:
		return "Method Not Allowed";
	case 408:
		return "Request Timeout";
	case 409:
		return "Conflict";
	case 411:
		return "Length Required";
	case 413:
		return "Content Too Large";
	case 414:
		return "URI Too Long";
	case 424:
		return "Failed Dependency";
	case 429:
		return "Too Many Requests";
	case 431:
		return "Request Header Fields Too Large";
	case 500:
		return "Internal Server Error";
	case 501:
		return "Not Implemented";
	case 502:
		return "Bad Gateway";
	case 503:
		return "Service Unavailable";
	case 504:
		return "Gateway Timeout";
	case 505:
		return "HTTP Version Not Supported";
	}
	return "Unknown";
}
