/* SPDX-License-Identifier: MIT */
/*
 * 'rig service status' as JSON: rig's version and mode; the hub (pid,
 * uptime, port, certificate fingerprint, users and those with running
 * servers from its database, the idle stop's timer); and the machine
 * (host name, OS, cores, memory, disk, load, uptime).
 */
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/sysinfo.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hub/autostop.h"
#include "hub/db.h"
#include "hub/firewall.h"
#include "hub/state.h"
#include "hub/tls.h"
#include "service-internal.h"
#include "service.h"
#include "lib/util.h"
#include "version.h"

json_t *
service_status(struct service *s)
{
	json_t *o = json_object(), *hub = json_object(), *mach = json_object(),
	       *users = json_array();
	struct sysinfo si;
	struct statvfs vfs;
	double         load[3];
	char           fp[128], *cert, *osr, *p, *dbp, host[256];
	int            pid, running, port;
	int64_t        ticks;
	struct stat    sb;
	long long      memtotal = 0, memavail = 0;

	json_object_set_new(o, "version", json_string(RIG_VERSION));
	json_object_set_new(o, "dir", json_string(s->dir));
	json_object_set_new(o, "installed",
	    json_boolean(stat(s->conf, &sb) == 0));
	json_object_set_new(o, "mode",
	    json_string(s->systemd ? "systemd" : "supervisor"));

	/* The hub. */
	pid = s->systemd ? systemd_main_pid() : supervisor_hub_pid(s);
	running = pid > 0;
	json_object_set_new(hub, "running", json_boolean(running));
	if (running) {
		json_object_set_new(hub, "pid", json_integer(pid));
		ticks = pid_start_ticks(pid);
		if (ticks >= 0 && sysinfo(&si) == 0)
			json_object_set_new(hub, "uptime",
			    json_integer((json_int_t)si.uptime -
			        ticks / sysconf(_SC_CLK_TCK)));
	}
	port = stat(s->conf, &sb) == 0 ? service_conf_port(s) : -1;
	if (port > 0)
		json_object_set_new(hub, "port", json_integer(port));
	cert = xasprintf("%s/cert.pem", s->state);
	if (tls_fingerprint(cert, fp, sizeof(fp)) == 0)
		json_object_set_new(hub, "fingerprint", json_string(fp));
	free(cert);
	dbp = xasprintf("%s/rig.db", s->state);
	if (stat(dbp, &sb) == 0) {
		struct db        *db = state_open_db(s->state);
		struct db_server *sv;
		size_t            n;
		int64_t           nusers;

		if (db != NULL && db_server_list_active(db, &sv, &n) == 0) {
			for (size_t i = 0; i < n; i++) {
				struct db_user u;

				if (db_user_get_id(db, sv[i].user_id, &u) != 0)
					continue;
				json_array_append_new(users,
				    json_string(u.name));
				db_user_release(&u);
			}
			db_servers_free(sv, n);
		}
		if (db != NULL && db_user_count(db, &nusers) == 0)
			json_object_set_new(hub, "users", json_integer(nusers));
		db_close(db);
	}
	free(dbp);
	json_object_set_new(hub, "servers", users);
	/* The idle stop's timer, as the running hub last wrote it. */
	{
		char   *ap = xasprintf("%s/%s", s->state, AUTOSTOP_FILE);
		json_t *a = running ? json_load_file(ap, 0, NULL) : NULL;

		if (json_is_object(a))
			json_object_set_new(hub, "autostop", a);
		else
			json_decref(a);
		free(ap);
	}
	/* The user firewall, as the running hub last wrote it (firewall.h). */
	{
		char   *fwp = xasprintf("%s/%s", s->state, FIREWALL_FILE);
		json_t *f = running ? json_load_file(fwp, 0, NULL) : NULL;

		if (!json_is_object(f) && running) {
			json_decref(f);
			f = json_pack("{s:b}", "active", 0);
		}
		if (json_is_object(f))
			json_object_set_new(hub, "firewall", f);
		else
			json_decref(f);
		free(fwp);
	}
	json_object_set_new(o, "hub", hub);

	/* The machine. */
	if (gethostname(host, sizeof(host)) == 0) {
		host[sizeof(host) - 1] = '\0';
		json_object_set_new(mach, "hostname", json_string(host));
	}
	osr = read_file("/etc/os-release", 64 * 1024, NULL);
	if (osr != NULL && (p = strstr(osr, "PRETTY_NAME=")) != NULL) {
		p += 12;
		if (*p == '"')
			p++;
		p[strcspn(p, "\"\n")] = '\0';
		json_object_set_new(mach, "os", json_string(p));
	}
	free(osr);
	json_object_set_new(mach, "cores",
	    json_integer(sysconf(_SC_NPROCESSORS_ONLN)));
	osr = read_file("/proc/meminfo", 64 * 1024, NULL);
	if (osr != NULL) {
		if ((p = strstr(osr, "MemTotal:")) != NULL)
			memtotal = strtoll(p + 9, NULL, 10) * 1024;
		if ((p = strstr(osr, "MemAvailable:")) != NULL)
			memavail = strtoll(p + 13, NULL, 10) * 1024;
		json_object_set_new(mach, "memory_total",
		    json_integer(memtotal));
		json_object_set_new(mach, "memory_available",
		    json_integer(memavail));
	}
	free(osr);
	if (statvfs(stat(s->dir, &sb) == 0 ? s->dir : "/", &vfs) == 0) {
		json_object_set_new(mach, "disk_total",
		    json_integer(
		        (json_int_t)vfs.f_blocks * (json_int_t)vfs.f_frsize));
		json_object_set_new(mach, "disk_free",
		    json_integer(
		        (json_int_t)vfs.f_bavail * (json_int_t)vfs.f_frsize));
	}
	if (getloadavg(load, 3) == 3)
		json_object_set_new(mach, "load",
		    json_pack("[fff]", load[0], load[1], load[2]));
	if (sysinfo(&si) == 0)
		json_object_set_new(mach, "uptime", json_integer(si.uptime));
	json_object_set_new(o, "machine", mach);
	return o;
}
