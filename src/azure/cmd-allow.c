/* SPDX-License-Identifier: MIT */
/*
 * rig allow [CIDR...|auto]: who may reach the machine's SSH and hub, for
 * when a laptop moves. With no argument, rig.conf's allow_from is applied
 * again ("auto": this machine's public address now); with addresses,
 * they replace allow_from in rig.conf and on Azure.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "azure-conf.h"
#include "azure-vm.h"
#include "azure.h"
#include "lib/buf.h"
#include "cmd.h"
#include "lib/log.h"
#include "machine/machine.h"
#include "machine/provider.h"
#include "lib/util.h"

#define CONF_MAX (1024 * 1024)

/* Replaces the allow_from line of [azure] in rig.conf (adds one if there
 * is none), keeping the rest of the file and its comments. */
static int
write_allow_from(const struct machine *m, const char *value)
{
	char      *text = read_file(m->conf_path, CONF_MAX, NULL);
	char      *line, *next;
	struct buf out;
	int        in_azure = 0, done = 0, r;

	if (text == NULL)
		return error("cannot read '%s'", m->conf_path);
	buf_init(&out, CONF_MAX * 2);
	for (line = text; *line != '\0'; line = next) {
		const char *p = line;
		size_t      n;

		next = strchr(line, '\n');
		next = next != NULL ? next + 1 : line + strlen(line);
		n = (size_t)(next - line);
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p == '[') {
			if (in_azure && !done) {
				buf_addf(&out, "allow_from = %s\n", value);
				done = 1;
			}
			in_azure = strncmp(p, "[azure]", 7) == 0;
		}
		if (in_azure && !done && strncmp(p, "allow_from", 10) == 0 &&
		    (p[10] == ' ' || p[10] == '=')) {
			buf_addf(&out, "allow_from = %s\n", value);
			done = 1;
			continue;
		}
		buf_add(&out, line, n);
	}
	if (!done) {
		if (out.len > 0 && buf_str(&out)[out.len - 1] != '\n')
			buf_adds(&out, "\n");
		buf_addf(&out, "%sallow_from = %s\n",
		    in_azure ? "" : "\n[azure]\n", value);
	}
	r = write_file_atomic(m->conf_path, buf_str(&out), out.len, 0644);
	if (r == -1)
		error("cannot write '%s'", m->conf_path);
	buf_release(&out);
	free(text);
	return r;
}

int
cmd_allow(int argc, char **argv)
{
	static const struct option opts[] = {
		MACHINE_LONGOPTS,
		{ NULL, 0, NULL, 0 },
	};
	struct machine_flags f;
	struct machine       m;
	struct azure         az;
	struct buf           list;
	int                  ch, ret = 1;

	memset(&f, 0, sizeof(f));
	memset(&az, 0, sizeof(az));
	optind = 1;
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1)
		if (!machine_flag(&f, ch, optarg))
			return usage("allow");
	if (machine_open(&m, &f) == -1)
		goto out;
	if (strcmp(m.provider->name, "azure") != 0) {
		error("machine '%s' (provider %s) has no firewall rig manages",
		    m.name, m.provider->name);
		goto out;
	}
	buf_init(&list, 64 * 1024);
	for (int i = optind; i < argc; i++)
		buf_addf(&list, "%s%s", i > optind ? "," : "", argv[i]);
	if (list.len > 0 &&
	    (azure_conf_set(azure_conf_of(&m), "allow_from", buf_str(&list)) ==
	            -1 ||
	        write_allow_from(&m, buf_str(&list)) == -1)) {
		buf_release(&list);
		goto out;
	}
	buf_release(&list);
	if (azure_open(&az, &m) == -1 || azure_vm_allow(&az) == -1)
		goto out;
	{
		char *now = machine_state_get(&m, "azure.allow_from");

		printf("machine '%s': SSH%s open to %s\n", m.name,
		    m.hub_tunnel ? "" : " and the hub",
		    now != NULL ? now : azure_conf_of(&m)->allow_from);
		free(now);
	}
	ret = 0;
out:
	azure_close(&az);
	machine_release(&m);
	return ret;
}
