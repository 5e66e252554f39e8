/* SPDX-License-Identifier: MIT */
/*
 * Slurm's commands for the Slurm spawner (spawn-slurm-run.h), through
 * cmdrun.h.
 */
#include <stdlib.h>

#include "cmdrun.h"
#include "lib/util.h"
#include "spawn-slurm-run.h"

/* The caller's callback, which takes the output as a string. */
struct slurm_call {
	slurm_run_cb cb;
	void        *arg;
};

static void
done_cb(void *arg, int r, int64_t status, const char *out, size_t len, int cut)
{
	struct slurm_call *c = arg;

	(void)len;
	(void)cut;
	if (c->cb != NULL)
		c->cb(c->arg, r, status, out);
	free(c);
}

/* Runs it through cmdrun.c; cb gets the end. */
static int
start_call(struct hub *hub, const struct cmdrun *run, slurm_run_cb cb,
    void *arg)
{
	struct slurm_call *c = xcalloc(1, sizeof(*c));
	int                r;

	c->cb = cb;
	c->arg = arg;
	r = cmdrun_start(hub, run, done_cb, c);
	if (r != 0)
		free(c);
	return r;
}

int
slurm_run(struct hub *hub, const char *account, char **argv, char **env,
    const char *cwd, const char *input, slurm_run_cb cb, void *arg)
{
	struct cmdrun run = { .account = account,
		.argv = argv,
		.env = env,
		.cwd = cwd,
		.input = input,
		.max_out = SLURM_OUT_MAX,
		.release_at_stop = 1 };

	return start_call(hub, &run, cb, arg);
}

int
slurm_run_keys(struct hub *hub, char **argv, slurm_run_cb cb, void *arg)
{
	struct cmdrun run = { .argv = argv,
		.max_out = SLURM_OUT_MAX,
		.release_at_stop = 1,
		.secret_out = 1 };

	return start_call(hub, &run, cb, arg);
}

int
slurm_ask(struct hub *hub, int question, long long job, slurm_run_cb cb,
    void *arg)
{
	struct cmdrun run = { .question = question,
		.job = job,
		.max_out = SLURM_OUT_MAX,
		.release_at_stop = 1 };

	return start_call(hub, &run, cb, arg);
}

void
slurm_run_release(void)
{
	cmdrun_release();
}
