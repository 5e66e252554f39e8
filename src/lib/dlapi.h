/* SPDX-License-Identifier: MIT */
/*
 * A library opened when first needed, not linked (libcurl, libldap): the
 * processes that never use it do not map it and its dependencies. Its
 * functions are looked up into a struct of function pointers, one entry
 * of a table per field.
 */
#ifndef LIB_DLAPI_H
#define LIB_DLAPI_H

#include <stddef.h>

struct dlapi_sym {
	const char *name; /* the library's symbol */
	size_t      offset; /* of its function pointer in the struct */
};

#define DLAPI_SYM(type, field, name)                                           \
	{                                                                      \
		name, offsetof(type, field)                                    \
	}

/*
 * dlopen of 'soname' (from Debian's 'package', for the message), then
 * every symbol of 'syms' into 'api'. 0, or -1 with the reason in 'why'
 * (and the library closed again).
 */
int dlapi_load(const char *soname, const char *package,
    const struct dlapi_sym *syms, size_t nsyms, void *api, char *why,
    size_t whylen);

#endif
