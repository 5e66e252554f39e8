/* SPDX-License-Identifier: MIT */
/*
 * rig up: the project's machine made (by its provider, if it makes
 * machines) and started, then made ready with its hub running (up.c
 * has the steps); with a [pool] in rig.conf, that machine is the head
 * and its nodes are set up next (pool-up.c), and its hub runs users'
 * servers as Slurm jobs (spawner = slurm). Here, above both, because
 * the machine workflow knows nothing of pools.
 */
#include <arpa/inet.h>

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "machine/machine.h"
#include "machine/provider.h"
#include "machine/remote.h"
#include "machine/up.h"
#include "pool-up.h"
#include "pool.h"
#include "lib/banned.h"

/* Whether rig.conf's [hub] sets 'key'. */
static int
hub_key_set(const struct machine *m, const char *key)
{
	for (const struct machine_kv *e = m->hub_extra; e != NULL; e = e->next)
		if (strcmp(e->key, key) == 0)
			return 1;
	return 0;
}

/* rig.conf's [hub] value of 'key', or NULL. */
static const char *
hub_value(const struct machine *m, const char *key)
{
	for (const struct machine_kv *e = m->hub_extra; e != NULL; e = e->next)
		if (strcmp(e->key, key) == 0)
			return e->value;
	return NULL;
}

/*
 * A pool whose users' servers are Slurm jobs (spawner = slurm, which
 * cmd_up() sets unless rig.conf's [hub] says otherwise): the hub's API
 * listener goes to the head's address on the pool's network, where its
 * nodes reach it (the provider's pool_address, a cloud VM's private one,
 * else the address rig reaches it at: the one slurm.conf names,
 * pool-up.c), unless rig.conf's [hub] sets api_address. There each job
 * reports its port the moment its server listens, signed by the
 * server's secret (spawn-slurm-report.c), instead of the hub reading its
 * comment with two squeue polls; and jupyterhub-singleuser on the nodes
 * reaches the API there. What answers on it is what answers on
 * loopback: /hub/api/... with a token, no cookies (apilisten.h). With
 * spawner = local it stays on loopback. A name is left alone (the hub
 * then keeps its API on loopback, or refuses JupyterHub's protocol,
 * saying why).
 */
static int
set_api_address(struct machine *m)
{
	const char   *spawner = hub_value(m, "spawner");
	char         *addr = NULL;
	unsigned char a[4];
	int           r = 0;

	if (hub_key_set(m, "api_address") || spawner == NULL ||
	    strcmp(spawner, "slurm") != 0)
		return 0;
	if (m->provider->pool_address != NULL) {
		if (m->provider->pool_address(m, &addr) == -1)
			return -1;
	} else if (m->host != NULL)
		addr = strdup(m->host);
	if (addr != NULL && inet_pton(AF_INET, addr, a) == 1)
		r = machine_set(m, "hub", "api_address", addr);
	free(addr);
	return r;
}

int
cmd_up(int argc, char **argv)
{
	static const struct option opts[] = {
		MACHINE_LONGOPTS,
		{ "adopt", no_argument, NULL, 'A' },
		{ NULL, 0, NULL, 0 },
	};
	struct machine_flags f;
	struct machine       m;
	struct remote        rm;
	struct pool          pl;
	int                  ch, ret = 1, adopt = 0;

	memset(&f, 0, sizeof(f));
	optind = 1;
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (machine_flag(&f, ch, optarg))
			continue;
		if (ch != 'A')
			return usage("up");
		adopt = 1;
	}
	if (optind != argc)
		return usage("up");
	memset(&rm, 0, sizeof(rm));
	pool_init(&pl);
	/* The machine first: a cloud VM's address is known once it exists.
	 * The pool's settings are checked before anything is done. */
	if (machine_open(&m, &f) == -1 || pool_load(&pl, &m) == -1 ||
	    (pl.present && pool_check(&pl, &m) == -1))
		goto out;
	/* A pool's users' servers are Slurm jobs on its nodes, unless
	 * rig.conf's [hub] says otherwise (spawner = local: on the head). */
	if (pl.present && !hub_key_set(&m, "spawner") &&
	    machine_set(&m, "hub", "spawner", "slurm") == -1)
		goto out;
	m.adopt = adopt;
	if (m.provider->create(&m) == 0 && m.provider->start(&m) == 0 &&
	    (!pl.present || set_api_address(&m) == 0) &&
	    remote_open(&rm, &m) == 0 && up_run(&rm) == 0 &&
	    (!pl.present || pool_up(&rm, &pl) == 0))
		ret = 0;
out:
	remote_close(&rm);
	pool_release(&pl);
	machine_release(&m);
	return ret;
}
