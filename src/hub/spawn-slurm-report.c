/* SPDX-License-Identifier: MIT */
/*
 * A Slurm job's report of its server's port (spawn-slurm-report.h).
 *
 * Who may say where a server is: only its job, which alone (with the
 * hub) holds the server's secret, a new one for each start. The job
 * does not send the secret: the API's listener on the pool's network is
 * plain HTTP, and the secret is also the server's token. It sends an
 * HMAC of its job id and port keyed by the secret: a report another
 * account makes (another user's job, any process on the pool's network)
 * is refused and changes nothing; one seen on the wire and replayed
 * says only what it said, for that job of that start. The host is never
 * the job's word: it is the NodeAddr of the node Slurm allocated
 * (spawn-slurm-watch.c), and the hub reaches the server only through its
 * own TLS, which pins the job's certificate (spawn-slurm-link.c).
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <jansson.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "hub.h"
#include "lib/log.h"
#include "lib/util.h"
#include "req.h"
#include "respond.h"
#include "server.h"
#include "spawn-slurm-internal.h"
#include "spawn-slurm-report.h"
#include "spawner.h"

#define PROOF_HEX 64 /* SHA-256 in hex */

void
slurm_report_proof(const char *secret, long long job, int port, char *out,
    size_t len)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int  mdlen = 0;
	char          what[64];
	int           n;

	n = snprintf(what, sizeof(what), SLURM_REPORT_WHAT " %lld %d", job,
	    port);
	if (HMAC(EVP_sha256(), secret, (int)strlen(secret),
	        (const unsigned char *)what, (size_t)n, md, &mdlen) == NULL ||
	    len < 2 * (size_t)mdlen + 1)
		fatalx("%s: HMAC-SHA256 failed", __func__);
	hex_encode(md, mdlen, out);
	explicit_bzero(md, sizeof(md));
}

/* One refusal: the same answer whether the server is missing or the
 * proof is wrong (an anonymous caller learns nothing of who has a
 * server); logged at most once a second (anyone may send them). */
static void
refuse(struct req *req, const struct server *s, long long job, long long port)
{
	static uint64_t logged;

	if (s != NULL && now_ms() - logged >= 1000) {
		logged = now_ms();
		log_warnx(
		    "server %s: a report of port %lld for Slurm job %lld "
		    "was refused: its proof is not by the server's secret",
		    s->label, port, job);
	}
	respond_error(req, 403,
	    "no such start, or the proof is not by its server's secret");
}

void
slurm_report_port(struct req *req)
{
	const char    *name = req->arg[0];
	struct server *s;
	json_t        *body, *jjob, *jport, *jproof;
	json_error_t   e;
	json_int_t     job, port;
	char           proof[PROOF_HEX + 1], want[PROOF_HEX + 1];

	body = json_loadb(req->body.data, req->body.len, JSON_REJECT_DUPLICATES,
	    &e);
	jjob = json_object_get(body, "job");
	jport = json_object_get(body, "port");
	jproof = json_object_get(body, "proof");
	if (!json_is_integer(jjob) || !json_is_integer(jport) ||
	    !json_is_string(jproof) ||
	    strlen(json_string_value(jproof)) != PROOF_HEX ||
	    json_integer_value(jport) < 1 ||
	    json_integer_value(jport) > 65535 || json_integer_value(jjob) < 1) {
		json_decref(body);
		respond_error(req, 400,
		    "the body is not {\"job\": ID, \"port\": 1-65535, "
		    "\"proof\": 64 hex digits}");
		return;
	}
	job = json_integer_value(jjob);
	port = json_integer_value(jport);
	memcpy(proof, json_string_value(jproof), sizeof(proof));
	json_decref(body);
	/* Which of the user's servers: the one waiting on that job (its
	 * secret then says whether the report is that job's). */
	s = username_valid(name)
	    ? hub_server_by_pid(req->hub, name, strlen(name), (long long)job)
	    : NULL;
	if (s == NULL || s->removed || s->spawner != &spawner_slurm ||
	    s->secret == NULL || s->secret[0] == '\0') {
		refuse(req, NULL, (long long)job, (long long)port);
		return;
	}
	slurm_report_proof(s->secret, (long long)job, (int)port, want,
	    sizeof(want));
	if (CRYPTO_memcmp(want, proof, PROOF_HEX) != 0) {
		refuse(req, s, (long long)job, (long long)port);
		return;
	}
	if (job != s->pid || s->state != SERVER_PENDING ||
	    (s->port > 0 && s->port != port)) {
		respond_error(req, 409,
		    "the server does not wait on that job for its port");
		return;
	}
	if (s->port == 0 && slurm_watch_reported(s, (int)port) != 0) {
		respond_error(req, 409, "the server's job is not watched");
		return;
	}
	respond(req, 204, NULL, NULL, NULL, 0);
}
