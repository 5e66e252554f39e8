/* SPDX-License-Identifier: MIT */
/*
 * Calling 'rig service' on the machine. The installed binary and the
 * service folder are at fixed places under the login's home (service.h),
 * so the calls need no state from earlier ones.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/buf.h"
#include "hubctl.h"
#include "lib/log.h"
#include "machine.h"
#include "remote.h"
#include "service.h"
#include "termsafe.h"
#include "lib/util.h"

static void clean_json(json_t *);

const char *
hubctl_bin(const struct remote *rm)
{
	return rm->service_sudo ? "sudo -n \"$HOME\"/" SERVICE_BIN
	                        : SERVICE_BIN;
}

const char *
hubctl_dir(const struct remote *rm)
{
	return rm->service_sudo ? "\"$HOME\"/" SERVICE_DIR : SERVICE_DIR;
}

/* Every string of 'j' made safe to print (term_clean()): rig status
 * prints them, and the machine wrote them. */
static void
clean_json(json_t *j)
{
	const char *k;
	json_t     *v;
	size_t      i;
	char       *s;

	if (json_is_string(j)) {
		s = xstrdup(json_string_value(j));
		term_clean_str(s);
		json_string_set(j, s);
		free(s);
	} else if (json_is_object(j)) {
		json_object_foreach(j, k, v)
			clean_json(v);
	} else if (json_is_array(j)) {
		json_array_foreach(j, i, v)
			clean_json(v);
	}
}

int
hubctl_call(struct remote *rm, const char *sub, const char *args,
    int timeout_ms, struct proc_result *res)
{
	char *script;
	int   r;

	/* sudo says "command not found" with its own status: the shell's
	 * 127 is given for it. */
	script = xasprintf("%s%s service %s --dir %s%s%s",
	    rm->service_sudo ? "[ -x \"$HOME\"/" SERVICE_BIN " ] || exit 127; "
	                     : "",
	    hubctl_bin(rm), sub, hubctl_dir(rm), args != NULL ? " " : "",
	    args != NULL ? args : "");
	proc_result_init(res);
	r = remote_capture(rm, script, -1, timeout_ms, res);
	free(script);
	if (r == -1)
		return -1;
	if (rm->host != NULL && res->status == 255) {
		char msg[512];

		remote_explain(rm, res, msg, sizeof(msg));
		return error("%s", msg);
	}
	if (res->timed_out)
		return error("'rig service %s' on the machine took too long",
		    sub);
	return res->status;
}

int
hubctl_value(const char *text, const char *key, char *out, size_t outlen)
{
	size_t      klen = strlen(key);
	const char *p = text;

	while (p != NULL && *p != '\0') {
		if (strncmp(p, key, klen) == 0 && p[klen] == '=') {
			size_t n = strcspn(p + klen + 1, "\n");

			snprintf(out, outlen, "%.*s", (int)n, p + klen + 1);
			return 0;
		}
		p = strchr(p, '\n');
		if (p != NULL)
			p++;
	}
	return -1;
}

void
hubctl_show_error(const struct proc_result *res)
{
	const char *p = buf_str(&res->err), *nl;

	for (; *p != '\0'; p = nl != NULL ? nl + 1 : p + strlen(p)) {
		nl = strchr(p, '\n');
		fprintf(stderr, "machine: %.*s\n",
		    (int)(nl != NULL ? (size_t)(nl - p) : strlen(p)), p);
	}
}

json_t *
hubctl_status(struct remote *rm, int *installed)
{
	struct proc_result res;
	json_error_t       je;
	json_t            *j = NULL;
	int                r;

	*installed = 1;
	r = hubctl_call(rm, "status", NULL, 30000, &res);
	if (r == HUBCTL_NOT_INSTALLED)
		*installed = 0;
	else if (r == 0) {
		j = json_loads(buf_str(&res.out), 0, &je);
		if (j == NULL || !json_is_object(j)) {
			error("the machine's 'rig service status' is not "
			      "JSON: %s",
			    je.text);
			json_decref(j);
			j = NULL;
		}
		clean_json(j);
	} else if (r > 0) {
		hubctl_show_error(&res);
		error("'rig service status' failed on the machine (status "
		      "%d)",
		    r);
	}
	proc_result_release(&res);
	return j;
}

void
hubctl_duration(long long s, char *out, size_t outlen)
{
	if (s < 0)
		snprintf(out, outlen, "?");
	else if (s >= 86400)
		snprintf(out, outlen, "%lldd %lldh", s / 86400,
		    s % 86400 / 3600);
	else if (s >= 3600)
		snprintf(out, outlen, "%lldh %lldm", s / 3600, s % 3600 / 60);
	else if (s >= 60)
		snprintf(out, outlen, "%lldm %llds", s / 60, s % 60);
	else
		snprintf(out, outlen, "%llds", s);
}
