/* SPDX-License-Identifier: MIT */
/*
 * JSON in and out for the API's handlers (api-json.h).
 */
#include "api-json.h"
#include "lib/util.h"
#include "req.h"
#include "respond.h"
#include "lib/banned.h"

json_t *
api_iso_json(int64_t t)
{
	char s[40];

	if (t <= 0)
		return json_null();
	iso_time(t, s, sizeof(s));
	return json_string(s);
}

json_t *
api_body_object(struct req *req)
{
	json_t      *j;
	json_error_t e;

	if (req->body.len == 0)
		return json_object();
	j = json_loadb(req->body.data, req->body.len, JSON_REJECT_DUPLICATES,
	    &e);
	if (!json_is_object(j)) {
		json_decref(j);
		respond_error(req, 400, "the body is not a JSON object");
		return NULL;
	}
	return j;
}
