/* SPDX-License-Identifier: MIT */
/*
 * Fuzz target for priv-msg.c, the parser the privileged helper runs on
 * what the (untrusted) hub sends. The input is one packet, decoded as a
 * request under two prefixes and as a reply. Whatever is accepted must
 * keep the decoder's promises: the type in range, the account a valid
 * account of the prefix, every string of a spawn inside the packet and
 * NUL-terminated there, the counts within their limits, paths absolute
 * without "..", no environment entry the loader obeys, the firewall's
 * uids a user's, and re-encoding an accepted
 * request gives the same bytes.
 *
 * Built with clang -fsanitize=fuzzer for fuzzing, or with gcc and replay.c
 * to run the corpus in tests/fuzz/corpus/priv/.
 */
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hub/priv-msg.h"
#include "hub/slurm-ask.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)                                                            \
	do {                                                                   \
		if (!(cond)) {                                                 \
			fprintf(stderr, "%s:%d: invariant failed: %s\n",       \
			    __FILE__, __LINE__, #cond);                        \
			abort();                                               \
		}                                                              \
	} while (0)

static void check_string(const char *, const uint8_t *, size_t);
static void check_request(const struct priv_req *, const char *,
    const uint8_t *, size_t);

/* 's' lies inside the packet and ends there. */
static void
check_string(const char *s, const uint8_t *buf, size_t len)
{
	const uint8_t *p = (const uint8_t *)s;

	CHECK(p >= buf && p < buf + len);
	CHECK(memchr(p, '\0', len - (size_t)(p - buf)) != NULL);
	CHECK(strlen(s) <= PRIV_STR_MAX);
}

static void
check_request(const struct priv_req *req, const char *prefix,
    const uint8_t *buf, size_t len)
{
	static unsigned char again[PRIV_MSG_MAX];
	size_t               n;

	CHECK(req->type >= PRIV_ACCOUNT_ADD && req->type < PRIV_REQ_END);
	if (req->type == PRIV_FIREWALL_LOAD ||
	    req->type == PRIV_FIREWALL_UNLOAD || req->type == PRIV_SLURM_ASK)
		CHECK(req->account[0] == '\0');
	else
		CHECK(priv_account_valid(prefix, req->account));
	CHECK(req->type == PRIV_ACCOUNT_ADD || req->user[0] == '\0');
	if (req->type == PRIV_SIGNAL)
		CHECK(req->pid > 1 &&
		    (req->sig == SIGTERM || req->sig == SIGKILL ||
		        req->sig == SIGINT || req->sig == SIGHUP));
	else
		CHECK(req->pid == 0 && req->sig == 0);
	if (req->type == PRIV_SLURM_ASK) {
		const char *argv[SLURM_ASK_ARGV_MAX];
		char        id[24];

		/* What the helper runs: one of its own command lines. */
		CHECK(req->flags == PRIV_F_FD);
		CHECK(slurm_ask_argv((int)req->num[0], req->num[1], id, argv) ==
		    0);
		CHECK(argv[0][0] == '/');
	}
	if (req->type == PRIV_SPAWN) {
		CHECK(req->argc >= 1 && req->argc <= PRIV_ARGC_MAX);
		CHECK(req->envc <= PRIV_ENVC_MAX);
		check_string(req->file, buf, len);
		check_string(req->cwd, buf, len);
		CHECK(priv_path_valid(req->file) && priv_path_valid(req->cwd));
		for (uint32_t i = 0; i < req->argc; i++)
			check_string(req->argv[i], buf, len);
		CHECK(req->argv[req->argc] == NULL);
		for (uint32_t i = 0; i < req->envc; i++) {
			check_string(req->env[i], buf, len);
			CHECK(strchr(req->env[i], '=') > req->env[i]);
			/* A spawn in a cgroup starts as root. */
			CHECK(priv_env_safe(req->env[i]));
		}
		CHECK(
		    (req->flags & ~(uint32_t)(PRIV_F_FD | PRIV_F_CGROUP)) == 0);
		CHECK(req->env[req->envc] == NULL);
	} else
		CHECK(req->argc == 0 && req->envc == 0);
	/* A password: the whole tail, one string, not empty. */
	if (req->type == PRIV_PAM_AUTH) {
		check_string(req->secret, buf, len);
		CHECK(strlen(req->secret) >= 1 &&
		    strlen(req->secret) <= PRIV_SECRET_MAX);
		CHECK((const uint8_t *)req->secret + strlen(req->secret) + 1 ==
		    buf + len);
	} else
		CHECK(req->secret == NULL);
	/* One spelling per request: encoding it again gives the packet. */
	if (req->type == PRIV_FIREWALL_LOAD) {
		struct priv_req       copy = *req;
		struct firewall_rules r;

		priv_req_fw_rules(req, &r);
		for (size_t i = 0; i < r.nuids; i++)
			CHECK(r.uids[i] >= 1000 && r.uids[i] < PRIV_FW_UID_END);
		copy.fw = &r;
		n = priv_req_encode(&copy, again, sizeof(again));
		firewall_rules_release(&r);
	} else
		n = priv_req_encode(req, again, sizeof(again));
	CHECK(n == len);
	CHECK(memcmp(again, buf, len) == 0);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct priv_req req;
	struct priv_reply      rep;
	const char            *prefixes[] = { "rig-", "" }, *why;
	uint8_t               *buf;

	if (size > PRIV_MSG_MAX + 16)
		return 0;
	/* A copy of exactly 'size' bytes, so ASan sees any overread. */
	buf = malloc(size > 0 ? size : 1);
	if (buf == NULL)
		return 0;
	memcpy(buf, data, size);
	for (size_t i = 0; i < 2; i++) {
		why = NULL;
		if (priv_req_decode(buf, size, prefixes[i], &req, &why) == 0)
			check_request(&req, prefixes[i], buf, size);
		else
			CHECK(why != NULL);
	}
	why = NULL;
	if (priv_reply_decode(buf, size, &rep, &why) == 0) {
		CHECK(rep.type == PRIV_REPLY || rep.type == PRIV_EXIT);
		CHECK(memchr(rep.text, '\0', sizeof(rep.text)) != NULL);
	} else
		CHECK(why != NULL);
	free(buf);
	return 0;
}
