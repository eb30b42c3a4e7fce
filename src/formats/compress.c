/*
 * compress.c - gzip and zstd streams for text output (see compress.h).
 */
#include "formats/compress.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <zlib.h>
#include <zstd.h>

#define CHUNK 65536

int wcomp_parse(const char *name, WCompKind *out, WErr *err) {
    if (!name || !strcasecmp(name, "none") || !strcasecmp(name, "uncompressed")) *out = WCOMP_NONE;
    else if (!strcasecmp(name, "gzip")) *out = WCOMP_GZIP;
    else if (!strcasecmp(name, "zstd")) *out = WCOMP_ZSTD;
    else return werr_msg(err, WEIR_MISUSE, "option compression: '%s' is not none, gzip or zstd", name);
    return WEIR_OK;
}

const char *wcomp_ext(WCompKind k) { return k == WCOMP_GZIP ? ".gz" : k == WCOMP_ZSTD ? ".zst" : ""; }

int wcomp_open(WCompressor *c, WCompKind kind, WErr *err) {
    memset(c, 0, sizeof *c);
    c->kind = kind;
    wbuf_init(&c->chunk);
    if (kind == WCOMP_GZIP) {
        z_stream *z = calloc(1, sizeof *z);
        /* windowBits 15 + 16: a gzip wrapper */
        if (!z || deflateInit2(z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
            free(z);
            return werr_msg(err, WEIR_NOMEM, "out of memory");
        }
        c->state = z;
    } else if (kind == WCOMP_ZSTD && !(c->state = ZSTD_createCCtx())) {
        return werr_msg(err, WEIR_NOMEM, "out of memory");
    }
    if (kind != WCOMP_NONE && wbuf_reserve(&c->chunk, CHUNK)) {
        wcomp_close(c);
        return werr_msg(err, WEIR_NOMEM, "out of memory");
    }
    return WEIR_OK;
}

int wcomp_put(WCompressor *c, const void *data, size_t len, int finish, WCompEmit emit, void *user, WErr *err) {
    if (c->kind == WCOMP_NONE) return len ? emit(user, data, len, err) : WEIR_OK;
    if (c->kind == WCOMP_GZIP) {
        z_stream *z = c->state;
        z->next_in = (Bytef *)data;
        z->avail_in = (uInt)len;
        int zrc;
        do {
            z->next_out = (Bytef *)c->chunk.data;
            z->avail_out = CHUNK;
            zrc = deflate(z, finish ? Z_FINISH : Z_NO_FLUSH);
            if (zrc == Z_STREAM_ERROR) return werr_msg(err, WEIR_IO, "gzip compression failed");
            size_t have = CHUNK - z->avail_out;
            if (have) {
                int rc = emit(user, c->chunk.data, have, err);
                if (rc) return rc;
            }
        } while (z->avail_out == 0 || (finish && zrc != Z_STREAM_END));
        return WEIR_OK;
    }
    ZSTD_inBuffer in = {data, len, 0};
    for (;;) {
        ZSTD_outBuffer outb = {c->chunk.data, CHUNK, 0};
        size_t left = ZSTD_compressStream2(c->state, &outb, &in, finish ? ZSTD_e_end : ZSTD_e_continue);
        if (ZSTD_isError(left)) return werr_msg(err, WEIR_IO, "zstd compression failed: %s", ZSTD_getErrorName(left));
        if (outb.pos) {
            int rc = emit(user, c->chunk.data, outb.pos, err);
            if (rc) return rc;
        }
        if (finish ? left == 0 : in.pos == in.size) break;
    }
    return WEIR_OK;
}

void wcomp_close(WCompressor *c) {
    if (c->kind == WCOMP_GZIP && c->state) {
        deflateEnd(c->state);
        free(c->state);
    } else if (c->kind == WCOMP_ZSTD && c->state) {
        ZSTD_freeCCtx(c->state);
    }
    c->state = NULL;
    wbuf_fini(&c->chunk);
}
