/* SPDX-License-Identifier: MIT */
/*
 * A node's set-up as root (pool-node-setup.h), from the pieces of sh in
 * pool-sh.c and the files rig generated, each in a quoted here-document.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/buf.h"
#include "lib/log.h"
#include "lib/proc.h"
#include "lib/slurmjob.h"
#include "lib/util.h"
#include "machine/remote.h"
#include "pool-node-setup.h"
#include "pool-node.h"
#include "pool-sh.h"
#include "slurmconf.h"
#include "lib/banned.h"

#define SCRIPT_MAX (8 * 1024 * 1024)
#define STEP_MS (5 * 60 * 1000)

/* A passwd entry's fields, as a node's useradd takes them as they are. */
static int
acct_ok(const char *s)
{
	for (; *s != '\0'; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		        (*s >= '0' && *s <= '9') || strchr("/._-", *s)))
			return 0;
	return 1;
}

void
pool_accounts_add(struct buf *accts, const char *out)
{
	const char *p;

	for (p = out; (p = strstr(p, "acct=")) != NULL;) {
		char  *line = xstrndup(p + 5, strcspn(p + 5, "\n"));
		char  *f[6] = { line }, *w = line;
		size_t nf = 0;

		p += 5;
		/* NAME:UID:GID:HOME:SHELL:GROUP, the group's name maybe
		 * empty (a gid without a group). */
		while (nf < 6 && w != NULL)
			f[nf++] = strsep(&w, ":");
		if (nf == 6 && w == NULL && acct_ok(f[0]) && acct_ok(f[3]) &&
		    acct_ok(f[4]) && acct_ok(f[5]) && f[0][0] != '-' &&
		    f[5][0] != '-' && f[5][0] != '\0' && f[3][0] == '/' &&
		    strspn(f[1], "0123456789") == strlen(f[1]) &&
		    strspn(f[2], "0123456789") == strlen(f[2])) {
			/* Inside a quoted here-document: as they are
			 * (acct_ok() left neither ':' nor a newline). */
			buf_addf(accts, "H:%s:%s:%s:%s:%s:%s\n", f[0], f[1],
			    f[2], f[3], f[4][0] != '\0' ? f[4] : "/bin/sh",
			    f[5]);
		} else
			log_warnx("the head's account '%s' is not copied to "
			          "the nodes: it has no group, or a name, home "
			          "or shell with characters rig does not pass "
			          "on",
			    f[0]);
		free(line);
	}
}

void
pool_add_put(struct buf *s, const char *path, const char *text)
{
	buf_addf(s, "put %s 644 <<'RIG_POOL_EOF' || exit 6\n%sRIG_POOL_EOF\n",
	    path, text);
}

static void
add_script(struct buf *s, const struct node_files *f)
{
	char *q;

	buf_adds(s, pool_sh_funcs);
	buf_adds(s, pool_sh_node_key);
	q = sh_quote(pool_sh_accounts_awk);
	buf_addf(s,
	    "{ getent passwd | sed 's/^/P:/'; getent group | sed 's/^/G:/'; "
	    "cat <<'RIG_POOL_EOF'\n%sRIG_POOL_EOF\n} | awk -F: %s | {\n%s} "
	    "|| exit 5\n",
	    f->accts, q, pool_sh_accounts_apply);
	free(q);
	buf_adds(s, "mkdir -p /etc/slurm || exit 6\n");
	pool_add_put(s, SLURMCONF_PATH, f->conf);
	pool_add_put(s, SLURMCONF_CGROUP_PATH, slurmconf_cgroup_text());
	buf_addf(s, "put %s 755 <<'RIG_POOL_EOF' || exit 6\n%sRIG_POOL_EOF\n",
	    SLURMCONF_PROLOG_PATH, f->prolog);
	buf_addf(s, "put %s 755 <<'RIG_POOL_EOF' || exit 6\n%sRIG_POOL_EOF\n",
	    SLURMCONF_EPILOG_PATH, slurmconf_epilog_text());
	pool_add_put(s, SLURMJOB_NODE_PORTS, f->ports);
	pool_add_put(s, SLURMCONF_NFT_PATH, f->nft);
	/* Not fatal: the servers' TLS is their boundary; rig up warns. */
	buf_adds(s,
	    "if nft -f " SLURMCONF_NFT_PATH " >/dev/null 2>&1; then "
	    "echo nft=loaded; else echo nft=none; fi\n");
	q = sh_quote(SLURMCONF_FSTAB_MARK);
	buf_addf(s,
	    "{ grep -vF %s /etc/fstab 2>/dev/null; cat <<'RIG_POOL_EOF'\n"
	    "%sRIG_POOL_EOF\n} | put /etc/fstab 644 || exit 6\n",
	    q, f->fstab);
	free(q);
	q = sh_quote(f->shared_dir);
	buf_addf(s,
	    "if grep -qw nfs4 /proc/filesystems 2>/dev/null; then\n"
	    "  mkdir -p %s && { mountpoint -q %s || mount %s; } && "
	    "echo nfs=mounted\n"
	    "else echo nfs=none; fi\n",
	    q, q, q);
	free(q);
	buf_adds(s,
	    "munge_up $keyact || { echo 'munged does not start' >&2; exit 7; "
	    "}\n"
	    "act=ensure\n"
	    "case $changed in *slurm*) act=restart ;; esac\n"
	    "[ $keyact = restart ] && act=restart\n"
	    "svc slurmd slurmd /run/slurmd.pid $act /usr/sbin/slurmd || "
	    "{ tail -n 5 /var/log/slurm/slurmd.log >&2; exit 8; }\n"
	    "echo \"act=$act\"\n");
}

int
pool_node_setup(struct remote *rm, int sudo, const struct node_files *f,
    const char *key, struct proc_result *res)
{
	struct buf s;
	int        fds[2], r;

	proc_result_init(res);
	buf_init(&s, SCRIPT_MAX);
	add_script(&s, f);
	/* The key fits a pipe's buffer (1 KiB as base64). */
	if (pipe(fds) == -1) {
		buf_release(&s);
		return error("pipe: %s", strerror(errno));
	}
	if (write(fds[1], key, strlen(key)) != (ssize_t)strlen(key) ||
	    write(fds[1], "\n", 1) != 1) {
		close(fds[0]);
		close(fds[1]);
		buf_release(&s);
		return error("pipe: %s", strerror(errno));
	}
	close(fds[1]);
	r = pool_root_run(rm, sudo, buf_str(&s), fds[0], STEP_MS, res);
	close(fds[0]);
	buf_release(&s);
	if (r == -1 || res->status != 0) {
		pool_show_failure("setting up the node", res);
		return -1;
	}
	return 0;
}
