/*
 * buf.c - growable byte buffer (see buf.h). Grows by doubling; always keeps one spare byte for a NUL.
 */
#include "core/buf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "weir.h"

void wbuf_init(WBuf *b) { b->data = NULL; b->len = b->cap = 0; }

void wbuf_fini(WBuf *b) {
    free(b->data);
    wbuf_init(b);
}

int wbuf_reserve(WBuf *b, size_t extra) {
    if (extra > SIZE_MAX / 2 - b->len) return WEIR_NOMEM;
    size_t need = b->len + extra + 1;
    if (need <= b->cap) return WEIR_OK;
    size_t cap = b->cap ? b->cap : 64;
    while (cap < need) cap *= 2;
    char *p = realloc(b->data, cap);
    if (!p) return WEIR_NOMEM;
    b->data = p;
    b->cap = cap;
    return WEIR_OK;
}

int wbuf_append(WBuf *b, const void *p, size_t n) {
    if (wbuf_reserve(b, n)) return WEIR_NOMEM;
    if (n) memcpy(b->data + b->len, p, n);
    b->len += n;
    return WEIR_OK;
}

int wbuf_puts(WBuf *b, const char *s) { return wbuf_append(b, s, strlen(s)); }

int wbuf_putc(WBuf *b, char c) {
    if (b->len + 1 >= b->cap && wbuf_reserve(b, 1)) return WEIR_NOMEM;
    b->data[b->len++] = c;
    return WEIR_OK;
}

int wbuf_printf(WBuf *b, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0) return WEIR_MISUSE;
    if (wbuf_reserve(b, (size_t)n)) return WEIR_NOMEM;
    va_start(ap, fmt);
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
    return WEIR_OK;
}

const char *wbuf_cstr(WBuf *b) {
    if (wbuf_reserve(b, 0)) return "";
    b->data[b->len] = 0;
    return b->data;
}

int wbuf_put_utf8(WBuf *b, uint32_t cp) {
    char t[4];
    size_t k;
    if (cp < 0x80) {
        t[0] = (char)cp;
        k = 1;
    } else if (cp < 0x800) {
        t[0] = (char)(0xC0 | (cp >> 6));
        t[1] = (char)(0x80 | (cp & 63));
        k = 2;
    } else if (cp < 0x10000) {
        t[0] = (char)(0xE0 | (cp >> 12));
        t[1] = (char)(0x80 | ((cp >> 6) & 63));
        t[2] = (char)(0x80 | (cp & 63));
        k = 3;
    } else {
        t[0] = (char)(0xF0 | (cp >> 18));
        t[1] = (char)(0x80 | ((cp >> 12) & 63));
        t[2] = (char)(0x80 | ((cp >> 6) & 63));
        t[3] = (char)(0x80 | (cp & 63));
        k = 4;
    }
    return wbuf_append(b, t, k);
}
