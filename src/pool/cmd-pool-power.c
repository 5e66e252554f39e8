/* SPDX-License-Identifier: MIT */
/*
 * rig pool power up|down HOSTLIST (cmd-pool.c dispatches): slurmctld's Resume,
 * ResumeFail and Suspend programs run it on the head, as slurm through sudo
 * (the one rule rig up writes), so it runs as root: it refuses anyone else. It
 * starts as slurmctld leaves its programs, with fds 0-2 maybe closed and
 * signals blocked, and puts both right before it runs anything (a
 * daemon started with SIGTERM blocked could not be stopped).
 */
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "cmd-pool.h"
#include "lib/log.h"
#include "pool-power.h"
#include "slurmconf.h"
#include "lib/banned.h"

static void
reset_process(void)
{
	static const int sigs[] = { SIGHUP, SIGINT, SIGQUIT, SIGPIPE, SIGTERM,
		SIGCHLD, SIGUSR1, SIGUSR2 };
	sigset_t         none;

	for (int fd = 0; fd <= 2; fd++)
		if (fcntl(fd, F_GETFD) == -1 &&
		    open("/dev/null", fd == 0 ? O_RDONLY : O_WRONLY) != fd)
			_exit(1);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		signal(sigs[i], SIG_DFL);
}

int
cmd_pool_power(int argc, char **argv)
{
	int up;

	reset_process();
	if (argc != 4 || strcmp(argv[1], "power") != 0 ||
	    (strcmp(argv[2], "up") != 0 && strcmp(argv[2], "down") != 0))
		return usage("pool");
	up = strcmp(argv[2], "up") == 0;
	if (getuid() != 0 || geteuid() != 0) {
		error("rig pool power runs as root: slurmctld runs it "
		      "through sudo (%s)",
		    POOL_POWER_SUDOERS);
		return 1;
	}
	log_info("rig pool power %s %s", argv[2], argv[3]);
	return pool_power(up, argv[3], POOL_POWER_CONF) == 0 ? 0 : 1;
}
