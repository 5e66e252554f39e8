/* SPDX-License-Identifier: MIT */
/*
 * Long options anywhere among the words of a command line, as 'rig user'
 * and 'rig token' take them: "rig user add alice --admin" and "rig user
 * --admin add alice" are one command. getopt_long() would stop at the
 * first word (POSIXLY_CORRECT) or permute argv behind the caller's back.
 */
#ifndef OPTS_H
#define OPTS_H

/* One option: a flag ('flag' set) or one with a value ('value' set). */
struct opt {
	const char  *name; /* "--state-dir" */
	int         *flag; /* set to 1 when given */
	const char **value; /* "--name VALUE" or "--name=VALUE": into argv */
};

/*
 * Sorts argv[1..argc) into the options of 'opts' (ended by a NULL name)
 * and words, which go in order to args[0..max) with their count in
 * *nargs. "--" ends the options; "-" is a word. -1 on a usage error:
 * an unknown option or one without its value (reported), more than
 * 'max' words, -h or --help (not reported: the caller prints usage).
 */
int opts_scan(int argc, char **argv, const struct opt *opts, const char **args,
    int max, int *nargs);

#endif
