/* SPDX-License-Identifier: MIT */
/*
 * The steps of rig up (up.h). Before rig is on the machine, the checks
 * are small sh scripts (one ssh call each); after, the machine's own rig
 * does the work ('rig service', 'rig user'), so there is one place that
 * knows the layout there. Output: a line per step with what it found or
 * did and how long it took.
 *
 * The admin password: 'rig user add' prints it once; rig up prints it at
 * the end and only then writes a marker (admin-shown) on the machine. An
 * up interrupted in between finds the account without the marker next
 * time and sets a new password, so a password is never lost unseen, and
 * an up after a finished one changes nothing.
 */
#include <sys/stat.h>
#include <sys/utsname.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "lib/buf.h"
#include "hub-profiles.h"
#include "hubctl.h"
#include "lib/log.h"
#include "machine.h"
#include "provider.h"
#include "remote.h"
#include "service.h"
#include "up.h"
#include "lib/util.h"
#include "version.h"

#define STEPS 7
#define SELF_MAX (512 * 1024 * 1024) /* bytes of the rig binary */
#define PROBE_MS 30000
#define DSVM_JUPYTER "/anaconda/bin/jupyter-lab"
/* The single-user server on a DSVM: its JupyterLab, a Jupyter Server app
 * (ServerApp options; rig's default is Debian's notebook 6). */
#define DSVM_SERVER_CMD                                                        \
	" --no-browser --ServerApp.ip=127.0.0.1 --ServerApp.port={port} "      \
	"--ServerApp.port_retries=0 --ServerApp.base_url={base_url} "          \
	"--ServerApp.root_dir={root_dir} --ServerApp.allow_remote_access=True"
#define INSTALL_MS (30 * 60 * 1000)
#define COPY_MS (10 * 60 * 1000)

/* What the probe learned about the machine. */
struct facts {
	char      id[64], like[128], pretty[128], arch[64], sudo[16];
	char      home[1024];
	long long uid, disk_kb, cores;
	int       systemd;
	int       image_hub; /* a JupyterHub service of the image (DSVM) */
	char      image_jupyter[256]; /* the image's JupyterLab, if any */
};

struct up {
	struct remote  *rm;
	struct machine *m;
	struct facts    f;
	int             step;
	uint64_t        t0, t_step;
	int             rig_changed, config_changed;
	char           *password; /* generated now, to print once */
	char            fingerprint[128];
	char            mode[32], boot[32];
};

static const char probe_script[] =
    "( . /etc/os-release 2>/dev/null; echo \"id=${ID:-}\"; "
    "echo \"like=${ID_LIKE:-}\"; echo \"pretty=${PRETTY_NAME:-}\" ); "
    "echo \"arch=$(uname -m)\"; echo \"uid=$(id -u)\"; echo \"home=$HOME\"; "
    "if [ \"$(id -u)\" = 0 ]; then echo sudo=root; "
    "elif command -v sudo >/dev/null 2>&1; then "
    "if sudo -n true >/dev/null 2>&1; then echo sudo=yes; "
    "else echo sudo=password; fi; else echo sudo=no; fi; "
    "if [ -d /run/systemd/system ]; then echo systemd=yes; fi; "
    /* A Data Science VM: its own JupyterHub (on rig's port 8000) and
     * its conda JupyterLab. */
    "if command -v systemctl >/dev/null 2>&1 && "
    "{ systemctl is-active --quiet jupyterhub 2>/dev/null || "
    "{ [ -d /run/systemd/system ] && "
    "systemctl is-enabled --quiet jupyterhub 2>/dev/null; }; }; then "
    "echo image_hub=yes; fi; "
    "if [ -x " DSVM_JUPYTER " ]; then echo image_jupyter=" DSVM_JUPYTER "; fi; "
    "echo \"cores=$(getconf _NPROCESSORS_ONLN 2>/dev/null)\"; "
    "echo \"disk=$(df -Pk . 2>/dev/null | tail -n 1)\"";

static void step_begin(struct up *, const char *);
static void step_end(struct up *, const char *, ...)
    __attribute__((format(printf, 2, 3)));
static int       step_probe(struct up *);
static int       step_packages(struct up *);
static int       step_rig(struct up *);
static int       step_setup(struct up *);
static int       step_admin(struct up *);
static int       step_start(struct up *);
static int       step_status(struct up *);
static int       self_sha256(char *, size_t);
static int       disk_full(const struct proc_result *);
static long long kv_num(const char *, const char *);

static void
step_begin(struct up *u, const char *what)
{
	u->step++;
	u->t_step = now_ms();
	printf("[%d/%d] %-9s ", u->step, STEPS, what);
	fflush(stdout);
}

static void
step_end(struct up *u, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf(" (%.2f s)\n", (double)(now_ms() - u->t_step) / 1000.0);
	fflush(stdout);
}

static long long
kv_num(const char *text, const char *key)
{
	char      v[64];
	long long n;

	if (hubctl_value(text, key, v, sizeof(v)) == -1 ||
	    parse_int(v, 0, (long long)1 << 60, &n) == -1)
		return -1;
	return n;
}

/* Whether a failed remote command ran out of disk space. */
static int
disk_full(const struct proc_result *res)
{
	return strstr(buf_str(&res->err), "No space left on device") != NULL;
}

/* Checks the machine: login, OS, architecture, room, sudo. */
static int
step_probe(struct up *u)
{
	struct proc_result res;
	struct utsname     un;
	const char        *out, *p;
	char               disk[512];
	int                debian;

	step_begin(u, "connect");
	if (remote_connect(u->rm) == -1)
		return -1;
	proc_result_init(&res);
	if (remote_capture(u->rm, probe_script, -1, PROBE_MS, &res) == -1 ||
	    res.status != 0) {
		hubctl_show_error(&res);
		proc_result_release(&res);
		return error("cannot look at the machine (status %d)",
		    res.status);
	}
	out = buf_str(&res.out);
	hubctl_value(out, "id", u->f.id, sizeof(u->f.id));
	hubctl_value(out, "like", u->f.like, sizeof(u->f.like));
	hubctl_value(out, "pretty", u->f.pretty, sizeof(u->f.pretty));
	hubctl_value(out, "arch", u->f.arch, sizeof(u->f.arch));
	hubctl_value(out, "sudo", u->f.sudo, sizeof(u->f.sudo));
	hubctl_value(out, "home", u->f.home, sizeof(u->f.home));
	u->f.uid = kv_num(out, "uid");
	u->f.cores = kv_num(out, "cores");
	u->f.systemd = hubctl_value(out, "systemd", disk, sizeof(disk)) == 0;
	u->f.image_hub =
	    hubctl_value(out, "image_hub", disk, sizeof(disk)) == 0;
	hubctl_value(out, "image_jupyter", u->f.image_jupyter,
	    sizeof(u->f.image_jupyter));
	u->f.disk_kb = -1;
	if (hubctl_value(out, "disk", disk, sizeof(disk)) == 0) {
		/* "FS 1K-blocks Used Available Capacity Mounted" */
		p = disk;
		for (int field = 0; field < 3 && p != NULL; field++) {
			p = strpbrk(p, " \t");
			if (p != NULL)
				p += strspn(p, " \t");
		}
		if (p != NULL)
			u->f.disk_kb = strtoll(p, NULL, 10);
	}
	proc_result_release(&res);

	debian = strcmp(u->f.id, "debian") == 0 ||
	    strcmp(u->f.id, "ubuntu") == 0 ||
	    strstr(u->f.like, "debian") != NULL ||
	    strstr(u->f.like, "ubuntu") != NULL;
	if (!debian)
		return error("unsupported OS on %s: '%s' (rig up needs Debian "
		             "or Ubuntu, with apt)",
		    u->rm->host != NULL ? u->rm->host : "this machine",
		    u->f.pretty[0] != '\0'   ? u->f.pretty
		        : u->f.id[0] != '\0' ? u->f.id
		                             : "unknown");
	if (uname(&un) == 0 && strcmp(un.machine, u->f.arch) != 0)
		return error("the machine is %s, this rig is built for %s: "
		             "cannot install it there",
		    u->f.arch, un.machine);
	if (u->f.disk_kb >= 0 && u->f.disk_kb < UP_MIN_DISK_KB)
		return error("disk full on the machine: %lld MB free in %s "
		             "(rig up needs %d MB)",
		    u->f.disk_kb / 1024, u->f.home, UP_MIN_DISK_KB / 1024);
	step_end(u, "%s, %s, %lld cores, %lld MB free", u->f.pretty, u->f.arch,
	    u->f.cores, u->f.disk_kb / 1024);
	return 0;
}

/* The packages: dpkg-query for each, apt-get for the missing ones. */
static int
step_packages(struct up *u)
{
	struct proc_result res;
	struct buf         script, missing;
	char              *list, *w, *save = NULL, *q;
	const char        *sudo;
	int                n = 0, r = -1;

	step_begin(u, "packages");
	buf_init(&script, 64 * 1024);
	buf_init(&missing, 64 * 1024);
	list = xasprintf("%s %s", UP_PACKAGES,
	    u->m->packages != NULL ? u->m->packages : "");
	/* rig.conf's check took names only; '--' all the same. */
	buf_adds(&script,
	    "dpkg-query -W -f='${Package} ${db:Status-Abbrev}"
	    "\\n' --");
	for (w = strtok_r(list, " ", &save); w != NULL;
	     w = strtok_r(NULL, " ", &save)) {
		q = sh_quote(w);
		buf_addf(&script, " %s", q);
		free(q);
		n++;
	}
	buf_adds(&script, " 2>/dev/null; true");
	proc_result_init(&res);
	if (remote_capture(u->rm, buf_str(&script), -1, PROBE_MS, &res) == -1)
		goto out;
	/* Every package without an "ii" line is missing. */
	free(list);
	list = xasprintf("%s %s", UP_PACKAGES,
	    u->m->packages != NULL ? u->m->packages : "");
	save = NULL;
	for (w = strtok_r(list, " ", &save); w != NULL;
	     w = strtok_r(NULL, " ", &save)) {
		char       *line = xasprintf("%s ii", w);
		const char *p = buf_str(&res.out);
		size_t      len = strlen(line);
		int         have = 0;

		for (; p != NULL && *p != '\0' && !have;) {
			if (strncmp(p, line, len) == 0)
				have = 1;
			p = strchr(p, '\n');
			if (p != NULL)
				p++;
		}
		free(line);
		if (!have)
			buf_addf(&missing, " %s", w);
	}
	proc_result_release(&res);
	if (missing.len == 0) {
		step_end(u, "%d present", n);
		r = 0;
		goto out;
	}
	if (strcmp(u->f.sudo, "root") == 0)
		sudo = "";
	else if (strcmp(u->f.sudo, "yes") == 0)
		sudo = "sudo -n ";
	else {
		error("sudo missing: %s is not root on the machine and cannot "
		      "use sudo without a password (%s); install these there, "
		      "or allow %s password-less sudo:%s",
		    machine_user(u->m),
		    strcmp(u->f.sudo, "no") == 0 ? "no sudo"
		                                 : "sudo asks for a password",
		    machine_user(u->m), buf_str(&missing));
		goto out;
	}
	if (u->f.disk_kb >= 0 && u->f.disk_kb < UP_MIN_DISK_INSTALL_KB) {
		error("disk full on the machine: %lld MB free, installing%s "
		      "needs about %d MB",
		    u->f.disk_kb / 1024, buf_str(&missing),
		    UP_MIN_DISK_INSTALL_KB / 1024);
		goto out;
	}
	printf("installing%s ... ", buf_str(&missing));
	fflush(stdout);
	buf_reset(&script);
	buf_addf(&script,
	    "%senv DEBIAN_FRONTEND=noninteractive apt-get -o "
	    "DPkg::Lock::Timeout=600 -qq update && %senv "
	    "DEBIAN_FRONTEND=noninteractive apt-get -o "
	    "DPkg::Lock::Timeout=600 -qq install -y --no-install-recommends"
	    " --%s",
	    sudo, sudo, buf_str(&missing));
	proc_result_init(&res);
	if (remote_capture(u->rm, buf_str(&script), -1, INSTALL_MS, &res) == -1)
		goto out;
	if (res.status != 0) {
		printf("\n");
		hubctl_show_error(&res);
		if (disk_full(&res))
			error("disk full on the machine while installing "
			      "packages");
		else
			error("apt-get failed on the machine (status %d)",
			    res.status);
		proc_result_release(&res);
		goto out;
	}
	proc_result_release(&res);
	step_end(u, "installed");
	r = 0;
out:
	free(list);
	buf_release(&script);
	buf_release(&missing);
	return r;
}

/* The SHA-256 of this rig's own binary, as hex. */
static int
self_sha256(char *hex, size_t hexlen)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int  mdlen = 0;
	size_t        len;
	char         *data = read_file("/proc/self/exe", SELF_MAX, &len);
	int           r;

	if (data == NULL || hexlen < 65)
		return error("cannot read rig's own binary: %s",
		    strerror(errno));
	r = EVP_Digest(data, len, md, &mdlen, EVP_sha256(), NULL) == 1 ? 0 : -1;
	free(data);
	if (r == 0)
		hex_encode(md, mdlen, hex);
	return r;
}

/* This rig, copied to ~/.local/bin/rig unless the same is there. */
static int
step_rig(struct up *u)
{
	struct proc_result res;
	char               hex[2 * EVP_MAX_MD_SIZE + 1], *script, *want;
	int                fd, r;

	step_begin(u, "rig");
	if (self_sha256(hex, sizeof(hex)) == -1)
		return -1;
	script = xasprintf("sha256sum %s 2>/dev/null", SERVICE_BIN);
	proc_result_init(&res);
	r = remote_capture(u->rm, script, -1, PROBE_MS, &res);
	free(script);
	if (r == -1)
		return -1;
	if (strncmp(buf_str(&res.out), hex, 64) == 0) {
		proc_result_release(&res);
		u->rig_changed = 0;
		step_end(u, "%s is up to date", SERVICE_BIN);
		return 0;
	}
	proc_result_release(&res);
	/* Copy to a new name, then rename: a hub running the old one
	 * keeps it until restarted. */
	fd = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
	if (fd == -1)
		return error("cannot read rig's own binary: %s",
		    strerror(errno));
	script =
	    xasprintf("mkdir -p .local/bin && t=%s.new.$$ && "
	              "cat > \"$t\" && chmod 755 \"$t\" && mv -f \"$t\" %s || "
	              "{ rm -f \"$t\"; exit 1; }",
	        SERVICE_BIN, SERVICE_BIN);
	proc_result_init(&res);
	r = remote_capture(u->rm, script, fd, COPY_MS, &res);
	close(fd);
	free(script);
	if (r == -1)
		return -1;
	if (res.status != 0) {
		hubctl_show_error(&res);
		r = disk_full(&res)
		    ? error("disk full on the machine: cannot copy rig there")
		    : error("cannot copy rig to the machine (status %d)",
		          res.status);
		proc_result_release(&res);
		return r;
	}
	proc_result_release(&res);
	/* Does it run there? */
	script = xasprintf("%s version", SERVICE_BIN);
	proc_result_init(&res);
	r = remote_capture(u->rm, script, -1, PROBE_MS, &res);
	free(script);
	want = xasprintf("rig %s\n", RIG_VERSION);
	if (r == 0 &&
	    (res.status != 0 || strcmp(buf_str(&res.out), want) != 0)) {
		hubctl_show_error(&res);
		r = error("the rig copied to the machine does not run there "
		          "(status %d)",
		    res.status);
	}
	free(want);
	proc_result_release(&res);
	if (r == -1)
		return -1;
	u->rig_changed = 1;
	step_end(u, "installed %s", SERVICE_BIN);
	return 0;
}

/* Whether 'rig sandbox' can close ports on the machine: a kernel without
 * Landlock's network rules (before Linux 6.7) cannot, and then user
 * servers would not start at all. Warned about. */
static int
sandbox_works(struct up *u)
{
	struct proc_result res;
	int                ok;

	proc_result_init(&res);
	ok = remote_capture(u->rm,
	         SERVICE_BIN " sandbox --deny-connect 80 -- /bin/true", -1,
	         PROBE_MS, &res) == 0 &&
	    res.status == 0;
	if (!ok)
		fprintf(stderr,
		    "rig: warning: the machine's kernel cannot keep user "
		    "servers away from the metadata service (%.*s); their "
		    "kernels could use the VM's identity, which may stop or "
		    "delete this VM\n",
		    (int)strcspn(buf_str(&res.err), "\n"), buf_str(&res.err));
	proc_result_release(&res);
	return ok;
}

static void
add_set(struct buf *args, const char *key, const char *value)
{
	char *kv = xasprintf("%s = %s", key, value), *q = sh_quote(kv);

	buf_addf(args, " --set %s", q);
	free(q);
	free(kv);
}

/* A line of hub.conf as it is (a [profile NAME]'s). */
static void
add_line_cb(void *arg, const char *line)
{
	char *q = sh_quote(line);

	buf_addf(arg, " --set %s", q);
	free(q);
}

/* A provider's [hub] key, added as the others. */
static void
add_set_cb(void *arg, const char *key, const char *value)
{
	add_set(arg, key, value);
}

/* The value rig.conf's [hub] gives 'key', or NULL. */
static const char *
hub_key_value(const struct machine *m, const char *key)
{
	for (const struct machine_kv *e = m->hub_extra; e != NULL; e = e->next)
		if (strcmp(e->key, key) == 0)
			return e->value;
	return NULL;
}

/* Whether rig.conf's [hub] sets 'key'. */
static int
hub_key_set(const struct machine *m, const char *key)
{
	return hub_key_value(m, key) != NULL;
}

/* Whether the hub signs people in with their Unix passwords: then rig up
 * makes no password of its own for the admin. */
static int
hub_unix_passwords(const struct machine *m)
{
	const char *v = hub_key_value(m, "authenticator");

	return v != NULL && strcmp(v, "pam") == 0;
}

/* A DSVM's own JupyterHub holds port 8000 and would serve beside rig's
 * hub: on a VM rig made, stopped and disabled (as root, so only with
 * sudo); on someone's server, left to them. */
static int
stop_image_hub(struct up *u)
{
	struct proc_result res;
	const char        *sudo;
	char              *script;
	int                r;

	if (!u->f.image_hub ||
	    (!u->m->provider->owns_machine && u->m->hub_port != 8000))
		return 0;
	if (!u->m->provider->owns_machine)
		return error("a JupyterHub service runs (or starts at boot) on "
		             "the machine, likely on port 8000: stop it "
		             "('systemctl disable --now jupyterhub'), or set "
		             "port = ... in [hub] of rig.conf");
	if (strcmp(u->f.sudo, "root") == 0)
		sudo = "";
	else if (strcmp(u->f.sudo, "yes") == 0)
		sudo = "sudo -n ";
	else
		return error("the image's own JupyterHub service runs on the "
		             "machine and only root can stop it: run 'sudo "
		             "systemctl disable --now jupyterhub' there, then "
		             "rig up again");
	script = xasprintf("%ssystemctl disable --now jupyterhub", sudo);
	proc_result_init(&res);
	r = remote_capture(u->rm, script, -1, PROBE_MS, &res);
	free(script);
	if (r == -1 || res.status != 0) {
		hubctl_show_error(&res);
		proc_result_release(&res);
		return error("cannot stop the image's own JupyterHub service");
	}
	proc_result_release(&res);
	printf("image's JupyterHub stopped and disabled; ");
	fflush(stdout);
	return 0;
}

/* hub.conf and the start at boot ('rig service setup'). */
static int
step_setup(struct up *u)
{
	struct proc_result res;
	struct buf         args;
	char              *kv;
	int                r;

	step_begin(u, "service");
	if (stop_image_hub(u) == -1)
		return -1;
	/*
	 * A hub that is not root runs every user's server as its own
	 * login, so users could reach each other and the hub's state. On a
	 * machine rig made (Azure's admin login has password-less sudo, and
	 * Azure refuses 'root' as the login), the hub is root's service
	 * through sudo, so each user is an account of their own.
	 */
	if (u->m->provider->owns_machine && strcmp(u->f.sudo, "yes") == 0) {
		u->rm->service_sudo = 1;
		if (machine_state_set(u->m, "service.sudo", "yes") == -1)
			return -1;
	}
	buf_init(&args, 1024 * 1024);
	buf_addf(&args, "--port %d%s", u->m->hub_port,
	    u->m->hub_tunnel ? " --loopback" : "");
	if (u->f.image_jupyter[0] != '\0' && !hub_key_set(u->m, "server_cmd")) {
		kv = xasprintf("%s%s", u->f.image_jupyter, DSVM_SERVER_CMD);
		add_set(&args, "server_cmd", kv);
		free(kv);
	}
	for (const struct machine_kv *e = u->m->hub_extra; e != NULL;
	     e = e->next)
		add_set(&args, e->key, e->value);
	/* Kernels never get the machine's identity: its metadata service
	 * is closed to them. A hub run as root (the login, or through sudo)
	 * runs each user as their own account, and the user firewall
	 * (hub/firewall.h) covers every process of those, logins and cron
	 * included. Otherwise servers run as the hub's own account, whose
	 * self-stop needs the metadata service: Landlock closes its ports
	 * to the servers' process trees, where the machine's kernel can
	 * (sandbox.h). */
	if (u->m->provider->deny_ports != NULL &&
	    (strcmp(u->f.sudo, "root") == 0 || u->rm->service_sudo)) {
		if (!hub_key_set(u->m, "user_firewall"))
			add_set(&args, "user_firewall", "yes");
	} else if (u->m->provider->deny_ports != NULL && sandbox_works(u))
		add_set(&args, "server_deny_ports", u->m->provider->deny_ports);
	if (u->m->provider->hub_keys != NULL)
		u->m->provider->hub_keys(u->m, add_set_cb, &args);
	/* Last: their section headers end [hub]. */
	hub_profiles_lines(u->m, add_line_cb, &args);
	r = hubctl_call(u->rm, "setup", buf_str(&args), PROBE_MS, &res);
	buf_release(&args);
	if (r != 0) {
		hubctl_show_error(&res);
		proc_result_release(&res);
		return r == -1 ? -1
		               : error("'rig service setup' failed on "
		                       "the machine (status %d)",
		                     r);
	}
	u->config_changed = strstr(buf_str(&res.out), "config=changed") != NULL;
	hubctl_value(buf_str(&res.out), "mode", u->mode, sizeof(u->mode));
	hubctl_value(buf_str(&res.out), "boot", u->boot, sizeof(u->boot));
	proc_result_release(&res);
	step_end(u, "%s, %s; start at boot: %s",
	    strcmp(u->mode, "systemd") == 0 ? "systemd unit " SERVICE_UNIT
	                                    : "supervised process",
	    u->config_changed ? "config written" : "config unchanged",
	    strcmp(u->boot, "none") == 0 ? "no (no systemd, no cron)"
	                                 : u->boot);
	return 0;
}

/* The admin account (see the top of the file). */
static int
step_admin(struct up *u)
{
	struct proc_result res;
	const char        *name = machine_admin(u->m), *p, *bin;
	char              *script, *q, *state, *marker, *line;
	int                exists = 0, is_admin = 0, shown, r;

	step_begin(u, "admin");
	bin = hubctl_bin(u->rm);
	state = xasprintf("%s/state", hubctl_dir(u->rm));
	marker = xasprintf("%s/admin-shown", hubctl_dir(u->rm));
	q = sh_quote(name);
	script = xasprintf(
	    "%s user list --state-dir %s && "
	    "{ %sgrep -qx -- %s %s 2>/dev/null && echo shown=yes; true; }",
	    bin, state, u->rm->service_sudo ? "sudo -n " : "", q, marker);
	proc_result_init(&res);
	r = remote_capture(u->rm, script, -1, PROBE_MS, &res);
	free(script);
	if (r == -1 || res.status != 0) {
		hubctl_show_error(&res);
		r = error("cannot list the hub's users on the machine");
		goto out;
	}
	line = xasprintf("%s\t", name);
	for (p = buf_str(&res.out); p != NULL && *p != '\0';) {
		if (strncmp(p, line, strlen(line)) == 0) {
			exists = 1;
			is_admin = strncmp(p + strlen(line), "admin\t", 6) == 0;
		}
		p = strchr(p, '\n');
		if (p != NULL)
			p++;
	}
	free(line);
	shown = strstr(buf_str(&res.out), "shown=yes") != NULL;
	proc_result_release(&res);
	if (hub_unix_passwords(u->m)) {
		if (exists && is_admin) {
			step_end(u, "%s exists (Unix password)", name);
			r = 0;
			goto out;
		}
		script = !exists
		    ? xasprintf("%s user add %s --admin "
		                "--unix-password --state-dir %s",
		          bin, q, state)
		    : xasprintf("%s user admin %s on --state-dir %s", bin, q,
		          state);
	} else if (exists && shown && is_admin) {
		step_end(u, "%s exists (password unchanged)", name);
		r = 0;
		goto out;
	} else if (!exists)
		script = xasprintf("%s user add %s --admin --state-dir %s", bin,
		    q, state);
	else if (!shown)
		script = xasprintf("%s user passwd %s --state-dir %s && %s "
		                   "user admin %s on --state-dir %s",
		    bin, q, state, bin, q, state);
	else
		script = xasprintf("%s user admin %s on --state-dir %s", bin, q,
		    state);
	proc_result_init(&res);
	r = remote_capture(u->rm, script, -1, PROBE_MS, &res);
	free(script);
	if (r == -1 || res.status != 0) {
		hubctl_show_error(&res);
		r = error("cannot make the admin account '%s' on the machine",
		    name);
		goto out;
	}
	p = strstr(buf_str(&res.out), "password for ");
	if (p != NULL && (p = strstr(p, ": ")) != NULL) {
		p += 2;
		u->password = xstrndup(p, strcspn(p, "\r\n"));
	}
	explicit_bzero(res.out.data, res.out.len);
	proc_result_release(&res);
	step_end(u, "%s %s", name,
	    !exists && u->password == NULL ? "created (Unix password)"
	        : !exists                  ? "created"
	        : u->password != NULL      ? "had no password shown yet: "
	                                     "new password"
	                                   : "made an admin");
	r = 0;
out:
	free(q);
	free(state);
	free(marker);
	return r;
}

/* The hub started, or restarted when rig or its config changed. */
static int
step_start(struct up *u)
{
	struct proc_result res;
	char               v[32];
	int                r, restarted = 0;

	step_begin(u, "hub");
	if (u->rig_changed || u->config_changed) {
		r = hubctl_call(u->rm, "stop", NULL, PROBE_MS, &res);
		if (r != 0) {
			hubctl_show_error(&res);
			proc_result_release(&res);
			return r == -1 ? -1
			               : error("cannot stop the hub to "
			                       "restart it (status %d)",
			                     r);
		}
		restarted = strstr(buf_str(&res.out), "hub=stopped") != NULL;
		proc_result_release(&res);
	}
	r = hubctl_call(u->rm, "start", NULL, SERVICE_WAIT_MS + PROBE_MS, &res);
	if (r != 0) {
		hubctl_show_error(&res);
		proc_result_release(&res);
		return r == -1 ? -1
		               : error("the hub did not start on the "
		                       "machine");
	}
	if (hubctl_value(buf_str(&res.out), "hub", v, sizeof(v)) == -1)
		snprintf(v, sizeof(v), "started");
	proc_result_release(&res);
	step_end(u, "%s on port %d",
	    restarted                       ? "restarted"
	        : strcmp(v, "running") == 0 ? "running"
	                                    : "started",
	    u->m->hub_port);
	return 0;
}

/* The certificate's fingerprint, as the machine reads it. */
static int
step_status(struct up *u)
{
	json_t *st, *fp;
	int     installed;

	step_begin(u, "check");
	st = hubctl_status(u->rm, &installed);
	if (st == NULL)
		return -1;
	fp = json_object_get(json_object_get(st, "hub"), "fingerprint");
	if (!json_is_string(fp)) {
		json_decref(st);
		return error("the hub has no certificate yet");
	}
	snprintf(u->fingerprint, sizeof(u->fingerprint), "%s",
	    json_string_value(fp));
	if (!json_is_true(
	        json_object_get(json_object_get(st, "hub"), "running"))) {
		json_decref(st);
		return error("the hub is not running after its start");
	}
	json_decref(st);
	step_end(u, "hub running, certificate read");
	return 0;
}

int
up_run(struct remote *rm)
{
	struct up u;
	char     *marker, *script, *q, *where;
	int       r = -1;

	memset(&u, 0, sizeof(u));
	u.rm = rm;
	u.m = rm->m;
	u.t0 = now_ms();
	printf("rig up: machine '%s' (%s)\n", u.m->name,
	    rm->host != NULL ? rm->host : "this machine");
	fflush(stdout);
	if (step_probe(&u) == -1 || step_packages(&u) == -1 ||
	    step_rig(&u) == -1 || step_setup(&u) == -1 ||
	    step_admin(&u) == -1 || step_start(&u) == -1 ||
	    step_status(&u) == -1)
		goto out;
	where = remote_hub_where(rm);
	printf("\nhub:          %s\n", where);
	free(where);
	if (u.m->provider->up_done != NULL)
		u.m->provider->up_done(u.m);
	printf("certificate:  SHA-256 %s\n", u.fingerprint);
	printf("              (self-signed: compare with what your browser "
	       "shows)\n");
	if (u.password != NULL) {
		printf("admin:        %s\npassword:     %s   (shown only "
		       "now)\n",
		    machine_admin(u.m), u.password);
		fflush(stdout);
		/* Shown: now the marker (see the top). */
		marker = xasprintf("%s/admin-shown", hubctl_dir(rm));
		q = sh_quote(machine_admin(u.m));
		if (rm->service_sudo)
			script =
			    xasprintf("printf '%%s\\n' %s | sudo -n tee %s "
			              ">/dev/null",
			        q, marker);
		else
			script =
			    xasprintf("printf '%%s\\n' %s > %s", q, marker);
		{
			struct proc_result res;

			proc_result_init(&res);
			if (remote_capture(rm, script, -1, PROBE_MS, &res) ==
			        -1 ||
			    res.status != 0)
				log_warnx("could not note on the machine "
				          "that the password was shown");
			proc_result_release(&res);
		}
		free(script);
		free(q);
		free(marker);
	} else if (hub_unix_passwords(u.m))
		printf("admin:        %s (signs in with the Unix account's "
		       "password on the machine: authenticator = pam)\n",
		    machine_admin(u.m));
	else
		printf("admin:        %s (password unchanged; to set a new "
		       "one: rig ssh -- %s user passwd %s --state-dir %s/state)"
		       "\n",
		    machine_admin(u.m), hubctl_bin(rm), machine_admin(u.m),
		    hubctl_dir(rm));
	printf("rig up: done in %.1f s\n", (double)(now_ms() - u.t0) / 1000.0);
	fflush(stdout);
	machine_state_set(u.m, "up", "done");
	r = 0;
out:
	if (r == -1)
		printf("\n");
	fflush(stdout);
	free_secret(u.password);
	return r;
}
