/* SPDX-License-Identifier: MIT */
/*
 * The subcommands (one file each, cmd-<name>.c in the part they belong to)
 * and their usage lines.
 */
#ifndef CMD_H
#define CMD_H

int cmd_hub(int argc, char **argv);
int cmd_user(int argc, char **argv);
int cmd_token(int argc, char **argv);
int cmd_init(int argc, char **argv);
int cmd_ssh(int argc, char **argv);
int cmd_ssh_config(int argc, char **argv);
int cmd_tunnel(int argc, char **argv);
int cmd_sync(int argc, char **argv);
int cmd_exec(int argc, char **argv);
int cmd_up(int argc, char **argv);
int cmd_job(int argc, char **argv);
int cmd_pool(int argc, char **argv);
int cmd_status(int argc, char **argv);
int cmd_pool(int argc, char **argv);
int cmd_start(int argc, char **argv);
int cmd_stop(int argc, char **argv);
int cmd_down(int argc, char **argv);
int cmd_allow(int argc, char **argv);
int cmd_service(int argc, char **argv);
int cmd_self_stop(int argc, char **argv);
int cmd_sandbox(int argc, char **argv);
int cmd_slurm_tls_keys(int argc, char **argv);
int cmd_pam_auth(int argc, char **argv);
int cmd_ldap_auth(int argc, char **argv);
int cmd_version(int argc, char **argv);

/* Prints the usage line of 'cmd' (or of all commands for NULL) on stderr and
 * returns 2, the usage exit code. */
int usage(const char *cmd);

#endif
