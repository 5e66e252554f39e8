/* SPDX-License-Identifier: MIT */
/*
 * rig job: batch jobs on the pool's Slurm, from the project folder, the
 * way rig exec runs a command on the machine. submit syncs the folder to
 * remote_dir (~/work/NAME) on the head, which must lie on the pool's
 * shared storage (shared_dir) so the nodes see it, and runs sbatch there
 * as the login user; list, logs, cancel and show ask squeue, the output
 * files, scancel and scontrol, also as that user.
 *
 * Nothing given here is ever read as code by a shell on the head: each
 * remote step is a fixed script (below) run as `sh -c SCRIPT rig-job
 * ARGS...`, every value one quoted argument, and the job itself is the
 * fixed wrapper .rig-jobs/run.sh (`exec "$@"`), the command its
 * arguments, which sbatch hands it as they were given.
 *
 * A job's output is .rig-jobs/ID.out (an array's tasks ID_TASK.out) in
 * the project's folder on the head, a folder of mode 0700: logs reads it
 * there, as long after the job as the file stays. Slurm keeps what it
 * knows of a finished job for MinJobAge (300 s in rig's slurm.conf) and,
 * without accounting storage, not longer: then show and list no longer
 * know the job, and logs still has its output.
 */
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "cmd.h"
#include "lib/buf.h"
#include "lib/log.h"
#include "lib/proc.h"
#include "lib/slurmjob.h"
#include "lib/util.h"
#include "machine/machine.h"
#include "machine/remote.h"
#include "machine/sync.h"
#include "pool.h"
#include "lib/banned.h"

#define JOB_CALL_MS 60000 /* one squeue, scontrol, scancel or sbatch */
#define JOB_OUT_MAX (1024 * 1024) /* bytes of a listing read */

/*
 * submit: $1 the folder, $2 shared_dir, $3 the array spec or "", then
 * sbatch's options, the wrapper's path and the command. The folder must
 * resolve under shared_dir: the nodes see nothing else of the head.
 */
static const char submit_script[] =
    "set -e\n"
    "dir=$1 shared=$2 array=$3\n"
    "shift 3\n"
    "mkdir -p -- \"$dir\"\n"
    "cd -- \"$dir\"\n"
    "here=$(pwd -P)\n"
    "case \"$here/\" in\n"
    "\"$shared\"/*) ;;\n"
    "*) echo \"rig: $here is not on the pool's shared storage ($shared),"
    " which the nodes mount\" >&2; exit 3 ;;\n"
    "esac\n"
    "mkdir -p " SLURMJOB_DIR "\n"
    "chmod 700 " SLURMJOB_DIR "\n"
    "printf '%s\\n' '#!/bin/sh' '# rig job submit: the command as it was "
    "given' 'exec \"$@\"' >" SLURMJOB_DIR "/run.sh\n"
    "if [ -n \"$array\" ]; then\n"
    "\tset -- --array=\"$array\" -o \"$here/" SLURMJOB_DIR
    "/%A_%a.out\" \"$@\"\n"
    "else\n"
    "\tset -- -o \"$here/" SLURMJOB_DIR "/%j.out\" \"$@\"\n"
    "fi\n"
    "exec sbatch --parsable -D \"$here\" \"$@\"\n";

/* list: $1 "all" or "mine", $2 squeue's format. */
static const char list_script[] =
    "if [ \"$1\" = all ]; then exec squeue -h -t all -o \"$2\"; fi\n"
    "exec squeue -h -t all -u \"$(id -un)\" -o \"$2\"\n";

/*
 * logs: $1 the folder, $2 the id, $3 "follow" or "". A job's file, or
 * each task's of an array; followed (tail -F) while Slurm says the job
 * is not over.
 */
static const char logs_script[] =
    "cd -- \"$1\" 2>/dev/null || { echo \"rig: no folder $1 on the head:"
    " no job was submitted from this project\" >&2; exit 1; }\n"
    "id=$2 f=" SLURMJOB_DIR "/$2.out arr=\n"
    "live() {\n"
    "\tcase $(squeue -h -j \"$id\" -o %T 2>/dev/null | head -n 1) in\n"
    "\tPENDING|RUNNING|SUSPENDED|COMPLETING|CONFIGURING|REQUEUED*|"
    "RESIZING|SIGNALING|STAGE_OUT) return 0 ;;\n"
    "\tesac\n"
    "\treturn 1\n"
    "}\n"
    "if [ \"$3\" = follow ]; then\n"
    "\tcase $id:$(squeue -h -j \"$id\" -o %i 2>/dev/null | head -n 1) in\n"
    "\t*_*:*) ;;\n"
    "\t*:*_*) arr=1 ;;\n"
    "\tesac\n"
    "\t[ -e \"$f\" ] || live || [ ! -e " SLURMJOB_DIR
    "/\"$id\"_0.out ] || arr=1\n"
    "\tif [ -n \"$arr\" ]; then\n"
    "\t\techo \"rig: job $id is an array: follow one task, ${id}_TASK\""
    " >&2; exit 1\n"
    "\tfi\n"
    "\ttail -n +1 -F -s 0.5 -- \"$f\" 2>/dev/null &\n"
    "\tt=$!\n"
    "\twhile live; do sleep 1; done\n"
    "\tsleep 1\n"
    "\tkill $t 2>/dev/null\n"
    "\twait $t 2>/dev/null\n"
    "\t[ -e \"$f\" ] || { echo \"rig: job $id left no output in $1/" SLURMJOB_DIR
    "\" >&2; exit 1; }\n"
    "\texit 0\n"
    "fi\n"
    "[ -e \"$f\" ] && exec cat -- \"$f\"\n"
    "set -- " SLURMJOB_DIR "/\"$id\"_*.out\n"
    "if [ -e \"$1\" ]; then\n"
    "\tfor f in $(printf '%s\\n' \"$@\" | sort -t_ -k2n); do\n"
    "\t\tt=${f#" SLURMJOB_DIR "/}\n"
    "\t\tprintf '==> %s <==\\n' \"${t%.out}\"\n"
    "\t\tcat -- \"$f\"\n"
    "\tdone\n"
    "\texit 0\n"
    "fi\n"
    "if live; then echo \"rig: job $id has no output yet\" >&2; exit 1;"
    " fi\n"
    "echo \"rig: no output of job $id in this project's " SLURMJOB_DIR
    "/\" >&2\n"
    "exit 1\n";

/* show: the login's name, then scontrol's lines for $1. */
static const char show_script[] = "id -un\n"
                                  "exec scontrol show job -o \"$1\"\n";

/* cancel: $1 the id, if the job is the login's. */
static const char cancel_script[] =
    "u=$(squeue -h -t all -j \"$1\" -o %u 2>/dev/null | head -n 1)\n"
    "[ -n \"$u\" ] || { echo \"rig: Slurm knows no job $1\" >&2; exit 1;"
    " }\n"
    "[ \"$u\" = \"$(id -un)\" ] || { echo \"rig: job $1 is not yours\" >&2;"
    " exit 1; }\n"
    "exec scancel \"$1\"\n";

/* Prints a message of a value refused on the command line; returns 2,
 * the usage exit code. */
static int __attribute__((format(printf, 1, 2))) bad(const char *fmt, ...)
{
	va_list ap;

	fputs("rig: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return 2;
}

/* Captured output to cut into lines: never NULL. */
static char *
out_text(struct proc_result *res)
{
	if (res->out.data == NULL)
		buf_add(&res->out, "", 0);
	return res->out.data; /* buf_add() allocated it */
}

/* The next line of *rest that is not empty, cut off at its end; *rest
 * moves past it. NULL at the end of the text. */
static char *
next_line(char **rest)
{
	char *line, *nl;

	while (**rest != '\0') {
		line = *rest;
		nl = strchr(line, '\n');
		if (nl != NULL) {
			*nl = '\0';
			*rest = nl + 1;
		} else
			*rest = line + strlen(line);
		if (*line != '\0')
			return line;
	}
	return NULL;
}

/* What every job command opens: the project's head and its pool. */
struct jobctx {
	struct machine m;
	struct remote  rm;
	struct pool    pl;
	char          *rpath;
	int            opened;
};

static void
ctx_close(struct jobctx *c)
{
	free(c->rpath);
	remote_close(&c->rm);
	pool_release(&c->pl);
	if (c->opened)
		machine_release(&c->m);
}

static int
ctx_open(struct jobctx *c)
{
	struct machine_flags f;

	memset(c, 0, sizeof(*c));
	memset(&f, 0, sizeof(f));
	pool_init(&c->pl);
	if (machine_open(&c->m, &f) == -1)
		return -1;
	c->opened = 1;
	if (pool_load(&c->pl, &c->m) == -1)
		return -1;
	if (!c->pl.present)
		return error("rig.conf has no [pool]: rig job runs jobs on a "
		             "pool's Slurm");
	c->rpath = machine_remote_path(&c->m);
	if (c->rpath == NULL || remote_open(&c->rm, &c->m) == -1 ||
	    remote_connect(&c->rm) == -1)
		return -1;
	return 0;
}

/* The line that runs 'script' with 'args' as its positional parameters:
 * sh -c SCRIPT rig-job ARGS... Caller frees result. */
static char *
script_line(const char *script, char *const *args)
{
	struct buf b;
	char      *q;

	buf_init(&b, 4 * 1024 * 1024);
	q = sh_quote(script);
	buf_addf(&b, "sh -c %s rig-job", q);
	free(q);
	for (size_t i = 0; args[i] != NULL; i++) {
		q = sh_quote(args[i]);
		if (buf_addf(&b, " %s", q) == -1) {
			free(q);
			buf_release(&b);
			return NULL;
		}
		free(q);
	}
	return buf_detach(&b, NULL);
}

/* Runs 'script' with 'args' on the head, output kept in 'res'; -1 with a
 * message if ssh failed. Its own messages (standard error) are shown. */
static int
run_capture(struct jobctx *c, const char *script, char *const *args,
    struct proc_result *res)
{
	char *line = script_line(script, args);
	char  why[512];
	int   r;

	if (line == NULL)
		return error("command too long");
	r = remote_capture(&c->rm, line, -1, JOB_CALL_MS, res);
	free(line);
	if (r == -1)
		return -1;
	if (res->status == 255) {
		remote_explain(&c->rm, res, why, sizeof(why));
		return error("%s", why);
	}
	if (res->err.len > 0)
		fputs(buf_str(&res->err), stderr);
	return 0;
}

/* The job's name when --name is not given: the command's file name, made
 * a valid one, else "job". Caller frees result. */
static char *
default_name(const char *cmd)
{
	const char *base = strrchr(cmd, '/');
	char       *n;
	size_t      k = 0;

	base = base != NULL ? base + 1 : cmd;
	n = xcalloc(1, SLURMJOB_NAME_MAX + 1);
	for (; *base != '\0' && k < SLURMJOB_NAME_MAX; base++)
		if ((*base >= 'a' && *base <= 'z') ||
		    (*base >= 'A' && *base <= 'Z') ||
		    (*base >= '0' && *base <= '9') || *base == '_' ||
		    (k > 0 && (*base == '-' || *base == '.')))
			n[k++] = *base;
	if (slurmjob_name_error(n) != NULL) {
		free(n);
		n = xstrdup("job");
	}
	return n;
}

static int
partition_known(const struct pool *pl, const char *name)
{
	for (const struct partition *p = pl->parts; p != NULL; p = p->next)
		if (strcmp(p->name, name) == 0)
			return 1;
	return 0;
}

static int
job_submit(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "partition", required_argument, NULL, 'p' },
		{ "cpus", required_argument, NULL, 'c' },
		{ "mem", required_argument, NULL, 'm' },
		{ "gpus", required_argument, NULL, 'g' },
		{ "time", required_argument, NULL, 't' },
		{ "array", required_argument, NULL, 'a' },
		{ "name", required_argument, NULL, 'n' },
		{ "no-sync", no_argument, NULL, 'N' },
		{ NULL, 0, NULL, 0 },
	};
	const char        *part = NULL, *mem = NULL, *time = NULL;
	const char        *array = NULL, *name = NULL, *why;
	long long          cpus = 0, gpus = 0;
	struct jobctx      c;
	struct sync_opts   so;
	struct proc_result res;
	struct argv        a;
	char              *jname = NULL, *semi;
	int                ch, nosync = 0, ret = 1;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "+p:c:t:", opts, NULL)) != -1) {
		switch (ch) {
		case 'p':
			part = optarg;
			break;
		case 'c':
			if (parse_int(optarg, 1, 4096, &cpus) == -1)
				return bad("--cpus '%s' is not a number "
				           "from 1 to 4096",
				    optarg);
			break;
		case 'g':
			if (parse_int(optarg, 0, 64, &gpus) == -1)
				return bad("--gpus '%s' is not a number "
				           "from 0 to 64",
				    optarg);
			break;
		case 'm':
			mem = optarg;
			break;
		case 't':
			time = optarg;
			break;
		case 'a':
			array = optarg;
			break;
		case 'n':
			name = optarg;
			break;
		case 'N':
			nosync = 1;
			break;
		default:
			return usage("job");
		}
	}
	if (optind == argc)
		return usage("job");
	if (mem != NULL && (why = slurmjob_mem_error(mem)) != NULL)
		return bad("--mem '%s' %s", mem, why);
	if (time != NULL && (why = slurmjob_time_error(time)) != NULL)
		return bad("--time '%s' %s", time, why);
	if (array != NULL && (why = slurmjob_array_error(array)) != NULL)
		return bad("--array '%s' %s", array, why);
	if (name != NULL && (why = slurmjob_name_error(name)) != NULL)
		return bad("--name '%s' %s", name, why);
	jname = name != NULL ? xstrdup(name) : default_name(argv[optind]);

	argv_init(&a);
	proc_result_init(&res);
	if (ctx_open(&c) == -1)
		goto out;
	if (part != NULL && !partition_known(&c.pl, part)) {
		error("no partition '%s' in rig.conf", part);
		goto out;
	}
	if (!nosync) {
		memset(&so, 0, sizeof(so));
		so.out = stderr;
		if (sync_run(&c.rm, &so, NULL) == -1)
			goto out;
	}
	argv_add(&a, c.rpath);
	argv_add(&a, c.pl.shared_dir);
	argv_add(&a, array != NULL ? array : "");
	argv_addf(&a, "--job-name=%s", jname);
	if (part != NULL)
		argv_addf(&a, "--partition=%s", part);
	if (cpus > 0)
		argv_addf(&a, "--cpus-per-task=%lld", cpus);
	if (mem != NULL)
		argv_addf(&a, "--mem=%s", mem);
	if (gpus > 0)
		argv_addf(&a, "--gpus=%lld", gpus);
	if (time != NULL)
		argv_addf(&a, "--time=%s", time);
	argv_add(&a, SLURMJOB_DIR "/run.sh");
	for (int i = optind; i < argc; i++)
		argv_add(&a, argv[i]);
	if (run_capture(&c, submit_script, a.v, &res) == -1)
		goto out;
	if (res.status != 0) {
		error("sbatch did not take the job (status %d)", res.status);
		goto out;
	}
	/* "ID" or "ID;CLUSTER" */
	semi = strpbrk(out_text(&res), ";\n");
	if (semi != NULL)
		*semi = '\0';
	if (!slurmjob_id_ok(buf_str(&res.out), NULL)) {
		error("sbatch answered '%s', not a job id", buf_str(&res.out));
		goto out;
	}
	printf("%s\n", buf_str(&res.out));
	ret = 0;
out:
	free(jname);
	argv_release(&a);
	proc_result_release(&res);
	ctx_close(&c);
	return ret;
}

static void
print_json_job(json_t *arr, const struct slurmjob *j)
{
	json_array_append_new(arr,
	    json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "id", j->id,
	        "name", j->name, "state", j->state, "reason", j->reason,
	        "elapsed", j->elapsed, "partition", j->partition, "node",
	        j->nodes, "user", j->user));
}

static int
job_list(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "all", no_argument, NULL, 'a' },
		{ "json", no_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 },
	};
	struct proc_result res;
	struct slurmjob    j;
	struct jobctx      c;
	json_t            *arr = NULL;
	char              *rest, *line;
	char              *args[3];
	int                ch, all = 0, json = 0, ret = 1;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (ch == 'a')
			all = 1;
		else if (ch == 'j')
			json = 1;
		else
			return usage("job");
	}
	if (optind != argc)
		return usage("job");
	proc_result_init(&res);
	if (ctx_open(&c) == -1)
		goto out;
	args[0] = (char *)(all ? "all" : "mine");
	args[1] = (char *)SLURMJOB_QUEUE_FORMAT;
	args[2] = NULL;
	if (run_capture(&c, list_script, args, &res) == -1)
		goto out;
	if (res.status != 0) {
		error("squeue failed (status %d)", res.status);
		goto out;
	}
	if (json)
		arr = json_array();
	else if (all)
		printf("%-16s %-12s %-10s %-10s %-12s %-16s %s\n", "ID", "USER",
		    "STATE", "ELAPSED", "PARTITION", "NODE", "NAME");
	else
		printf("%-16s %-10s %-10s %-12s %-16s %s\n", "ID", "STATE",
		    "ELAPSED", "PARTITION", "NODE", "NAME");
	rest = out_text(&res);
	while ((line = next_line(&rest)) != NULL) {
		if (slurmjob_parse_queue(line, &j) == -1) {
			error("squeue printed '%s', not a job", line);
			goto out;
		}
		if (json)
			print_json_job(arr, &j);
		else if (all)
			printf("%-16s %-12s %-10s %-10s %-12s %-16s %s\n", j.id,
			    j.user, j.state, j.elapsed, j.partition,
			    j.nodes[0] != '\0' ? j.nodes : "-", j.name);
		else
			printf("%-16s %-10s %-10s %-12s %-16s %s\n", j.id,
			    j.state, j.elapsed, j.partition,
			    j.nodes[0] != '\0' ? j.nodes : "-", j.name);
	}
	if (json)
		json_dumpf(arr, stdout, JSON_INDENT(2));
	if (json)
		putchar('\n');
	ret = 0;
out:
	json_decref(arr);
	proc_result_release(&res);
	ctx_close(&c);
	return ret;
}

/*
 * The frame of logs, show and cancel: the job id checked (2, the usage exit
 * code, if it is not one), the project's head opened, then 'fn' on it with
 * the id and 'flag'; fn's exit code.
 */
static int
run_for_job(const char *id, int flag,
    int (*fn)(struct jobctx *, const char *, int))
{
	struct jobctx c;
	int           ret = 1;

	if (!slurmjob_id_ok(id, NULL))
		return bad("'%s' is not a job id (ID or ID_TASK)", id);
	if (ctx_open(&c) == 0)
		ret = fn(&c, id, flag);
	ctx_close(&c);
	return ret;
}

/* Runs 'script' on the head with the job id as its one argument. */
static int
run_capture_id(struct jobctx *c, const char *script, const char *id,
    struct proc_result *res)
{
	char *args[2];

	args[0] = (char *)id;
	args[1] = NULL;
	return run_capture(c, script, args, res);
}

/* The job's own output, as rig exec shows a command's; 'follow' as
 * tail -f does. */
static int
logs_on(struct jobctx *c, const char *id, int follow)
{
	char *args[4], *line;
	int   ret;

	args[0] = c->rpath;
	args[1] = (char *)id;
	args[2] = (char *)(follow ? "follow" : "");
	args[3] = NULL;
	line = script_line(logs_script, args);
	if (line == NULL) {
		error("command too long");
		return 1;
	}
	ret = remote_run(&c->rm, line, 0, NULL);
	free(line);
	return ret == -1 || ret == 255 ? 1 : ret;
}

static int
job_logs(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "follow", no_argument, NULL, 'f' },
		{ NULL, 0, NULL, 0 },
	};
	int ch, follow = 0;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "f", opts, NULL)) != -1) {
		if (ch != 'f')
			return usage("job");
		follow = 1;
	}
	if (optind + 1 != argc)
		return usage("job");
	return run_for_job(argv[optind], follow, logs_on);
}

/* Shows one job as key: value lines. */
static void
show_one(const struct slurmjob *j)
{
	printf("job:       %s\n", j->id);
	printf("name:      %s\n", j->name);
	printf("user:      %s\n", j->user);
	printf("state:     %s\n", j->state);
	printf("reason:    %s\n", j->reason);
	printf("partition: %s\n", j->partition);
	printf("node:      %s\n", j->nodes[0] != '\0' ? j->nodes : "-");
	printf("elapsed:   %s\n", j->elapsed);
	printf("exit code: %s\n", j->exit_code);
	printf("output:    %s\n", j->out_path);
}

/* The job's lines from scontrol, each checked to be the login's own. */
static int
show_on(struct jobctx *c, const char *id, int unused)
{
	struct proc_result res;
	struct slurmjob    j;
	char              *me, *rest, *line;
	int                ret = 1, n = 0;

	(void)unused;
	proc_result_init(&res);
	if (run_capture_id(c, show_script, id, &res) == -1)
		goto out;
	me = out_text(&res);
	rest = strchr(me, '\n');
	if (rest == NULL) {
		error("no answer from the head");
		goto out;
	}
	*rest++ = '\0';
	if (res.status != 0) {
		error("Slurm knows no job %s (finished jobs are forgotten "
		      "after MinJobAge, 5 minutes; rig job logs still has "
		      "their output)",
		    id);
		goto out;
	}
	while ((line = next_line(&rest)) != NULL) {
		if (slurmjob_parse_show(line, &j) == -1) {
			error("scontrol printed a line rig cannot read");
			goto out;
		}
		if (strcmp(j.user, me) != 0) {
			error("job %s is not yours", id);
			goto out;
		}
		if (n++ > 0)
			putchar('\n');
		show_one(&j);
	}
	ret = n > 0 ? 0 : 1;
	if (n == 0)
		error("Slurm knows no job %s", id);
out:
	proc_result_release(&res);
	return ret;
}

static int
job_show(int argc, char **argv)
{
	if (argc != 2)
		return usage("job");
	return run_for_job(argv[1], 0, show_on);
}

static int
cancel_on(struct jobctx *c, const char *id, int unused)
{
	struct proc_result res;
	int                ret = 1;

	(void)unused;
	proc_result_init(&res);
	if (run_capture_id(c, cancel_script, id, &res) == -1)
		goto out;
	if (res.status != 0) {
		error("job %s not cancelled", id);
		goto out;
	}
	fprintf(stderr, "job %s cancelled\n", id);
	ret = 0;
out:
	proc_result_release(&res);
	return ret;
}

static int
job_cancel(int argc, char **argv)
{
	if (argc != 2)
		return usage("job");
	return run_for_job(argv[1], 0, cancel_on);
}

int
cmd_job(int argc, char **argv)
{
	if (argc < 2)
		return usage("job");
	if (strcmp(argv[1], "submit") == 0)
		return job_submit(argc - 1, argv + 1);
	if (strcmp(argv[1], "list") == 0)
		return job_list(argc - 1, argv + 1);
	if (strcmp(argv[1], "logs") == 0)
		return job_logs(argc - 1, argv + 1);
	if (strcmp(argv[1], "show") == 0)
		return job_show(argc - 1, argv + 1);
	if (strcmp(argv[1], "cancel") == 0)
		return job_cancel(argc - 1, argv + 1);
	return usage("job");
}
