/* SPDX-License-Identifier: MIT */
/* Server names and what follows from them (servername.h). */
#include <string.h>

#include "lib/util.h"
#include "servername.h"

static int
alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

const char *
server_name_check(const char *srv)
{
	size_t len = strlen(srv);

	if (len == 0)
		return "a server name may not be empty";
	if (len > SERVER_NAME_MAX)
		return "a server name is at most 32 characters";
	if (!alnum(srv[0]) || !alnum(srv[len - 1]))
		return "a server name begins and ends with a lower-case letter "
		       "or a digit";
	for (size_t i = 0; i < len; i++)
		if (!alnum(srv[i]) && srv[i] != '.' && srv[i] != '_' &&
		    srv[i] != '-')
			return "a server name has only lower-case letters, "
			       "digits and . _ -";
	if (strstr(srv, "..") != NULL)
		return "a server name may not hold \"..\"";
	return NULL;
}

char *
server_url(const char *user, const char *srv)
{
	if (srv[0] == '\0')
		return xasprintf("/user/%s/", user);
	return xasprintf("/user/%s/%s/", user, srv);
}

char *
server_label(const char *user, const char *srv)
{
	if (srv[0] == '\0')
		return xstrdup(user);
	return xasprintf("%s/%s", user, srv);
}
