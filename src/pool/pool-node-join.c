/* SPDX-License-Identifier: MIT */
/*
 * A made node's set-up from the head (pool-node-join.h). rig pool power
 * runs as root on the head, so what rig up sends a node from the head it
 * reads here from the head's own files: slurm.conf (which also names the
 * head's address on the pool's network, SlurmctldHost=NAME(ADDR)), the
 * munge key and the accounts.
 */
#include <sys/stat.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/buf.h"
#include "lib/log.h"
#include "lib/proc.h"
#include "lib/util.h"
#include "machine/machine.h"
#include "machine/remote.h"
#include "pool-node-join.h"
#include "pool-node-setup.h"
#include "pool-node.h"
#include "pool-power.h"
#include "pool-sh.h"
#include "pool-up.h"
#include "slurmconf.h"
#include "lib/banned.h"

#define LOCAL_MS (60 * 1000)
#define INSTALL_MS (30 * 60 * 1000)
#define KEY_MAX (64 * 1024)
#define CONF_MAX (4 * 1024 * 1024)

static int local_sh(const char *, struct proc_result *);
static int head_files(const struct power_conf *, struct buf *, char **, char **,
    char **, char **);

char *
pool_ssh_key(char *why, size_t len)
{
	char  pub_path[] = POOL_SSH_KEY ".pub", *text, *sp;
	char *argv[] = { (char *)"ssh-keygen", (char *)"-q", (char *)"-t",
		(char *)"ed25519", (char *)"-N", (char *)"", (char *)"-C",
		(char *)"rig-pool-head", (char *)"-f", (char *)POOL_SSH_KEY,
		NULL };
	struct proc_result res;
	struct stat        st;

	if (lstat(POOL_SSH_KEY, &st) == -1) {
		proc_result_init(&res);
		if (proc_capture(argv, "/", -1, LOCAL_MS, &res) == -1 ||
		    res.status != 0) {
			snprintf(why, len,
			    "ssh-keygen (the head's key for its "
			    "nodes) failed");
			error("%s: %s", why, buf_str(&res.err));
			proc_result_release(&res);
			return NULL;
		}
		proc_result_release(&res);
	}
	/* A key someone else could read or swap is not the head's. */
	if (lstat(POOL_SSH_KEY, &st) == -1 || !S_ISREG(st.st_mode) ||
	    st.st_uid != 0 || (st.st_mode & 077) != 0) {
		snprintf(why, len, "%s is not root's alone", POOL_SSH_KEY);
		return NULL;
	}
	text = read_file(pub_path, KEY_MAX, NULL);
	if (text == NULL || strncmp(text, "ssh-ed25519 ", 12) != 0) {
		free(text);
		snprintf(why, len, "%s: not an ed25519 public key", pub_path);
		return NULL;
	}
	text[strcspn(text, "\r\n")] = '\0';
	/* Type and key: the comment is rig's. */
	if ((sp = strchr(text + 12, ' ')) != NULL)
		*sp = '\0';
	return text;
}

int
pool_join_machine(struct machine *nm, const struct power_conf *pc,
    const char *name)
{
	if (pool_node_machine(nm, &pc->head, "ssh", name) == -1)
		return -1;
	return machine_set(nm, "machine", "identity", POOL_SSH_KEY);
}

/* 'script' run here (the head) by sh; output in *res. */
static int
local_sh(const char *script, struct proc_result *res)
{
	char *argv[] = { (char *)"/bin/sh", (char *)"-c", (char *)script,
		NULL };

	proc_result_init(res);
	if (proc_capture(argv, "/", -1, LOCAL_MS, res) == -1 ||
	    res->status != 0)
		return error("on the head: %s", buf_str(&res->err));
	return 0;
}

/* What the node gets from the head: accounts, slurm.conf, the fstab
 * line, the firewall of servers' ports and the munge key (base64). */
static int
head_files(const struct power_conf *pc, struct buf *accts, char **conf,
    char **fstab, char **nft, char **key)
{
	struct proc_result res;
	struct pool_head   ph = { .name = NULL };
	const char        *k;
	char              *addr;

	*conf = *fstab = *nft = *key = NULL;
	if (local_sh(pool_sh_head_accounts, &res) == -1) {
		proc_result_release(&res);
		return -1;
	}
	pool_accounts_add(accts, buf_str(&res.out));
	proc_result_release(&res);
	*conf = read_file(SLURMCONF_PATH, CONF_MAX, NULL);
	if (*conf == NULL)
		return error("%s: %s", SLURMCONF_PATH, strerror(errno));
	if ((addr = slurmconf_ctld_addr(*conf)) == NULL)
		return error("%s names no SlurmctldHost address",
		    SLURMCONF_PATH);
	ph.addr = addr;
	*fstab = slurmconf_fstab_line(&pc->pl, &ph);
	*nft = slurmconf_nft_text(&pc->pl, &ph);
	free(addr);
	if (local_sh(pool_sh_head_key, &res) == -1) {
		proc_result_release(&res);
		return -1;
	}
	k = strstr(buf_str(&res.out), "key=");
	if (k != NULL && (k == buf_str(&res.out) || k[-1] == '\n'))
		*key = xstrndup(k + 4, strcspn(k + 4, "\n"));
	explicit_bzero(res.out.data, res.out.len);
	proc_result_release(&res);
	if (*key == NULL)
		return error("the head's munge key could not be read");
	return 0;
}

int
pool_node_join(struct machine *nm, const struct power_conf *pc,
    const char *name, const char *addr, char *why, size_t len)
{
	struct remote      rm;
	struct proc_result res;
	struct buf         accts;
	struct node_files  f;
	char *conf = NULL, *fstab = NULL, *key = NULL, *prolog = NULL, *script;
	char *nft = NULL, *ports = NULL;
	int   sudo = 0, r = -1, opened = 0;
	const char *a;

	buf_init(&accts, CONF_MAX);
	proc_result_init(&res);
	if (machine_set(nm, "machine", "host", addr) == -1 ||
	    head_files(pc, &accts, &conf, &fstab, &nft, &key) == -1) {
		snprintf(why, len, "the head's files for it could not be read");
		goto out;
	}
	/* The pinned host key or nothing: an impostor at the address is
	 * refused here, before any secret goes out. */
	if (remote_open(&rm, nm) == -1) {
		snprintf(why, len, "not set up: no ssh configuration for it");
		goto out;
	}
	opened = 1;
	if (remote_connect(&rm) == -1 ||
	    pool_probe_root(&rm, &sudo, addr) == -1) {
		snprintf(why, len,
		    "not set up: ssh to %s failed (no answer, no login, or a "
		    "host key other than the one rig made for it)",
		    addr);
		goto out;
	}
	script =
	    xasprintf("PKGS='%s'\n%s", POOL_NODE_PACKAGES, pool_sh_packages);
	r = pool_root_run(&rm, sudo, script, -1, INSTALL_MS, &res);
	free(script);
	if (r == -1 || res.status != 0) {
		pool_show_failure("the node's packages", &res);
		snprintf(why, len, "not set up: its packages did not install");
		r = -1;
		goto out;
	}
	proc_result_release(&res);
	prolog = slurmconf_prolog_text(&pc->pl);
	ports = slurmconf_ports_text(&pc->pl);
	f = (struct node_files){ .accts = buf_str(&accts),
		.conf = conf,
		.fstab = fstab,
		.prolog = prolog,
		.nft = nft,
		.ports = ports,
		.shared_dir = pc->pl.shared_dir };
	r = -1;
	if (pool_node_setup(&rm, sudo, &f, key, &res) == -1) {
		snprintf(why, len, "not set up: its set-up failed (see %s)",
		    SLURMCONF_POWER_LOG);
		goto out;
	}
	if ((a = strstr(buf_str(&res.out), "clash=")) != NULL) {
		snprintf(why, len,
		    "not set up: account %.*s has another uid there",
		    (int)strcspn(a + 6, "\n"), a + 6);
		goto out;
	}
	log_info("node %s: set up at %s (%s)", name, addr,
	    strstr(buf_str(&res.out), "act=restart") ? "slurmd (re)started"
	                                             : "slurmd running");
	r = 0;
out:
	proc_result_release(&res);
	if (opened)
		remote_close(&rm);
	if (key != NULL) {
		explicit_bzero(key, strlen(key));
		free(key);
	}
	free(conf);
	free(fstab);
	free(nft);
	free(ports);
	free(prolog);
	buf_release(&accts);
	return r;
}
