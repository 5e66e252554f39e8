/* SPDX-License-Identifier: MIT */
/*
 * The REST API under /hub/api/: a subset of JupyterHub's, with the same
 * paths, status codes and JSON shapes, so its clients work unchanged.
 */
#ifndef API_H
#define API_H

struct req;

void api_handle(struct req *);

#endif
