/* SPDX-License-Identifier: MIT */
/*
 * rig up, step by step: reach the machine over SSH, check what it is,
 * install the Debian packages the hub and Jupyter need, install this
 * rig there, set the hub up as a service, make the admin account, start
 * the hub and print its URL and certificate fingerprint. Each step looks
 * first and acts only when something is missing, so running up again
 * repairs and otherwise changes nothing, and an interrupted up can be
 * run again to completion.
 */
#ifndef UP_H
#define UP_H

struct remote;

/* The packages every hub machine gets (Debian 12 / Ubuntu 22.04 names):
 * what the rig binary links, Jupyter, rsync for rig sync, and nft for
 * the user firewall. jupyterhub gives the hub's default server,
 * jupyterhub-singleuser (about 60 MB with its dependencies on Debian 12,
 * Node.js among them for a proxy rig never runs). */
#define UP_PACKAGES                                                            \
	"rsync openssl ca-certificates libuv1 libssl3 libsqlite3-0 "           \
	"libjansson4 libcurl4 libcrypt1 jupyter-notebook jupyterhub "          \
	"python3-ipykernel nftables"

#define UP_MIN_DISK_KB (100 * 1024) /* free in the home, to go on */
#define UP_MIN_DISK_INSTALL_KB (1024 * 1024) /* when packages are missing */

/* Runs every step; 0 when the hub runs, else -1 with a message. */
int up_run(struct remote *);

#endif
