/* SPDX-License-Identifier: MIT */
/*
 * A recording of rig's own Azure traffic, for the manual live test (see
 * README): with RIG_AZURE_RECORD=FILE every request and its answer are
 * appended to FILE as one JSON object a line, in oav's live-traffic shape
 * {"liveRequest": {method, url, headers, body}, "liveResponse":
 * {statusCode, headers, body}}, scrubbed the way the azure-cli recorder
 * scrubs its cassettes: no Authorization header, no form bodies (client
 * secrets), tokens, passwords, keys and custom data replaced, and every
 * subscription, tenant, client and principal id made
 * 00000000-0000-0000-0000-000000000000.
 */
#ifndef ARM_RECORD_H
#define ARM_RECORD_H

#include <curl/curl.h>

struct arm_response;

/* Appends one exchange if RIG_AZURE_RECORD is set; never fails. */
void arm_record(const char *method, const char *url,
    const struct curl_slist *headers, const char *body,
    const struct arm_response *res);

/* 'text' with every "/subscriptions/GUID" made zeros, in place. */
void arm_record_scrub_ids(char *text);

#endif
