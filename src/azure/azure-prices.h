/* SPDX-License-Identifier: MIT */
/*
 * What the VM costs, from Azure's public Retail Prices API (no login):
 * the size's Linux price per hour in the region (the Spot price for a
 * Spot VM), the OS disk's price per month (paid even when deallocated),
 * hours run this month from rig's own start/stop log, and an estimate of
 * the month, labelled as one: retail prices, not the bill. Answers are
 * cached a day in .rig/prices.json.
 */
#ifndef AZURE_PRICES_H
#define AZURE_PRICES_H

#include <jansson.h>

struct azure;
struct machine;

#define PRICES_CACHE_SECONDS 86400
#define PRICES_MAX_PAGES 20

/*
 * The "Items" row that is the price of a VM of 'sku' (Linux; Spot if
 * 'spot'), among those of one answer page; NULL if none. Borrowed.
 */
json_t *azure_prices_pick_vm(json_t *page, int spot);

/* The disk tier for a size in GiB on 'type' ("E10" for 128 GiB on
 * StandardSSD_LRS). 'out' holds 8 bytes. */
void azure_disk_tier(const char *type, int gb, char *out);

/*
 * Adds "price" to 'out': {currency, vm_hour, disk_month, hours_this_month,
 * estimate_month, note}, hours from the local start/stop log (which
 * azure_power_reconcile() keeps true). Prices that cannot be had are left
 * out with a "price_error".
 */
void azure_prices_describe(struct azure *, json_t *out);

/*
 * With budget_month set, notes the VM's and disk's prices in .rig/state
 * (azure.cost_hour, azure.cost_month_fixed, azure.currency) for rig up to
 * give the machine's hub, which watches the budget. -1 (warned) if the
 * prices cannot be had; 0 also when there is no budget.
 */
int azure_prices_note(struct azure *);

/* The Linux price per hour (Spot if 'spot') of a VM of 'size' in the
 * machine's region, cached like the machine's own. -1 if it cannot be
 * had (warned). */
int azure_prices_vm_hour(struct machine *, const char *size, int spot,
    double *price);

#endif
