/* SPDX-License-Identifier: MIT */
/*
 * rig.conf's [azure] section: where and what the VM is (subscription,
 * region, group, size, image, disk, spot), who may reach it (allow_from,
 * hub_access), when it stops (idle_stop, daily_stop, budget_month), and
 * the four endpoints, public cloud by default, loopback in tests. Values
 * are checked as they are read, so a bad one is reported with its line.
 */
#ifndef AZURE_CONF_H
#define AZURE_CONF_H

#include <stdint.h>

#include "lib/settings.h"

#define AZURE_ARM_DEFAULT "https://management.azure.com"
#define AZURE_PRICES_DEFAULT "https://prices.azure.com"
#define AZURE_MYIP_DEFAULT "https://api.ipify.org" /* allow_from = auto */
#define AZURE_LOCATION_DEFAULT "westeurope"
#define AZURE_SIZE_DEFAULT "Standard_D4s_v5"
#define AZURE_IMAGE_DEFAULT "microsoft-dsvm:ubuntu-2204:2204-gen2:latest"
#define AZURE_DISK_TYPE_DEFAULT "StandardSSD_LRS"
#define AZURE_DAILY_STOP_DEFAULT "20:00 UTC"
#define AZURE_ADMIN_FALLBACK "azureuser" /* when the local name is reserved */

struct azure_conf {
	char   *subscription; /* NULL: AZURE_SUBSCRIPTION_ID, then az's */
	char   *location;
	char   *resource_group; /* NULL: rig-NAME */
	char   *size;
	char   *image; /* as written */
	char   *publisher, *offer, *sku, *version; /* image, split */
	int     os_disk_gb;
	char   *os_disk_type;
	int     spot;
	char   *allow_from; /* "auto" or CIDRs, comma separated */
	int64_t idle_stop; /* seconds; 0 = never */
	char   *daily_stop; /* as written */
	int     daily_stop_hhmm; /* -1 = off, else HH*100+MM */
	char   *daily_stop_tz; /* Windows time zone id, e.g. "UTC" */
	double  budget_month; /* 0 = none */
	char   *arm_endpoint, *login_endpoint, *imds_endpoint, *prices_endpoint;
	char   *myip_endpoint; /* answers the caller's public address */
};

struct machine;

/* The [azure] keys (settings.h). */
extern const struct setting azure_settings[];

/* A machine's [azure] settings, which it holds for the provider
 * (machine_provider_conf()). Never NULL. */
struct azure_conf *azure_conf_of(const struct machine *);

void azure_conf_init(struct azure_conf *);
void azure_conf_release(struct azure_conf *);

/* Sets one [azure] key from text; -1 with a message if unknown or bad. */
int azure_conf_set(struct azure_conf *, const char *key, const char *value);

/* The commented [azure] section rig init writes. Caller frees. */
char *azure_conf_text(const struct azure_conf *);

/* Whether rig may talk to the host of 'url' (Azure's own hosts,
 * loopback, or RIG_AZURE_ANY_ENDPOINT=1). */
int azure_host_trusted(const char *url);

/*
 * The one rule for every endpoint (rig.conf's [azure] keys and what the
 * hub hands rig self-stop): https, or http on loopback (or any http if
 * 'allow_http', for IMDS), to a host azure_host_trusted() takes. 0, or
 * -1 with the reason in 'why'.
 */
int azure_endpoint_check(const char *url, int allow_http, char *why,
    size_t len);

/* Whether Azure refuses 'name' as a VM's admin user ("root", "admin",
 * ...; Azure's list of reserved names), or it is not a valid one. */
int azure_admin_name_ok(const char *name);

/*
 * Checks one CIDR ("203.0.113.7" or "203.0.113.0/24", IPv4 or IPv6) as
 * an NSG takes it; 0 if valid.
 */
int azure_cidr_valid(const char *);

/* Whether address 'ip' is in one of the CIDRs of 'list' (comma or space
 * separated, as allow_from has them). */
int azure_cidr_contains(const char *list, const char *ip);

#endif
