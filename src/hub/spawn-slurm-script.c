/* SPDX-License-Identifier: MIT */
/*
 * The job's script (spawn-slurm-script.h), run by /usr/bin/python3 on the
 * node as the user (Jupyter needs Python there anyway). sbatch keeps it;
 * nothing in it is the user's or secret.
 *
 * Where it runs: the job picks a free port on its node, starts the
 * server on it, waits until every listener on that port is its own uid
 * (another account of the node could bind it first), then sets its own
 * comment to SLURM_PORT_PREFIX PORT: only the job's owner (and Slurm's
 * administrators) may change a job's comment, so the port is the user's
 * word, and the host is not: it is the NodeAddr of the node Slurm
 * allocated (sinfo).
 */
#include "lib/banned.h"
#include "spawn-slurm-parse.h"
#include "spawn-slurm-script.h"

const char slurm_job_script[] =
    "#!/usr/bin/python3\n"
    "# rig: a user's server as a Slurm job, submitted by rig's hub. The\n"
    "# command comes in RIG_SERVER_ARGV ({port} filled in here), the\n"
    "# server's secret in the environment. A free port of this node is\n"
    "# picked, the server started on it, and once every listener on the\n"
    "# port is this job's own uid the port goes into the job's comment,\n"
    "# where the hub reads it. Signals are passed on to the server.\n"
    "import json, os, signal, socket, subprocess, sys, time\n"
    "\n"
    "def owners(port):\n"
    "    uids = []\n"
    "    for name in ('/proc/net/tcp', '/proc/net/tcp6'):\n"
    "        try:\n"
    "            with open(name) as f:\n"
    "                rows = f.read().splitlines()[1:]\n"
    "        except OSError:\n"
    "            continue\n"
    "        for row in rows:\n"
    "            w = row.split()\n"
    "            if len(w) > 7 and w[3] == '0A' and \\\n"
    "                    int(w[1].rsplit(':', 1)[1], 16) == port:\n"
    "                uids.append(int(w[7]))\n"
    "    return uids\n"
    "\n"
    "argv = json.loads(os.environ.pop('RIG_SERVER_ARGV'))\n"
    "job = os.environ['SLURM_JOB_ID']\n"
    "s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)\n"
    "s.bind(('0.0.0.0', 0))\n"
    "port = s.getsockname()[1]\n"
    "s.close()\n"
    "argv = [a.replace('{port}', str(port)) for a in argv]\n"
    "print('rig: job %s on %s: the server on port %d' %\n"
    "      (job, socket.gethostname(), port), flush=True)\n"
    "child = subprocess.Popen(argv, stdin=subprocess.DEVNULL)\n"
    "def forward(sig, frame):\n"
    "    child.send_signal(sig)\n"
    "for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP,\n"
    "            signal.SIGUSR1, signal.SIGUSR2):\n"
    "    signal.signal(sig, forward)\n"
    "def leave(rc):\n"
    "    sys.exit(rc if rc >= 0 else 128 - rc)\n"
    "while True:\n"
    "    if child.poll() is not None:\n"
    "        leave(child.returncode)\n"
    "    uids = owners(port)\n"
    "    if [u for u in uids if u != os.getuid()]:\n"
    "        print('rig: port %d was taken by another account (uid %s)' %\n"
    "              (port, uids), flush=True)\n"
    "        child.kill()\n"
    "        leave(1)\n"
    "    if uids:\n"
    "        break\n"
    "    time.sleep(0.05)\n"
    "subprocess.run(['scontrol', 'update', 'JobId=' + job,\n"
    "                'Comment=" SLURM_PORT_PREFIX "%d' % port], check=True)\n"
    "leave(child.wait())\n";
