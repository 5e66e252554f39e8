/* SPDX-License-Identifier: MIT */
/*
 * Retail prices of the VM and its disk (azure-prices.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "arm.h"
#include "azure-conf.h"
#include "azure-prices.h"
#include "azure.h"
#include "lib/log.h"
#include "machine/machine.h"
#include "lib/url.h"
#include "lib/util.h"
#include "lib/banned.h"

#define PRICES_TIMEOUT_MS 20000
#define CACHE_FILE "prices.json"

static int
has(const char *s, const char *part)
{
	return s != NULL && strstr(s, part) != NULL;
}

json_t *
azure_prices_pick_vm(json_t *page, int spot)
{
	json_t *items = json_object_get(page, "Items"), *it;
	size_t  i;

	json_array_foreach(items, i, it) {
		const char *product =
		    json_string_value(json_object_get(it, "productName"));
		const char *sku =
		    json_string_value(json_object_get(it, "skuName"));
		const char *type =
		    json_string_value(json_object_get(it, "type"));
		const char *unit =
		    json_string_value(json_object_get(it, "unitOfMeasure"));

		if (has(product, " Windows") || has(sku, " Low Priority") ||
		    (type != NULL && strcmp(type, "Consumption") != 0) ||
		    (unit != NULL && strcmp(unit, "1 Hour") != 0))
			continue;
		if (has(sku, " Spot") != spot)
			continue;
		if (json_is_number(json_object_get(it, "retailPrice")))
			return it;
	}
	return NULL;
}

void
azure_disk_tier(const char *type, int gb, char *out)
{
	static const struct {
		int gb, n;
	} tiers[] = { { 4, 1 }, { 8, 2 }, { 16, 3 }, { 32, 4 }, { 64, 6 },
		{ 128, 10 }, { 256, 15 }, { 512, 20 }, { 1024, 30 },
		{ 2048, 40 }, { 4096, 50 } };
	char   letter = strncmp(type, "Premium", 7) == 0 ? 'P'
	      : strncmp(type, "StandardSSD", 11) == 0    ? 'E'
	                                                 : 'S';
	size_t i;

	for (i = 0; i + 1 < nitems(tiers); i++)
		if (gb <= tiers[i].gb && !(letter == 'S' && tiers[i].gb < 32))
			break;
	snprintf(out, 8, "%c%d", letter, tiers[i].n);
}

/* The disk's row: a monthly meter. */
static json_t *
pick_disk(json_t *page)
{
	json_t *items = json_object_get(page, "Items"), *it;
	size_t  i;

	json_array_foreach(items, i, it) {
		const char *unit =
		    json_string_value(json_object_get(it, "unitOfMeasure"));
		const char *meter =
		    json_string_value(json_object_get(it, "meterName"));

		if (unit != NULL && strcmp(unit, "1/Month") == 0 &&
		    has(meter, "Disk") &&
		    json_is_number(json_object_get(it, "retailPrice")))
			return it;
	}
	return NULL;
}

/* Whether two URLs have the same origin: the same-host rule. */
static int
same_origin(const char *a, const char *b)
{
	const char *end;
	int         n = arm_url_origin(a, &end);

	return n > 0 && n == arm_url_origin(b, &end) &&
	    strncasecmp(a, b, (size_t)n) == 0;
}

/*
 * The first row 'pick' chooses from the pages of 'filter', following
 * NextPageLink on the same host only. 0 with *price and *currency (caller
 * frees), -1 with the reason in 'err'.
 */
static int
lookup(const char *base, const char *filter, json_t *(*pick)(json_t *, int),
    int arg, double *price, char **currency, char *err, size_t errlen)
{
	struct arm_response res;
	char               *enc = url_encode(filter, 0), *url;
	int                 ret = -1;

	url = xasprintf("%s/api/retail/prices?$filter=%s", base, enc);
	free(enc);
	for (int page = 0; page < PRICES_MAX_PAGES && url != NULL; page++) {
		json_t *j, *row, *next;

		arm_response_init(&res);
		if (arm_http("GET", url, NULL, NULL, 0, PRICES_TIMEOUT_MS, &res,
		        err, errlen) == -1) {
			arm_response_release(&res);
			break;
		}
		if (res.status != 200) {
			arm_error_message(res.status, res.body, err, errlen);
			arm_response_release(&res);
			break;
		}
		j = arm_response_json(&res);
		arm_response_release(&res);
		row = pick(j, arg);
		if (row != NULL) {
			const char *cur = json_string_value(
			    json_object_get(row, "currencyCode"));

			*price = json_number_value(
			    json_object_get(row, "retailPrice"));
			*currency = xstrdup(cur != NULL ? cur : "USD");
			json_decref(j);
			ret = 0;
			break;
		}
		next = json_object_get(j, "NextPageLink");
		free(url);
		url = NULL;
		if (json_is_string(next) && *json_string_value(next) != '\0') {
			if (!same_origin(json_string_value(next), base)) {
				snprintf(err, errlen,
				    "the price list's next page is on another "
				    "host (%.100s): not followed",
				    json_string_value(next));
				json_decref(j);
				break;
			}
			url = xstrdup(json_string_value(next));
		} else
			snprintf(err, errlen, "no such price in the list");
		json_decref(j);
	}
	free(url);
	return ret;
}

static json_t *
pick_disk_arg(json_t *page, int unused)
{
	(void)unused;
	return pick_disk(page);
}

/* A cached price, or a fresh one stored in the cache. */
static int
cached(struct machine *m, const char *key, const char *base, const char *filter,
    json_t *(*pick)(json_t *, int), int arg, double *price, char **currency,
    char *err, size_t errlen)
{
	char   *path = machine_state_path(m, CACHE_FILE), *text;
	json_t *cache = NULL, *e;
	int64_t now = now_sec();
	int     r;

	text = read_file(path, 1024 * 1024, NULL);
	if (text != NULL)
		cache = json_loads(text, 0, NULL);
	free(text);
	if (!json_is_object(cache)) {
		json_decref(cache);
		cache = json_object();
	}
	e = json_object_get(cache, key);
	if (json_is_object(e) &&
	    now - json_integer_value(json_object_get(e, "t")) <
	        PRICES_CACHE_SECONDS &&
	    json_is_string(json_object_get(e, "currency"))) {
		*price = json_number_value(json_object_get(e, "price"));
		*currency =
		    xstrdup(json_string_value(json_object_get(e, "currency")));
		json_decref(cache);
		free(path);
		return 0;
	}
	r = lookup(base, filter, pick, arg, price, currency, err, errlen);
	if (r == 0) {
		json_object_set_new(cache, key,
		    json_pack("{s:f, s:s, s:I}", "price", *price, "currency",
		        *currency, "t", (json_int_t)now));
		text = json_dumps(cache, JSON_INDENT(1));
		if (text != NULL)
			write_file_atomic(path, text, strlen(text), 0600);
		free(text);
	}
	json_decref(cache);
	free(path);
	return r;
}

static int64_t
month_start(int64_t now)
{
	time_t    t = (time_t)now;
	struct tm tm;

	gmtime_r(&t, &tm);
	tm.tm_mday = 1;
	tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
	return (int64_t)timegm(&tm);
}

/* The VM's price an hour and its disk's a month, each found or not (the
 * have_ flags); 'err' says why one is missing. */
struct prices {
	double vm_hour, disk_month;
	char  *cur, *dcur;
	char   tier[8];
	int    have_vm, have_disk;
	char   err[512];
};

static void
prices_get(struct machine *m, struct prices *pr)
{
	struct azure_conf *c = azure_conf_of(m);
	char              *filter, *key;

	memset(pr, 0, sizeof(*pr));
	filter = xasprintf("serviceName eq 'Virtual Machines' and "
	                   "armRegionName eq '%s' and armSkuName eq '%s' and "
	                   "priceType eq 'Consumption'",
	    c->location, c->size);
	key = xasprintf("vm|%s|%s|%s", c->location, c->size,
	    c->spot ? "spot" : "regular");
	pr->have_vm =
	    cached(m, key, c->prices_endpoint, filter, azure_prices_pick_vm,
	        c->spot, &pr->vm_hour, &pr->cur, pr->err, sizeof(pr->err)) == 0;
	free(key);
	free(filter);
	azure_disk_tier(c->os_disk_type, c->os_disk_gb, pr->tier);
	filter = xasprintf("serviceName eq 'Storage' and armRegionName eq "
	                   "'%s' and skuName eq '%s %s' and priceType eq "
	                   "'Consumption'",
	    c->location, pr->tier,
	    strstr(c->os_disk_type, "ZRS") != NULL ? "ZRS" : "LRS");
	key =
	    xasprintf("disk|%s|%s|%s", c->location, c->os_disk_type, pr->tier);
	pr->have_disk =
	    cached(m, key, c->prices_endpoint, filter, pick_disk_arg, 0,
	        &pr->disk_month, &pr->dcur, pr->err, sizeof(pr->err)) == 0;
	free(key);
	free(filter);
}

static void
prices_release(struct prices *pr)
{
	free(pr->cur);
	free(pr->dcur);
}

int
azure_prices_note(struct azure *az)
{
	struct machine *m = az->m;
	struct prices   pr;
	char            v[64];
	int             r = -1;

	if (azure_conf_of(m)->budget_month <= 0)
		return 0;
	prices_get(m, &pr);
	if (pr.have_vm && pr.have_disk) {
		snprintf(v, sizeof(v), "%.6f", pr.vm_hour);
		machine_state_set(m, "azure.cost_hour", v);
		snprintf(v, sizeof(v), "%.6f", pr.disk_month);
		machine_state_set(m, "azure.cost_month_fixed", v);
		machine_state_set(m, "azure.currency", pr.cur);
		r = 0;
	} else
		log_warnx("budget_month is set, but the VM's price is "
		          "unknown (%s): the machine cannot watch its budget",
		    pr.err);
	prices_release(&pr);
	return r;
}

void
azure_prices_describe(struct azure *az, json_t *out)
{
	struct machine    *m = az->m;
	struct azure_conf *c = azure_conf_of(m);
	json_t            *p = json_object();
	struct prices      pr;
	int64_t            now = now_sec(), run;

	run = azure_hours_run(m, month_start(now), now, NULL);
	prices_get(m, &pr);

	json_object_set_new(p, "hours_this_month",
	    json_real((double)run / 3600.0));
	if (pr.have_vm) {
		json_object_set_new(p, "currency", json_string(pr.cur));
		json_object_set_new(p, "vm_hour", json_real(pr.vm_hour));
	}
	if (pr.have_disk) {
		json_object_set_new(p, "disk_tier", json_string(pr.tier));
		json_object_set_new(p, "disk_month", json_real(pr.disk_month));
	}
	if (pr.have_vm && pr.have_disk) {
		double est = pr.vm_hour * (double)run / 3600.0 + pr.disk_month;

		json_object_set_new(p, "estimate_month", json_real(est));
		if (c->budget_month > 0)
			json_object_set_new(p, "budget_used",
			    json_real(est / c->budget_month));
	}
	json_object_set_new(p, "note",
	    json_string("estimate from retail prices and rig's own start/stop "
	                "log, not the bill"));
	if (!pr.have_vm || !pr.have_disk)
		json_object_set_new(p, "price_error", json_string(pr.err));
	json_object_set_new(out, "price", p);
	prices_release(&pr);
}

int
azure_prices_vm_hour(struct machine *m, const char *size, int spot,
    double *price)
{
	struct azure_conf *c = azure_conf_of(m);
	char              *filter, *key, *cur = NULL, err[512];
	int                r;

	filter = xasprintf("serviceName eq 'Virtual Machines' and "
	                   "armRegionName eq '%s' and armSkuName eq '%s' and "
	                   "priceType eq 'Consumption'",
	    c->location, size);
	key = xasprintf("vm|%s|%s|%s", c->location, size,
	    spot ? "spot" : "regular");
	r = cached(m, key, c->prices_endpoint, filter, azure_prices_pick_vm,
	    spot, price, &cur, err, sizeof(err));
	if (r == -1)
		log_warnx("azure: the price of %s in %s: %s", size, c->location,
		    err);
	free(cur);
	free(key);
	free(filter);
	return r;
}
