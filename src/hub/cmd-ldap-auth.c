/* SPDX-License-Identifier: MIT */
/*
 * rig ldap-auth [OPTIONS] URL USER: checks the password on standard input
 * for USER against the LDAP directory at URL (auth-ldap.h) and exits with
 * the outcome (enum authldap_result: 0 right, 1 a wrong password or no
 * such person, 2 not a Unix account, 3 an error, said on stderr). With a
 * search (--bind-dn), the service's password follows the person's on
 * standard input after a NUL. On success it prints what the hub needs,
 * a line each: "dn DN", "uid N", "gid N", "home PATH", "shell PATH",
 * "allowed 0|1", "admin -1|0|1". The hub runs it for each login of
 * authenticator = ldap, as its own unprivileged account, so that libldap,
 * TLS and the network wait are neither in the hub's memory nor on its
 * loop (docs/ARCHITECTURE.md, "Authenticators").
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "auth-ldap.h"
#include "auth.h"
#include "cmd.h"
#include "ldap-escape.h"
#include "lib/log.h"
#include "lib/util.h"
#include "lib/banned.h"

/* Both passwords and their NUL. */
#define SECRETS_MAX (2 * PASSWORD_MAX + 2)

int
cmd_ldap_auth(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "ca-file", required_argument, NULL, 'c' },
		{ "plaintext", no_argument, NULL, 'p' },
		{ "bind-dn-template", required_argument, NULL, 't' },
		{ "search-base", required_argument, NULL, 's' },
		{ "bind-dn", required_argument, NULL, 'b' },
		{ "user-attribute", required_argument, NULL, 'u' },
		{ "allowed-groups", required_argument, NULL, 'a' },
		{ "admin-groups", required_argument, NULL, 'A' },
		{ NULL, 0, NULL, 0 },
	};
	struct authldap_conf    cf = { .user_attribute = "uid" };
	struct authldap_account a;
	char                    in[SECRETS_MAX + 1], why[512];
	const char             *e;
	size_t                  n = 0, pwlen;
	ssize_t                 r;
	int                     ch, tls;
	enum authldap_result    res;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (ch) {
		case 'c':
			cf.ca_file = optarg;
			break;
		case 'p':
			cf.plaintext = 1;
			break;
		case 't':
			cf.templates = optarg;
			break;
		case 's':
			cf.search_base = optarg;
			break;
		case 'b':
			cf.bind_dn = optarg;
			break;
		case 'u':
			cf.user_attribute = optarg;
			break;
		case 'a':
			cf.allowed_groups = optarg;
			break;
		case 'A':
			cf.admin_groups = optarg;
			break;
		default:
			return usage("ldap-auth");
		}
	}
	if (argc - optind != 2)
		return usage("ldap-auth");
	cf.url = argv[optind];
	e = ldapesc_url_error(cf.url, &tls);
	if (e != NULL) {
		error("ldap-auth: '%s': %s", cf.url, e);
		return AUTHLDAP_ERROR;
	}
	if ((cf.templates == NULL) == (cf.bind_dn == NULL) ||
	    (cf.bind_dn != NULL && cf.search_base == NULL)) {
		error("ldap-auth: give --bind-dn-template, or --bind-dn with "
		      "--search-base");
		return AUTHLDAP_ERROR;
	}
	while (n < sizeof(in) - 1) {
		r = read(STDIN_FILENO, in + n, sizeof(in) - 1 - n);
		if (r == -1 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		n += (size_t)r;
	}
	in[n] = '\0';
	pwlen = strlen(in);
	if (n > SECRETS_MAX - 1 || pwlen > PASSWORD_MAX ||
	    (cf.bind_dn == NULL && pwlen != n)) {
		explicit_bzero(in, sizeof(in));
		error("ldap-auth: not one password on standard input");
		return AUTHLDAP_ERROR;
	}
	if (cf.bind_dn != NULL) {
		cf.bind_password = pwlen < n ? in + pwlen + 1 : "";
		if (*cf.bind_password == '\0' ||
		    pwlen + 1 + strlen(cf.bind_password) != n) {
			explicit_bzero(in, sizeof(in));
			error("ldap-auth: no service password after the "
			      "person's on standard input");
			return AUTHLDAP_ERROR;
		}
	}
	/* The hub's settings alone: no /etc/ldap/ldap.conf, no ~/.ldaprc. */
	setenv("LDAPNOINIT", "1", 1);
	res = authldap_check(&cf, argv[optind + 1], in, &a, why, sizeof(why));
	explicit_bzero(in, sizeof(in));
	if (res != AUTHLDAP_OK) {
		if (res != AUTHLDAP_AUTH)
			error("ldap-auth: %s: %s", argv[optind + 1], why);
		return res;
	}
	printf("dn %s\nuid %lld\ngid %lld\nhome %s\nshell %s\nallowed %d\n"
	       "admin %d\n",
	    a.dn, a.uid, a.gid, a.home, a.shell, a.allowed, a.admin);
	return fflush(stdout) == 0 ? AUTHLDAP_OK : AUTHLDAP_ERROR;
}
