/* SPDX-License-Identifier: MIT */
/*
 * The chunk pool. Single-threaded like the loop that uses it: no locks.
 */
#include <stdint.h>
#include <stdlib.h>

#include "chunk.h"
#include "lib/util.h"

struct chunk {
	unsigned      refs;
	struct chunk *next; /* in the free list */
	char          data[CHUNK_SIZE];
};

static struct chunk *pool;
static size_t        npool;
static uint64_t      taken; /* chunk_new() calls, to tell quiet times */

static struct chunk *
of(const char *data)
{
	return container_of(data, struct chunk, data);
}

char *
chunk_new(void)
{
	struct chunk *k = pool;

	taken++;
	if (k != NULL) {
		pool = k->next;
		npool--;
	} else
		k = xmalloc(sizeof(*k));
	k->refs = 1;
	k->next = NULL;
	return k->data;
}

int
chunk_holds(const char *chunk, const char *p)
{
	return chunk != NULL && p >= chunk && p < chunk + CHUNK_SIZE;
}

void
chunk_ref(char *data)
{
	of(data)->refs++;
}

void
chunk_unref(char *data)
{
	struct chunk *k;

	if (data == NULL)
		return;
	k = of(data);
	if (--k->refs > 0)
		return;
	if (npool < CHUNK_POOL_MAX) {
		k->next = pool;
		pool = k;
		npool++;
	} else
		free(k);
}

uint64_t
chunk_taken(void)
{
	return taken;
}

size_t
chunk_pooled(void)
{
	return npool;
}

void
chunk_pool_trim(size_t keep)
{
	struct chunk *k;

	while (npool > keep && (k = pool) != NULL) {
		pool = k->next;
		free(k);
		npool--;
	}
}

void
chunk_pool_release(void)
{
	chunk_pool_trim(0);
}
