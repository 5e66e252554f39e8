/* SPDX-License-Identifier: MIT */
/*
 * The keys of authenticator = ldap (config-ldap.h). Each is checked alone
 * by the settings engine; config_check_ldap() checks them together and
 * reads the service's password, which must not be in the hub's settings
 * file (readable by more than root) but in a file of its own.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "auth.h"
#include "config-ldap.h"
#include "ldap-escape.h"
#include "lib/log.h"
#include "lib/util.h"
#include "lib/banned.h"

static int check_url(void *, const char *, char *, size_t);
static int check_templates(void *, const char *, char *, size_t);
static int check_dn(void *, const char *, char *, size_t);
static int check_attribute(void *, const char *, char *, size_t);
static int check_path(void *, const char *, char *, size_t);
static int read_password(const char *, char **);
static int cn_groups(const char *);

#define LC(field) offsetof(struct ldap_conf, field)

/* clang-format off */
const struct setting ldap_settings[] = {
	{ .section = "hub", .key = "ldap_url", .type = SETTING_STRING,
	    .off = LC(url), .check = check_url,
	    .what = "ldaps://HOST[:PORT] or ldap://HOST[:PORT]",
	    .flags = SETTING_DOC_OPTIONAL,
	    .help = "with ldap: the directory (ldap:// uses StartTLS)" },
	{ .section = "hub", .key = "ldap_ca_file", .type = SETTING_STRING,
	    .off = LC(ca_file), .check = check_path,
	    .what = "an absolute path", .flags = SETTING_DOC_OPTIONAL,
	    .help = "the CA (PEM) the directory's certificate must be "
	            "signed by; none: the system's" },
	{ .section = "hub", .key = "ldap_allow_plaintext", .type = SETTING_BOOL,
	    .off = LC(allow_plaintext), .def = "no",
	    .flags = SETTING_DOC_OPTIONAL,
	    .help = "ldap:// without StartTLS: passwords in clear (warned)" },
	{ .section = "hub", .key = "bind_dn_template", .type = SETTING_STRING,
	    .off = LC(bind_dn_template), .check = check_templates,
	    .what = "DNs with {username}, apart by '|'",
	    .flags = SETTING_DOC_OPTIONAL,
	    .help = "the person's DN, tried in turn "
	            "(uid={username},ou=people,dc=example,dc=org)" },
	{ .section = "hub", .key = "ldap_search_base", .type = SETTING_STRING,
	    .off = LC(search_base), .check = check_dn, .what = "a DN",
	    .flags = SETTING_DOC_OPTIONAL,
	    .help = "where the service's search finds people (and groups "
	            "named by cn)" },
	{ .section = "hub", .key = "ldap_bind_dn", .type = SETTING_STRING,
	    .off = LC(bind_dn), .check = check_dn, .what = "a DN",
	    .flags = SETTING_DOC_OPTIONAL,
	    .help = "the service's DN for that search" },
	{ .section = "hub", .key = "ldap_bind_password_file",
	    .type = SETTING_STRING, .off = LC(bind_password_file),
	    .check = check_path, .what = "an absolute path",
	    .flags = SETTING_DOC_OPTIONAL,
	    .help = "the service's password, in a file of mode 0600" },
	{ .section = "hub", .key = "ldap_user_attribute",
	    .type = SETTING_STRING, .off = LC(user_attribute), .def = "uid",
	    .check = check_attribute, .what = "an attribute name",
	    .flags = SETTING_DOC_OPTIONAL,
	    .help = "the attribute the search matches login names with" },
	{ .type = SETTING_END },
};
/* clang-format on */

static int
check_url(void *obj, const char *v, char *why, size_t len)
{
	const char *e;
	int         tls;

	(void)obj;
	e = ldapesc_url_error(v, &tls);
	if (e != NULL)
		snprintf(why, len, "%s", e);
	return e == NULL ? 0 : -1;
}

static int
check_templates(void *obj, const char *v, char *why, size_t len)
{
	const char *p = v, *e = NULL;
	char       *t;
	int         n = 0;

	(void)obj;
	while (e == NULL && (t = ldapesc_list_next(&p)) != NULL) {
		e = ldapesc_template_error(t);
		if (e != NULL)
			snprintf(why, len, "'%s': %s", t, e);
		free(t);
		n++;
	}
	if (e == NULL && n == 0)
		snprintf(why, len, "no template");
	return e == NULL && n > 0 ? 0 : -1;
}

/* A DN as the admin wrote it: an '=', no control byte. */
static int
check_dn(void *obj, const char *v, char *why, size_t len)
{
	(void)obj, (void)why, (void)len;
	if (strchr(v, '=') == NULL)
		return -1;
	for (; *v != '\0'; v++)
		if ((unsigned char)*v < 0x20 || *v == 0x7f)
			return -1;
	return 0;
}

/* An attribute's name (RFC 4512 descr): a letter, then letters, digits
 * and '-'. */
static int
check_attribute(void *obj, const char *v, char *why, size_t len)
{
	(void)obj, (void)why, (void)len;
	if (!((*v >= 'a' && *v <= 'z') || (*v >= 'A' && *v <= 'Z')) ||
	    strlen(v) > 64)
		return -1;
	return strspn(v,
	           "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
	           "0123456789-") == strlen(v)
	    ? 0
	    : -1;
}

static int
check_path(void *obj, const char *v, char *why, size_t len)
{
	(void)obj, (void)why, (void)len;
	return v[0] == '/' ? 0 : -1;
}

/* Whether a group list names a group by cn (an entry without '='). */
static int
cn_groups(const char *groups)
{
	return groups != NULL && *groups != '\0' && strchr(groups, '=') == NULL;
}

/* The service's password from 'path': a regular file no one but its
 * owner (root, or the hub's user) may read or write, one line. */
static int
read_password(const char *path, char **out)
{
	struct stat st;
	char        buf[PASSWORD_MAX + 2];
	ssize_t     n;
	int         fd;

	fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd == -1)
		return error("ldap_bind_password_file '%s': %s", path,
		    strerror(errno));
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode) ||
	    (st.st_mode & 077) != 0 ||
	    (st.st_uid != 0 && st.st_uid != geteuid())) {
		close(fd);
		return error("ldap_bind_password_file '%s' must be a file of "
		             "root's (or the hub's user's) that no one else "
		             "may read or write (chmod 0600)",
		    path);
	}
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n < 0)
		return error("ldap_bind_password_file '%s': %s", path,
		    strerror(errno));
	buf[n] = '\0';
	if (n > 0 && buf[n - 1] == '\n')
		buf[--n] = '\0';
	if (n == 0 || (size_t)n > PASSWORD_MAX || strlen(buf) != (size_t)n ||
	    strchr(buf, '\n') != NULL) {
		explicit_bzero(buf, sizeof(buf));
		return error("ldap_bind_password_file '%s': not one password "
		             "of 1 to %d bytes on one line",
		    path, PASSWORD_MAX);
	}
	*out = xstrdup(buf);
	explicit_bzero(buf, sizeof(buf));
	return 0;
}

int
config_check_ldap(struct ldap_conf *l, const char *allowed, const char *admins)
{
	int tls = 0;

	if (l->url == NULL)
		return error("authenticator = ldap needs ldap_url");
	(void)ldapesc_url_error(l->url, &tls);
	if (tls && l->allow_plaintext)
		return error("ldap_allow_plaintext is for an ldap:// URL; "
		             "'%s' is TLS already",
		    l->url);
	if ((l->bind_dn_template == NULL) == (l->bind_dn == NULL))
		return error("authenticator = ldap needs either "
		             "bind_dn_template or a search (ldap_search_base, "
		             "ldap_bind_dn and ldap_bind_password_file), not "
		             "both");
	if (l->bind_dn != NULL &&
	    (l->search_base == NULL || l->bind_password_file == NULL))
		return error("ldap_bind_dn needs ldap_search_base and "
		             "ldap_bind_password_file");
	if ((cn_groups(allowed) || cn_groups(admins)) && l->search_base == NULL)
		return error("groups named by cn (in allowed_groups or "
		             "admin_groups) are looked for under "
		             "ldap_search_base, which is not set: set it, or "
		             "name the groups by DN");
	if (l->bind_password_file != NULL && l->bind_password == NULL &&
	    read_password(l->bind_password_file, &l->bind_password) == -1)
		return -1;
	return 0;
}

void
config_ldap_release(struct ldap_conf *l)
{
	free_secret(l->bind_password);
	l->bind_password = NULL;
}
