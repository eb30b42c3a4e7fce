/*
 * buf.h - WBuf, a growable byte buffer: the one way weir builds text and binary output in memory.
 *
 * Encoders append to a WBuf and flush it to a file; it is reset (length 0, memory kept) between
 * batches so steady-state work allocates nothing. Appends return WEIR_OK or WEIR_NOMEM.
 */
#ifndef WEIR_CORE_BUF_H
#define WEIR_CORE_BUF_H

#include <stddef.h>
#include <stdint.h>

typedef struct WBuf {
    char *data;
    size_t len;
    size_t cap;
} WBuf;

void wbuf_init(WBuf *b);
void wbuf_fini(WBuf *b);
static inline void wbuf_reset(WBuf *b) { b->len = 0; }
int wbuf_reserve(WBuf *b, size_t extra);   /* room for `extra` more bytes (plus a NUL) */
int wbuf_append(WBuf *b, const void *p, size_t n);
int wbuf_puts(WBuf *b, const char *s);
int wbuf_putc(WBuf *b, char c);
int wbuf_printf(WBuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Appends code point cp (at most 0x10FFFF, not a surrogate: callers check) as UTF-8, 1 to 4 bytes. */
int wbuf_put_utf8(WBuf *b, uint32_t cp);
/* NUL-terminates without counting the NUL in len; returns data. */
const char *wbuf_cstr(WBuf *b);

#endif
