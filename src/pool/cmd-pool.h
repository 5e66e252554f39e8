/* SPDX-License-Identifier: MIT */
/*
 * rig pool's subcommands, each in a file of its own: cmd-pool.c
 * dispatches.
 */
#ifndef CMD_POOL_H
#define CMD_POOL_H

/* rig pool power up|down HOSTLIST, argv[0] "pool" (cmd-pool-power.c). */
int cmd_pool_power(int argc, char **argv);

#endif
