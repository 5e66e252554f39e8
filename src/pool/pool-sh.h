/* SPDX-License-Identifier: MIT */
/*
 * The sh that rig up runs as root on the pool's machines (pool-up.c puts
 * values in with sh_quote() or, for whole files, in quoted here-documents
 * of text rig generated). Daemons start through systemd where it runs,
 * else directly, each found again by its pid file and process name.
 */
#ifndef POOL_SH_H
#define POOL_SH_H

/*
 * Functions every script starts with:
 *   put PATH MODE       stdin to PATH when it differs (atomically);
 *                       notes PATH in $changed
 *   svc UNIT COMM PIDFILE ensure|restart|stop CMD...
 *                       a daemon running (restarted with 'restart'), or
 *                       stopped and not started at boot ('stop')
 *   munge_up ensure|restart
 */
extern const char pool_sh_funcs[];

/* Installs the missing ones of "$PKGS" (apt-get); prints installed=... */
extern const char pool_sh_packages[];

/*
 * The head's munge key, made once (1 KiB of /dev/urandom) and kept 0400
 * munge's; prints key=BASE64 and made=yes when it was made now.
 */
extern const char pool_sh_head_key[];

/* Accounts of people on the head (uids from its login.defs' UID_MIN to
 * UID_MAX, else 1000-60000): lines acct=NAME:UID:GID:HOME:SHELL:GROUP. */
extern const char pool_sh_head_accounts[];

/* Stdin (base64) as the node's munge key; keyact=restart if it changed. */
extern const char pool_sh_node_key[];

/*
 * The head's accounts on a node: an awk program (for awk -F:) reading
 * the node's "P:" passwd and "G:" group lines, then the head's
 * "H:NAME:UID:GID:HOME:SHELL:GROUP" lines, printing what to do for each
 * ("group ..." and "add ..." make it; "clash NAME" when its name, uid or
 * group is another's there), and the sh loop that does it (prints
 * added=NAME, clash=NAME).
 */
extern const char pool_sh_accounts_awk[];
extern const char pool_sh_accounts_apply[];

#endif
