/* SPDX-License-Identifier: MIT */
/*
 * The VM's SSH host key, made by rig and pinned before the first login:
 * rig generates it in .rig/, hands it to the VM in cloud-init's
 * customData, and writes its public half into the project's known_hosts,
 * so the first connection to a new VM over the internet is not blind
 * (accept-new would take any key a man in the middle shows).
 */
#ifndef AZURE_HOSTKEY_H
#define AZURE_HOSTKEY_H

struct machine;

#define AZURE_HOST_KEY "host_ed25519" /* in .rig/, with .pub */

/* Makes .rig/host_ed25519 unless it exists. 0, or -1 printed. */
int azure_host_key_make(struct machine *);

/*
 * The VM's customData: a base64 cloud-config that installs the key of
 * .rig/host_ed25519 as the VM's only host key. NULL if there is none (a
 * VM made before rig pinned keys keeps its body unchanged). Caller frees.
 */
char *azure_host_key_custom_data(struct machine *);

/*
 * Pins the key of .rig/host_ed25519.pub for 'host' (and 'port') in the
 * project's known_hosts unless a line has it. 0 (also when there is no
 * key to pin), or -1 printed.
 */
int azure_host_key_pin(struct machine *, const char *host, int port);

#endif
