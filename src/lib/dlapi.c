/* SPDX-License-Identifier: MIT */
/*
 * Libraries opened by soname, their functions looked up (dlapi.h).
 */
#include <dlfcn.h>
#include <stdio.h>

#include "dlapi.h"
#include "lib/banned.h"

int
dlapi_load(const char *soname, const char *package,
    const struct dlapi_sym *syms, size_t nsyms, void *api, char *why,
    size_t whylen)
{
	void *lib = dlopen(soname, RTLD_NOW | RTLD_LOCAL);

	if (lib == NULL) {
		snprintf(why, whylen, "cannot load %s (the %s package): %s",
		    soname, package, dlerror());
		return -1;
	}
	for (size_t i = 0; i < nsyms; i++) {
		void *sym = dlsym(lib, syms[i].name);

		if (sym == NULL) {
			snprintf(why, whylen,
			    "%s lacks a function rig uses: %s", soname,
			    dlerror());
			dlclose(lib);
			return -1;
		}
		/* dlsym's object pointer into a function pointer, as POSIX
		 * allows. */
		*(void **)((char *)api + syms[i].offset) = sym;
	}
	return 0;
}
