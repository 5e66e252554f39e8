/* SPDX-License-Identifier: MIT */
/*
 * Where a request goes: the hub's pages and API, or the proxy to a user's
 * server or a service; and who is asking (session cookie or API token),
 * with the XSRF and origin checks that go with each.
 */
#ifndef ROUTES_H
#define ROUTES_H

struct req;

/* Sets req->path and req->query from the head's target. */
void target_split_req(struct req *);

/* Whether the request goes through the proxy (/user/..., /services/...). */
int  routes_is_proxied(const struct req *);
/* Authenticates, authorises and forwards a proxied request. */
void routes_proxy(struct req *);
/* Handles a request for the hub itself, its body read. */
void routes_handle(struct req *);
/* The connection is done with 'req': logs it and frees it unless async
 * work still holds it (req->busy), in which case that work frees it. */
void routes_request_gone(struct req *);
/* Frees a request no one holds any more. */
void req_free(struct req *);

/*
 * Fills req->user from the session cookie or an "Authorization: token"
 * header. Returns 1 if authenticated, 0 if not. Touches the user's and the
 * token's last activity.
 */
int  auth_request(struct req *);
/* For cookie-authenticated writes: the XSRF token (form field _xsrf or
 * header X-XSRFToken) matches the session's, and the request does not come
 * from another site. Token-authenticated requests pass. */
int  check_xsrf(struct req *, const char *form_value);
/* Whether a cookie-authenticated request comes from the hub's own origin
 * (Origin and Sec-Fetch-Site agree), for proxied writes and upgrades. */
int  same_origin(const struct req *);

#endif
