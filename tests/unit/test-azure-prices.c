/* SPDX-License-Identifier: MIT */
/*
 * Tests of azure-prices.c that need no price server: which row of a
 * Retail Prices page is the VM's Linux price (regular or Spot), and the
 * disk tier a size falls into on each disk type.
 */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "azure/azure-prices.h"
#include "azure/provider-azure.h"
#include "lib/util.h"
#include "machine/machine.h"
#include "unit.h"

/* A page as the Retail Prices API gives it, for Standard_D4s_v5 in one
 * region: every kind of row the picker must pass over, in an order that
 * puts each wrong one before the right one. */
static const char page_text[] =
    "{\"BillingCurrency\":\"USD\",\"Items\":["
    /* Windows: the product name says so. */
    "{\"productName\":\"Virtual Machines Dsv5 Series Windows\","
    "\"skuName\":\"D4s v5\",\"type\":\"Consumption\","
    "\"unitOfMeasure\":\"1 Hour\",\"retailPrice\":0.376,"
    "\"currencyCode\":\"USD\",\"tag\":\"win\"},"
    /* Windows Spot. */
    "{\"productName\":\"Virtual Machines Dsv5 Series Windows\","
    "\"skuName\":\"D4s v5 Spot\",\"type\":\"Consumption\","
    "\"unitOfMeasure\":\"1 Hour\",\"retailPrice\":0.08,"
    "\"tag\":\"win-spot\"},"
    /* Low Priority, the older name of a different offer. */
    "{\"productName\":\"Virtual Machines Dsv5 Series\","
    "\"skuName\":\"D4s v5 Low Priority\",\"type\":\"Consumption\","
    "\"unitOfMeasure\":\"1 Hour\",\"retailPrice\":0.04,"
    "\"tag\":\"low\"},"
    /* Dev/Test pricing is not what a normal subscription pays. */
    "{\"productName\":\"Virtual Machines Dsv5 Series\","
    "\"skuName\":\"D4s v5\",\"type\":\"DevTestConsumption\","
    "\"unitOfMeasure\":\"1 Hour\",\"retailPrice\":0.1,"
    "\"tag\":\"devtest\"},"
    /* A reservation, priced per year. */
    "{\"productName\":\"Virtual Machines Dsv5 Series\","
    "\"skuName\":\"D4s v5\",\"type\":\"Reservation\","
    "\"unitOfMeasure\":\"1 Year\",\"retailPrice\":1000,"
    "\"tag\":\"reserved\"},"
    /* Consumption, but not per hour. */
    "{\"productName\":\"Virtual Machines Dsv5 Series\","
    "\"skuName\":\"D4s v5\",\"type\":\"Consumption\","
    "\"unitOfMeasure\":\"1/Month\",\"retailPrice\":140,"
    "\"tag\":\"monthly\"},"
    /* Right kind, but the price is not a number. */
    "{\"productName\":\"Virtual Machines Dsv5 Series\","
    "\"skuName\":\"D4s v5\",\"type\":\"Consumption\","
    "\"unitOfMeasure\":\"1 Hour\",\"retailPrice\":\"0.19\","
    "\"tag\":\"string-price\"},"
    /* Linux Spot. */
    "{\"productName\":\"Virtual Machines Dsv5 Series\","
    "\"skuName\":\"D4s v5 Spot\",\"type\":\"Consumption\","
    "\"unitOfMeasure\":\"1 Hour\",\"retailPrice\":0.0384,"
    "\"currencyCode\":\"USD\",\"tag\":\"linux-spot\"},"
    /* Linux, regular: the one a normal VM pays. */
    "{\"productName\":\"Virtual Machines Dsv5 Series\","
    "\"skuName\":\"D4s v5\",\"type\":\"Consumption\","
    "\"unitOfMeasure\":\"1 Hour\",\"retailPrice\":0.192,"
    "\"currencyCode\":\"USD\",\"tag\":\"linux\"},"
    /* A later Linux row is not picked over the first. */
    "{\"productName\":\"Virtual Machines Dsv5 Series\","
    "\"skuName\":\"D4s v5\",\"type\":\"Consumption\","
    "\"unitOfMeasure\":\"1 Hour\",\"retailPrice\":9.99,"
    "\"tag\":\"linux-later\"}"
    "],\"NextPageLink\":null,\"Count\":10}";

static json_t *
load(const char *text)
{
	json_error_t err;
	json_t      *j = json_loads(text, 0, &err);

	if (j == NULL)
		FAIL("bad test JSON: %s (line %d)", err.text, err.line);
	return j;
}

static const char *
tag(json_t *row)
{
	return json_string_value(json_object_get(row, "tag"));
}

TEST(azure_prices_pick_linux)
{
	json_t *page = load(page_text), *row;

	row = azure_prices_pick_vm(page, 0);
	ASSERT_NOT_NULL(row);
	ASSERT_STR_EQ(tag(row), "linux");
	ASSERT(json_number_value(json_object_get(row, "retailPrice")) == 0.192);
	/* The Spot price for a Spot VM, still Linux and hourly. */
	row = azure_prices_pick_vm(page, 1);
	ASSERT_NOT_NULL(row);
	ASSERT_STR_EQ(tag(row), "linux-spot");
	ASSERT(
	    json_number_value(json_object_get(row, "retailPrice")) == 0.0384);
	json_decref(page);
}

TEST(azure_prices_pick_none)
{
	json_t *page, *items;
	size_t  n;

	/* Remove the Linux rows: no other row may stand in for them. */
	page = load(page_text);
	items = json_object_get(page, "Items");
	n = json_array_size(items);
	ASSERT_EQ(n, 10);
	ASSERT_EQ(json_array_remove(items, n - 1), 0);
	ASSERT_EQ(json_array_remove(items, n - 2), 0);
	ASSERT_NULL(azure_prices_pick_vm(page, 0));
	ASSERT_STR_EQ(tag(azure_prices_pick_vm(page, 1)), "linux-spot");
	ASSERT_EQ(json_array_remove(items, n - 3), 0);
	ASSERT_NULL(azure_prices_pick_vm(page, 1));
	json_decref(page);

	/* Pages that are not pages. */
	page = load("{\"Items\":[]}");
	ASSERT_NULL(azure_prices_pick_vm(page, 0));
	json_decref(page);
	page = load("{\"Items\":{}}");
	ASSERT_NULL(azure_prices_pick_vm(page, 0));
	json_decref(page);
	page = load("{\"Items\":[1,\"x\",null,[]]}");
	ASSERT_NULL(azure_prices_pick_vm(page, 0));
	json_decref(page);
	page = load("{}");
	ASSERT_NULL(azure_prices_pick_vm(page, 0));
	json_decref(page);
	ASSERT_NULL(azure_prices_pick_vm(NULL, 0));
}

TEST(azure_prices_pick_spot_only_page)
{
	/* A size with only a Spot row (or only a regular one) answers one
	 * question and not the other. */
	json_t *page =
	    load("{\"Items\":[{\"productName\":\"Virtual Machines NCasT4_v3 "
	         "Series\",\"skuName\":\"NC4as T4 v3 Spot\",\"type\":"
	         "\"Consumption\",\"unitOfMeasure\":\"1 Hour\","
	         "\"retailPrice\":0.2,\"tag\":\"spot\"}]}");

	ASSERT_NULL(azure_prices_pick_vm(page, 0));
	ASSERT_STR_EQ(tag(azure_prices_pick_vm(page, 1)), "spot");
	json_decref(page);
}

static void
check_tier(const char *type, int gb, const char *want)
{
	char out[8];

	memset(out, 'x', sizeof(out));
	azure_disk_tier(type, gb, out);
	if (strcmp(out, want) != 0)
		FAIL("azure_disk_tier(%s, %d) = \"%s\", want \"%s\"", type, gb,
		    out, want);
}

TEST(azure_disk_tiers)
{
	/* Standard SSD: E, from E1 (4 GiB). */
	check_tier("StandardSSD_LRS", 30, "E4");
	check_tier("StandardSSD_LRS", 32, "E4");
	check_tier("StandardSSD_LRS", 33, "E6");
	check_tier("StandardSSD_LRS", 64, "E6");
	check_tier("StandardSSD_LRS", 128, "E10");
	check_tier("StandardSSD_LRS", 129, "E15");
	check_tier("StandardSSD_LRS", 1024, "E30");
	check_tier("StandardSSD_LRS", 4095, "E50");
	check_tier("StandardSSD_LRS", 4, "E1");
	check_tier("StandardSSD_LRS", 5, "E2");
	/* Premium SSD: P. */
	check_tier("Premium_LRS", 30, "P4");
	check_tier("Premium_LRS", 64, "P6");
	check_tier("Premium_LRS", 128, "P10");
	check_tier("Premium_LRS", 129, "P15");
	check_tier("Premium_LRS", 1024, "P30");
	check_tier("Premium_LRS", 4095, "P50");
	check_tier("Premium_LRS", 500, "P20");
	check_tier("Premium_LRS", 2048, "P40");
	/* Standard HDD: S, whose smallest tier is S4 (no S1-S3). */
	check_tier("Standard_LRS", 30, "S4");
	check_tier("Standard_LRS", 4, "S4");
	check_tier("Standard_LRS", 16, "S4");
	check_tier("Standard_LRS", 64, "S6");
	check_tier("Standard_LRS", 128, "S10");
	check_tier("Standard_LRS", 129, "S15");
	check_tier("Standard_LRS", 1024, "S30");
	check_tier("Standard_LRS", 4095, "S50");
	/* The largest tier is the last word, never past the table. */
	check_tier("Standard_LRS", 4096, "S50");
	check_tier("Premium_LRS", 100000, "P50");
}

/* A pool's azure node: its size's price in the head's region, from the
 * same price cache as the head's own (here a fresh entry, so nothing is
 * asked), Spot and regular apart; a size with no price is -1. */
TEST(azure_node_price_cached)
{
	struct machine m;
	char          *dir = xasprintf("%s/nodeprice", unit_tmpdir());
	char          *path = xasprintf("%s/prices.json", dir);
	char          *text;

	ASSERT_EQ(mkdir_p(dir, 0700), 0);
	text = xasprintf("{\"vm|westeurope|Standard_NC4as_T4_v3|regular\": "
	                 "{\"price\": 0.61, \"currency\": \"EUR\", "
	                 "\"t\": %lld}, "
	                 "\"vm|westeurope|Standard_NC4as_T4_v3|spot\": "
	                 "{\"price\": 0.2, \"currency\": \"EUR\", "
	                 "\"t\": %lld}}",
	    (long long)now_sec(), (long long)now_sec());
	ASSERT_EQ(write_file_atomic(path, text, strlen(text), 0600), 0);
	machine_init(&m);
	m.state_dir = xstrdup(dir);
	ASSERT_EQ(
	    machine_set(&m, "azure", "prices_endpoint", "http://127.0.0.1:1"),
	    0);
	ASSERT(
	    provider_azure.node_price(&m, "Standard_NC4as_T4_v3", 0) == 0.61);
	ASSERT(provider_azure.node_price(&m, "Standard_NC4as_T4_v3", 1) == 0.2);
	/* Not cached, and nothing answers there. */
	ASSERT(provider_azure.node_price(&m, "Standard_B2s", 0) < 0);
	machine_release(&m);
	free(text);
	free(path);
	free(dir);
}
