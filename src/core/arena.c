/*
 * arena.c - bump allocator (see arena.h). Blocks form a list, newest first; a request larger than the
 * block size gets a block of its own. Reset frees every block but the oldest, which is kept for reuse.
 */
#include "core/arena.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct WArenaBlock {
    WArenaBlock *next;
    size_t used, size;
    _Alignas(16) unsigned char data[];
};

void warena_init(WArena *a, size_t block_size) {
    a->head = NULL;
    a->block_size = block_size ? block_size : 64 * 1024;
}

void warena_fini(WArena *a) {
    WArenaBlock *b = a->head;
    while (b) {
        WArenaBlock *next = b->next;
        free(b);
        b = next;
    }
    a->head = NULL;
}

void warena_reset(WArena *a) {
    WArenaBlock *b = a->head;
    if (!b) return;
    while (b->next) {
        WArenaBlock *next = b->next;
        free(b);
        b = next;
    }
    b->used = 0;
    a->head = b;
}

void *warena_alloc(WArena *a, size_t n) {
    n = (n + 15) & ~(size_t)15;
    if (n == 0) n = 16;
    WArenaBlock *b = a->head;
    if (!b || b->size - b->used < n) {
        size_t size = n > a->block_size ? n : a->block_size;
        if (size > SIZE_MAX - sizeof *b) return NULL;
        WArenaBlock *nb = malloc(sizeof *nb + size);
        if (!nb) return NULL;
        nb->used = 0;
        nb->size = size;
        if (b && n > a->block_size) {
            /* A big one-off block goes behind the current one so the current keeps filling. */
            nb->next = b->next;
            b->next = nb;
            nb->used = n;
            return nb->data;
        }
        nb->next = b;
        a->head = b = nb;
    }
    void *p = b->data + b->used;
    b->used += n;
    return p;
}

char *warena_strndup(WArena *a, const char *s, size_t n) {
    char *p = warena_alloc(a, n + 1);
    if (!p) return NULL;
    memcpy(p, s, n);
    p[n] = 0;
    return p;
}
