/* SPDX-License-Identifier: MIT */
/*
 * Pinning the VM's host key (azure-hostkey.h). ssh-keygen makes the key,
 * as it makes the login key; cloud-init's ssh_keys puts it on the VM
 * (ssh_deletekeys drops the image's own keys, ssh_genkeytypes: none made);
 * the public half goes into .rig/known_hosts under the VM's address
 * before rig's first ssh, where StrictHostKeyChecking accept-new then
 * refuses any other key as CHANGED. The private key travels in the VM's
 * customData, which ARM never returns (arm-record.c leaves it out of a
 * recording too); it is the VM's own key, which Azure holds on its disk
 * anyway.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "azure-hostkey.h"
#include "lib/buf.h"
#include "lib/log.h"
#include "machine/machine.h"
#include "lib/proc.h"
#include "lib/util.h"
#include "lib/banned.h"

#define KEY_MAX (64 * 1024) /* bytes of a key file */

static char *key_line(struct machine *);

int
azure_host_key_make(struct machine *m)
{
	struct proc_result res;
	char              *path = machine_state_path(m, AZURE_HOST_KEY);
	char              *comment = xasprintf("rig-host-%s", m->name);
	char *argv[] = { (char *)"ssh-keygen", (char *)"-q", (char *)"-t",
		(char *)"ed25519", (char *)"-N", (char *)"", (char *)"-C",
		comment, (char *)"-f", path, NULL };
	int   r = 0;

	if (access(path, F_OK) != 0) {
		proc_result_init(&res);
		if (proc_capture(argv, NULL, -1, 30000, &res) == -1 ||
		    res.status != 0)
			r = error("ssh-keygen (the VM's host key) failed: %s",
			    buf_str(&res.err));
		proc_result_release(&res);
	}
	free(comment);
	free(path);
	return r;
}

/* "ssh-ed25519 BASE64" of .rig/host_ed25519.pub; NULL if none. */
static char *
key_line(struct machine *m)
{
	char *path = xasprintf("%s/%s.pub", m->state_dir, AZURE_HOST_KEY);
	char *text = read_file(path, KEY_MAX, NULL), *sp;

	free(path);
	if (text == NULL)
		return NULL;
	text[strcspn(text, "\r\n")] = '\0';
	/* Type and key; the comment is not the known_hosts line's. */
	sp = strchr(text, ' ');
	if (sp == NULL || strncmp(text, "ssh-ed25519 ", 12) != 0) {
		free(text);
		return NULL;
	}
	sp = strchr(sp + 1, ' ');
	if (sp != NULL)
		*sp = '\0';
	return text;
}

char *
azure_host_key_custom_data(struct machine *m)
{
	char       *path = xasprintf("%s/%s", m->state_dir, AZURE_HOST_KEY);
	char       *priv = read_file(path, KEY_MAX, NULL), *pub, *out;
	struct buf  b;
	const char *p, *nl;
	int         n;

	free(path);
	pub = key_line(m);
	if (priv == NULL || pub == NULL) {
		free(priv);
		free(pub);
		return NULL;
	}
	buf_init(&b, 4 * KEY_MAX);
	buf_adds(&b,
	    "#cloud-config\n"
	    "ssh_deletekeys: true\n"
	    "ssh_genkeytypes: []\n"
	    "ssh_keys:\n"
	    "  ed25519_private: |\n");
	for (p = priv; *p != '\0'; p = nl != NULL ? nl + 1 : p + strlen(p)) {
		nl = strchr(p, '\n');
		n = (int)(nl != NULL ? nl - p : (ptrdiff_t)strlen(p));
		if (n > 0)
			buf_addf(&b, "    %.*s\n", n, p);
	}
	buf_addf(&b, "  ed25519_public: %s\n", pub);
	explicit_bzero(priv, strlen(priv));
	free(priv);
	free(pub);
	out = xmalloc(4 * ((b.len + 2) / 3) + 1);
	EVP_EncodeBlock((unsigned char *)out, (const unsigned char *)b.data,
	    (int)b.len);
	explicit_bzero(b.data, b.len);
	buf_release(&b);
	return out;
}

int
azure_host_key_pin(struct machine *m, const char *host, int port)
{
	char *pub = key_line(m), *kh, *text, *line, *all;
	int   r = 0;

	if (pub == NULL)
		return 0;
	if (port == 22)
		line = xasprintf("%s %s", host, pub);
	else
		line = xasprintf("[%s]:%d %s", host, port, pub);
	kh = machine_state_path(m, "known_hosts");
	text = read_file(kh, 1024 * 1024, NULL);
	if (text == NULL || strstr(text, line) == NULL) {
		all = xasprintf("%s%s%s\n", text != NULL ? text : "",
		    text != NULL && *text != '\0' &&
		            text[strlen(text) - 1] != '\n'
		        ? "\n"
		        : "",
		    line);
		r = write_file_atomic(kh, all, strlen(all), 0600);
		if (r == -1)
			error("cannot write '%s': %s", kh, strerror(errno));
		free(all);
	}
	free(text);
	free(kh);
	free(line);
	free(pub);
	return r;
}
