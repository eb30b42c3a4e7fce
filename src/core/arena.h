/*
 * arena.h - WArena, a bump allocator whose memory is released all at once.
 *
 * For objects that live exactly as long as something else (a parsed schema, a SQL statement, one
 * batch's scratch space): allocate freely, then warena_reset (keeps the first block for reuse) or
 * warena_fini. Allocations are 16-byte aligned. warena_alloc returns NULL only when memory is exhausted.
 */
#ifndef WEIR_CORE_ARENA_H
#define WEIR_CORE_ARENA_H

#include <stddef.h>

typedef struct WArenaBlock WArenaBlock;
typedef struct WArena {
    WArenaBlock *head;  /* newest block first */
    size_t block_size;  /* default size of a new block */
} WArena;

void warena_init(WArena *a, size_t block_size);
void warena_fini(WArena *a);
void warena_reset(WArena *a);
void *warena_alloc(WArena *a, size_t n);
char *warena_strndup(WArena *a, const char *s, size_t n);

#endif
