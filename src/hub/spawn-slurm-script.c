/* SPDX-License-Identifier: MIT */
/*
 * The job's script (spawn-slurm-script.h), run by /usr/bin/python3 on the
 * node as the user (Jupyter needs Python there anyway). sbatch keeps it;
 * nothing in it is the user's or secret.
 *
 * Where it runs: the job picks a free port on its node (among the
 * servers' ports rig up wrote to SLURMJOB_NODE_PORTS, which the node's
 * firewall lets only the head reach), starts the
 * server on it, waits until every listener on that port is its own uid
 * (another account of the node could bind it first), then sets its own
 * comment to SLURM_PORT_PREFIX PORT: only the job's owner (and Slurm's
 * administrators) may change a job's comment, so the port is the user's
 * word, and the host is not: it is the NodeAddr of the node Slurm
 * allocated (sinfo). Before that, where the hub's API is on the pool's
 * network (RIG_PORT_URL), it reports the port there at once, signed by
 * the server's secret (spawn-slurm-report.h); the comment stays for a
 * hub that missed the report (restarted meanwhile).
 *
 * Its TLS key goes to a folder of the job's own on the node,
 * SLURMJOB_NODE_DIR/JOBID, which rig's Slurm prolog makes (0700, the
 * job's account) and its epilog removes however the job ended: the
 * script's own clean-up does not run when its processes are killed.
 *
 * Python runs with -I -S: the standard library alone, no site-packages
 * (Debian's site and its .pth files cost ~20 ms of a loaded node's time
 * before the server starts, on every start) and nothing from the
 * environment's PYTHON* variables or the user's site.
 */
#include "lib/slurmjob.h"
#include "lib/banned.h"
#include "spawn-slurm-parse.h"
#include "spawn-slurm-report.h"
#include "spawn-slurm-script.h"

const char slurm_job_script[] =
    "#!/usr/bin/python3 -IS\n"
    "# rig: a user's server as a Slurm job, submitted by rig's hub. The\n"
    "# command comes in RIG_SERVER_ARGV ({port} filled in here), the\n"
    "# server's secret in the environment, and its TLS key and certificate\n"
    "# and the hub's certificate (RIG_TLS_*), which go to files only this\n"
    "# account may read, for the server's --certfile, --keyfile and\n"
    "# --client-ca. A free port of this node is picked, the server\n"
    "# started on it, and once every listener on the port is this job's\n"
    "# own uid the port is reported to the hub's API (RIG_PORT_URL, signed\n"
    "# by the server's secret) and goes into the job's comment, where the\n"
    "# hub reads it too. Signals are passed on to the server.\n"
    "import json, os, random, shutil, signal, socket, stat, subprocess\n"
    "import sys, tempfile, time\n"
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
    "report_url = os.environ.pop('RIG_PORT_URL', '')\n"
    "job = os.environ['SLURM_JOB_ID']\n"
    "# The job's own folder, made by rig's prolog and removed by its\n"
    "# epilog however the job ends (a kill, its time limit); else /tmp.\n"
    "jobdir = '" SLURMJOB_NODE_DIR "/' + job\n"
    "try:\n"
    "    st = os.lstat(jobdir)\n"
    "    mine = stat.S_ISDIR(st.st_mode) and st.st_uid == os.getuid() and \\\n"
    "        not st.st_mode & 0o077\n"
    "except OSError:\n"
    "    mine = False\n"
    "keys = tempfile.mkdtemp(prefix='rig-tls-', dir=jobdir if mine else None)\n"
    "def put(name, var):\n"
    "    path = os.path.join(keys, name)\n"
    "    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)\n"
    "    with os.fdopen(fd, 'w') as f:\n"
    "        f.write(os.environ.pop(var))\n"
    "    return path\n"
    "argv += ['--certfile=' + put('server.crt', 'RIG_TLS_CERT'),\n"
    "         '--keyfile=' + put('server.key', 'RIG_TLS_KEY'),\n"
    "         '--client-ca=' + put('hub.crt', 'RIG_TLS_CLIENT_CA')]\n"
    "# A free port among those of the node's servers (only the head may\n"
    "# reach them there), or any without rig up's word on them.\n"
    "def free_port():\n"
    "    try:\n"
    "        with open('" SLURMJOB_NODE_PORTS "') as f:\n"
    "            lo, hi = [int(w) for w in f.read().split()[:2]]\n"
    "    except (OSError, ValueError):\n"
    "        lo = hi = 0\n"
    "    ports = list(range(lo, hi + 1)) if 0 < lo <= hi else [0]\n"
    "    random.shuffle(ports)\n"
    "    for p in ports:\n"
    "        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)\n"
    "        try:\n"
    "            s.bind(('0.0.0.0', p))\n"
    "            return s.getsockname()[1]\n"
    "        except OSError:\n"
    "            pass\n"
    "        finally:\n"
    "            s.close()\n"
    "    print('rig: no free port from %d to %d on this node' % (lo, hi),\n"
    "          flush=True)\n"
    "    shutil.rmtree(keys, ignore_errors=True)\n"
    "    sys.exit(1)\n"
    "port = free_port()\n"
    "argv = [a.replace('{port}', str(port)) for a in argv]\n"
    "print('rig: job %s on %s: the server on port %d' %\n"
    "      (job, socket.gethostname(), port), flush=True)\n"
    "child = subprocess.Popen(argv, stdin=subprocess.DEVNULL)\n"
    "import hmac, http.client, urllib.parse  # while the server starts\n"
    "def report():\n"
    "    secret = os.environ.get('JUPYTERHUB_API_TOKEN') or \\\n"
    "        os.environ.get('JUPYTER_TOKEN', '')\n"
    "    what = '" SLURM_REPORT_WHAT " %s %d' % (job, port)\n"
    "    proof = hmac.new(secret.encode(), what.encode(), 'sha256')\n"
    "    body = json.dumps({'job': int(job), 'port': port,\n"
    "                       'proof': proof.hexdigest()})\n"
    "    u = urllib.parse.urlsplit(report_url)\n"
    "    try:\n"
    "        c = http.client.HTTPConnection(u.hostname, u.port, timeout=5)\n"
    "        c.request('POST', u.path, body,\n"
    "                  {'Content-Type': 'application/json'})\n"
    "        r = c.getresponse()\n"
    "        if r.status != 204:\n"
    "            raise OSError('%d %s' % (r.status, r.read()[:200]))\n"
    "    except (OSError, http.client.HTTPException) as e:\n"
    "        print('rig: the hub did not take the port (%s); the job\\'s '\n"
    "              'comment says it' % e, flush=True)\n"
    "def forward(sig, frame):\n"
    "    child.send_signal(sig)\n"
    "for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP,\n"
    "            signal.SIGUSR1, signal.SIGUSR2):\n"
    "    signal.signal(sig, forward)\n"
    "def leave(rc):\n"
    "    shutil.rmtree(keys, ignore_errors=True)\n"
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
    "    time.sleep(0.01)\n"
    "if report_url:\n"
    "    report()\n"
    "subprocess.run(['scontrol', 'update', 'JobId=' + job,\n"
    "                'Comment=" SLURM_PORT_PREFIX "%d' % port], check=True)\n"
    "leave(child.wait())\n";
