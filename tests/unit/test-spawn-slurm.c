/* SPDX-License-Identifier: MIT */
/*
 * spawn-slurm.c's readings of Slurm's commands: squeue's lines (and
 * anything else refused, a broken line included), sbatch --parsable's
 * job id, the port a job reports in its comment (nothing but exactly
 * that, in range), what a job state means, the job's own script,
 * which must be Python that compiles, and the proof of its port report
 * (the same HMAC as Python's, which the script computes).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>

#include "hub/spawn-slurm-parse.h"
#include "hub/spawn-slurm-report.h"
#include "hub/spawn-slurm-script.h"
#include "hub/spawn-slurm-tls.h"
#include "lib/util.h"
#include "unit.h"

static int row(const char *, struct slurm_row *);

static int
row(const char *line, struct slurm_row *r)
{
	return slurm_parse_row(line, strlen(line), r);
}

TEST(slurm_squeue_rows)
{
	struct slurm_row r;

	ASSERT_EQ(row("12|PENDING|Resources||rig-alice", &r), 0);
	ASSERT_EQ(r.id, 12);
	ASSERT_STR_EQ(r.state, "PENDING");
	ASSERT_STR_EQ(r.reason, "Resources");
	ASSERT_STR_EQ(r.nodes, "");
	ASSERT_STR_EQ(r.user, "rig-alice");
	ASSERT_EQ(row("7|RUNNING|None|node-2|rig-bob", &r), 0);
	ASSERT_STR_EQ(r.nodes, "node-2");
	/* Not a line of that query. */
	ASSERT_EQ(row("", &r), -1);
	ASSERT_EQ(row("12|PENDING|Resources|", &r), -1);
	ASSERT_EQ(row("12|PENDING|Resources||rig-a|x", &r), -1);
	ASSERT_EQ(row("x|PENDING|Resources||rig-a", &r), -1);
	ASSERT_EQ(row("0|PENDING|Resources||rig-a", &r), -1);
	ASSERT_EQ(row("|PENDING|Resources||rig-a", &r), -1);
	ASSERT_EQ(row("12||Resources||rig-a", &r), -1);
	ASSERT_EQ(row("99999999999|RUNNING|None|n|u", &r), -1);
	ASSERT_EQ(row("12|A_STATE_FAR_TOO_LONG_TO_BE_ONE|x||u", &r), -1);
	/* A line break inside a field is never part of one. */
	ASSERT_EQ(row("1|RUNNING|None|n\n|u", &r), -1);
}

TEST(slurm_sinfo_nodes)
{
	struct slurm_node n;
	const char       *l;

	l = "node-1|10.77.0.11";
	ASSERT_EQ(slurm_parse_node(l, strlen(l), &n), 0);
	ASSERT_STR_EQ(n.name, "node-1");
	ASSERT_STR_EQ(n.addr, "10.77.0.11");
	/* Only the first 'len' bytes are the line. */
	l = "node-2|fd00::2\nnode-3|10.0.0.3";
	ASSERT_EQ(slurm_parse_node(l, strcspn(l, "\n"), &n), 0);
	ASSERT_STR_EQ(n.addr, "fd00::2");
	/* Not a line of that query. */
	l = "node-1";
	ASSERT_EQ(slurm_parse_node(l, strlen(l), &n), -1);
	l = "|10.0.0.1";
	ASSERT_EQ(slurm_parse_node(l, strlen(l), &n), -1);
	l = "node-1|";
	ASSERT_EQ(slurm_parse_node(l, strlen(l), &n), -1);
	l = "node-1|10.0.0.1|x";
	ASSERT_EQ(slurm_parse_node(l, strlen(l), &n), -1);
	l = "node-1|an-address-far-too-long-to-be-one-of-sixty-four-bytes-or-"
	    "more-than-that";
	ASSERT_EQ(slurm_parse_node(l, strlen(l), &n), -1);
}

TEST(slurm_sbatch_jobid)
{
	ASSERT_EQ(slurm_parse_jobid("42\n"), 42);
	ASSERT_EQ(slurm_parse_jobid("42"), 42);
	ASSERT_EQ(slurm_parse_jobid("42;cluster\n"), 42);
	ASSERT_EQ(slurm_parse_jobid("sbatch: warning: x\n1234\n\n"), 1234);
	ASSERT_EQ(slurm_parse_jobid(""), -1);
	ASSERT_EQ(slurm_parse_jobid(
	              "sbatch: error: Batch job submission "
	              "failed: Invalid partition name specified\n"),
	    -1);
	ASSERT_EQ(slurm_parse_jobid("12abc\n"), -1);
	ASSERT_EQ(slurm_parse_jobid("0\n"), -1);
	ASSERT_EQ(slurm_parse_jobid("99999999999999\n"), -1);
}

TEST(slurm_comment_port)
{
	ASSERT_EQ(slurm_parse_port("rig-port=8888"), 8888);
	ASSERT_EQ(slurm_parse_port("rig-port=8888\n"), 8888);
	ASSERT_EQ(slurm_parse_port("rig-port=65535\n"), 65535);
	ASSERT_EQ(slurm_parse_port("(null)\n"), -1);
	ASSERT_EQ(slurm_parse_port(""), -1);
	ASSERT_EQ(slurm_parse_port("rig-port="), -1);
	ASSERT_EQ(slurm_parse_port("rig-port=22\n"), -1);
	ASSERT_EQ(slurm_parse_port("rig-port=65536"), -1);
	ASSERT_EQ(slurm_parse_port("rig-port=8888 "), -1);
	ASSERT_EQ(slurm_parse_port("rig-port=8888\n\n"), -1);
	ASSERT_EQ(slurm_parse_port("rig-port=8888\n12|RUNNING|None|n|u\n"), -1);
	ASSERT_EQ(slurm_parse_port(" rig-port=8888"), -1);
	ASSERT_EQ(slurm_parse_port("rig-port=-1"), -1);
}

TEST(slurm_state_kinds)
{
	ASSERT_EQ(slurm_state_kind("PENDING"), SLURM_WAITING);
	ASSERT_EQ(slurm_state_kind("REQUEUED"), SLURM_WAITING);
	ASSERT_EQ(slurm_state_kind("CONFIGURING"), SLURM_BOOTING);
	ASSERT_EQ(slurm_state_kind("RUNNING"), SLURM_RUNNING);
	ASSERT_EQ(slurm_state_kind("COMPLETING"), SLURM_ENDING);
	ASSERT_EQ(slurm_state_kind("COMPLETED"), SLURM_ENDED);
	ASSERT_EQ(slurm_state_kind("CANCELLED"), SLURM_ENDED);
	ASSERT_EQ(slurm_state_kind("TIMEOUT"), SLURM_ENDED);
	ASSERT_EQ(slurm_state_kind("NODE_FAIL"), SLURM_ENDED);
	ASSERT_EQ(slurm_state_kind("OUT_OF_MEMORY"), SLURM_ENDED);
	ASSERT_EQ(slurm_state_kind("SUSPENDED"), SLURM_OTHER);
	ASSERT_EQ(slurm_state_kind(""), SLURM_OTHER);
}

/* The script compiles with the nodes' Python and reads only what the
 * hub puts in its environment. */
TEST(slurm_job_script)
{
	char  path[] = "/tmp/rig-job-XXXXXX", *cmd;
	FILE *f;
	int   fd;

	/* The standard library alone: isolated, no site (its start). */
	ASSERT(strncmp(slurm_job_script, "#!/usr/bin/python3 -IS\n", 23) == 0);
	ASSERT(strstr(slurm_job_script, "RIG_SERVER_ARGV") != NULL);
	ASSERT(strstr(slurm_job_script, "Comment=" SLURM_PORT_PREFIX) != NULL);
	/* The secret, which signs the port's report, only from the job's
	 * environment: sbatch keeps the script. */
	ASSERT(
	    strstr(slurm_job_script, "os.environ.get('JUPYTER_TOKEN'") != NULL);
	ASSERT(strstr(slurm_job_script, "TOKEN=") == NULL);
	fd = mkstemp(path);
	ASSERT(fd != -1);
	f = fdopen(fd, "w");
	ASSERT_NOT_NULL(f);
	fputs(slurm_job_script, f);
	fclose(f);
	cmd = xasprintf(
	    "/usr/bin/python3 -IS -c 'import sys; "
	    "compile(open(sys.argv[1]).read(), \"job\", \"exec\")' %s",
	    path);
	ASSERT_EQ(system(cmd), 0);
	free(cmd);
	unlink(path);
}

/* Runs the job's script in 'dir' with a server that fails before it
 * listens its first 'fails' times (as when another job took its port)
 * and a stand-in for scontrol; its exit status, and its output in
 * dir/out. */
static int
run_job_script(const char *dir, int fails)
{
	char *cmd;
	FILE *f;
	int   rc;

	cmd = xasprintf("%s/job", dir);
	f = fopen(cmd, "w");
	ASSERT_NOT_NULL(f);
	fputs(slurm_job_script, f);
	fclose(f);
	free(cmd);
	cmd = xasprintf("%s/srv.py", dir);
	f = fopen(cmd, "w");
	ASSERT_NOT_NULL(f);
	fprintf(f,
	    "import os, socket, sys, time\n"
	    "port, count = int(sys.argv[1]), sys.argv[2]\n"
	    "n = len(open(count).read()) if os.path.exists(count) else 0\n"
	    "open(count, 'a').write('x')\n"
	    "if n < %d:\n"
	    "    sys.exit('listen: address already in use')\n"
	    "s = socket.socket()\n"
	    "s.bind(('127.0.0.1', port))\n"
	    "s.listen(1)\n"
	    "time.sleep(0.3)\n",
	    fails);
	fclose(f);
	free(cmd);
	cmd = xasprintf("mkdir -p %s/bin && printf '#!/bin/sh\\necho \"$*\" "
	                ">%s/scontrol.args\\n' >%s/bin/scontrol && "
	                "chmod 755 %s/bin/scontrol",
	    dir, dir, dir, dir);
	ASSERT_EQ(system(cmd), 0);
	free(cmd);
	cmd = xasprintf(
	    "cd %s && env -i PATH=%s/bin:/usr/bin:/bin SLURM_JOB_ID=7 "
	    "JUPYTER_TOKEN=t RIG_TLS_CERT=c RIG_TLS_KEY=k RIG_TLS_CLIENT_CA=a "
	    "RIG_SERVER_ARGV='[\"/usr/bin/python3\", \"%s/srv.py\", "
	    "\"{port}\", \"%s/count\"]' /usr/bin/python3 -IS job >out 2>&1",
	    dir, dir, dir, dir);
	rc = system(cmd);
	free(cmd);
	return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

/* A server that ended before it listened (its port taken between the
 * script's pick and its bind) is started again on another port, twice at
 * most; the port said is the one it listens on. */
TEST(slurm_job_script_port_retry)
{
	char  dir[] = "/tmp/rig-jobretry-XXXXXX", *path, *text, *cmd;
	char *port;

	ASSERT_NOT_NULL(mkdtemp(dir));
	ASSERT_EQ(run_job_script(dir, 2), 0);
	path = xasprintf("%s/out", dir);
	text = read_file(path, 65536, NULL);
	free(path);
	ASSERT_NOT_NULL(text);
	/* Two failures, two more starts, each on a port of its own. */
	ASSERT_NOT_NULL(strstr(text, "trying another port"));
	ASSERT_NOT_NULL(strstr(strstr(text, "trying another port") + 1,
	    "trying another port"));
	free(text);
	path = xasprintf("%s/scontrol.args", dir);
	text = read_file(path, 4096, NULL);
	free(path);
	ASSERT_NOT_NULL(text);
	port = strstr(text, "Comment=" SLURM_PORT_PREFIX);
	ASSERT_NOT_NULL(port);
	ASSERT(strstr(text, "JobId=7") != NULL);
	free(text);

	/* One that never listens: the job ends with its status after the
	 * third start, and no port is said. */
	cmd = xasprintf("rm -f %s/count %s/scontrol.args", dir, dir);
	ASSERT_EQ(system(cmd), 0);
	free(cmd);
	ASSERT_EQ(run_job_script(dir, 5), 1);
	path = xasprintf("%s/scontrol.args", dir);
	ASSERT(access(path, F_OK) == -1);
	free(path);
	path = xasprintf("%s/count", dir);
	text = read_file(path, 64, NULL);
	free(path);
	ASSERT_STR_EQ(text, "xxx");
	free(text);
	cmd = xasprintf("rm -rf %s", dir);
	ASSERT_EQ(system(cmd), 0);
	free(cmd);
}

TEST(slurm_report_proof)
{
	char p[65], q[65];

	/* Python: hmac.new(b'0123456789abcdef', b'rig-slurm-port 42 8888',
	 * 'sha256').hexdigest() */
	slurm_report_proof("0123456789abcdef", 42, 8888, p, sizeof(p));
	ASSERT_STR_EQ(p,
	    "30f215d4f3ce97bed9fafe0dae313372736f7bb331d344c87dbed267b07aca35");
	/* Another job, port or secret: another proof. */
	slurm_report_proof("0123456789abcdef", 43, 8888, q, sizeof(q));
	ASSERT(strcmp(p, q) != 0);
	slurm_report_proof("0123456789abcdef", 42, 8889, q, sizeof(q));
	ASSERT(strcmp(p, q) != 0);
	slurm_report_proof("0123456789abcdeg", 42, 8888, q, sizeof(q));
	ASSERT(strcmp(p, q) != 0);
}

/* rig slurm-tls-keys' output read back: the server's two blocks, or
 * with --hub the four, in their order, nothing else; a block missing,
 * out of order or trailing bytes refused. */
TEST(slurm_tls_keys_parse)
{
	struct slurm_tls made, got;
	char            *text, *cut;

	ASSERT_EQ(slurm_tls_make(&made, 0), 0);
	ASSERT_NULL(made.hub_key);
	text = xasprintf("%s%s", made.server_key, made.server_cert);
	ASSERT_EQ(slurm_tls_parse(text, &got), 0);
	ASSERT_STR_EQ(got.server_cert, made.server_cert);
	ASSERT_NULL(got.hub_key);
	ASSERT_NULL(got.hub_cert);
	slurm_tls_release(&got);
	free(text);
	text = xasprintf("%s%s%s", made.server_key, made.server_cert,
	    made.server_key);
	ASSERT_EQ(slurm_tls_parse(text, &got), -1);
	free(text);
	slurm_tls_release(&made);

	ASSERT_EQ(slurm_tls_make(&made, 1), 0);
	text = xasprintf("%s%s%s%s", made.server_key, made.server_cert,
	    made.hub_key, made.hub_cert);
	ASSERT_EQ(slurm_tls_parse(text, &got), 0);
	ASSERT_STR_EQ(got.server_key, made.server_key);
	ASSERT_STR_EQ(got.server_cert, made.server_cert);
	ASSERT_STR_EQ(got.hub_key, made.hub_key);
	ASSERT_STR_EQ(got.hub_cert, made.hub_cert);
	slurm_tls_release(&got);
	free(text);
	text = xasprintf("%s%s%s%sx", made.server_key, made.server_cert,
	    made.hub_key, made.hub_cert);
	ASSERT_EQ(slurm_tls_parse(text, &got), -1);
	ASSERT_NULL(got.server_key);
	free(text);
	text = xasprintf("%s%s%s%s", made.server_cert, made.server_key,
	    made.hub_key, made.hub_cert);
	ASSERT_EQ(slurm_tls_parse(text, &got), -1);
	free(text);
	text = xasprintf("%s%s%s%s", made.server_key, made.server_cert,
	    made.hub_key, made.hub_cert);
	cut = strstr(text + strlen(made.server_key) + strlen(made.server_cert) +
	        strlen(made.hub_key),
	    "-----END");
	ASSERT_NOT_NULL(cut);
	*cut = '\0';
	ASSERT_EQ(slurm_tls_parse(text, &got), -1);
	ASSERT_EQ(slurm_tls_parse("", &got), -1);
	free(text);
	slurm_tls_release(&made);
}
