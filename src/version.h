/* SPDX-License-Identifier: MIT */
/*
 * rig's version, as 'rig version', 'rig status' and GET /hub/api/ report
 * it.
 */
#ifndef VERSION_H
#define VERSION_H

#ifndef RIG_VERSION
#define RIG_VERSION "0.1.0"
#endif

#endif
