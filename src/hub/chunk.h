/* SPDX-License-Identifier: MIT */
/*
 * Reference-counted 64 KiB read buffers, kept in a small free list. The
 * proxy reads a back end's response into one and hands the same bytes to
 * the client's uv_write, so a large download is neither copied in user
 * space nor allocated and freed (and faulted in again) for every read.
 */
#ifndef CHUNK_H
#define CHUNK_H

#include <stddef.h>
#include <stdint.h>

#define CHUNK_SIZE (64 * 1024)
#define CHUNK_POOL_MAX 512 /* free chunks kept under load: 32 MiB */

/* A chunk with one reference; returns its data (CHUNK_SIZE bytes). */
char *chunk_new(void);
/* Whether 'p' points into the data of 'chunk'. */
int  chunk_holds(const char *chunk, const char *p);
void chunk_ref(char *chunk);
/* Drops a reference; the last one returns the chunk to the pool. */
void chunk_unref(char *chunk);
/* Frees pooled chunks beyond 'keep': the hub calls it every 30 s, so a
 * burst's buffers go back once the burst is over. */
void chunk_pool_trim(size_t keep);
/* How many chunks were ever taken (a quiet second takes none), and how
 * many are in the pool now. */
uint64_t chunk_taken(void);
size_t   chunk_pooled(void);
/* Frees the pool (at exit, for leak checkers). */
void chunk_pool_release(void);

#endif
