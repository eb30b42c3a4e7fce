/*
 * pq_codec.c - page compression for Parquet: SNAPPY (libsnappy's C API), ZSTD (libzstd), GZIP (RFC 1952,
 * as Parquet's GZIP codec is; written with libdeflate, read with zlib) and UNCOMPRESSED. Decompression
 * checks that the output is exactly the size the page header declares. A writer keeps one PqCompressor:
 * the zstd context and the libdeflate compressor are made once and serve every page (making them costs
 * more than compressing a small page, and their fresh memory costs page faults).
 * Why libdeflate for writing: a page is compressed whole, from one buffer into another, which is the case
 * libdeflate is made for; at the same level (6, zlib's and Spark's default) it writes the same format about
 * 3x faster than zlib's streaming deflate, with output of the same size (bench/RESULTS.md). Reading keeps
 * zlib's inflate, which also takes concatenated gzip members.
 */
#include "formats/parquet/pq_int.h"

#include <libdeflate.h>
#include <snappy-c.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>
#include <zstd.h>

#include "weir.h"

const char *wpq_codec_name(int codec) {
    static const char *n[] = {"UNCOMPRESSED", "SNAPPY", "GZIP", "LZO", "BROTLI", "LZ4", "ZSTD", "LZ4_RAW"};
    return codec >= 0 && codec < 8 ? n[codec] : "UNKNOWN";
}

const char *wpq_encoding_name(int enc) {
    static const char *n[] = {"PLAIN", "GROUP_VAR_INT", "PLAIN_DICTIONARY", "RLE", "BIT_PACKED",
                              "DELTA_BINARY_PACKED", "DELTA_LENGTH_BYTE_ARRAY", "DELTA_BYTE_ARRAY",
                              "RLE_DICTIONARY", "BYTE_STREAM_SPLIT"};
    return enc >= 0 && enc < 10 ? n[enc] : "UNKNOWN";
}

void wpq_compressor_free(PqCompressor *c) {
    if (c->zstd) ZSTD_freeCCtx(c->zstd);
    if (c->deflate) libdeflate_free_compressor(c->deflate);
    c->zstd = c->deflate = NULL;
}

int wpq_compress(PqCompressor *c, int codec, int level, const void *src, size_t n, WBuf *out, WErr *err) {
    switch (codec) {
    case PQ_CODEC_NONE:
        return wbuf_append(out, src, n) ? werr_msg(err, WEIR_NOMEM, "out of memory") : WEIR_OK;
    case PQ_CODEC_SNAPPY: {
        size_t cap = snappy_max_compressed_length(n);
        if (wbuf_reserve(out, cap)) return werr_msg(err, WEIR_NOMEM, "out of memory");
        size_t got = cap;
        if (snappy_compress(src, n, out->data + out->len, &got) != SNAPPY_OK)
            return werr_msg(err, WEIR_IO, "snappy compression failed");
        out->len += got;
        return WEIR_OK;
    }
    case PQ_CODEC_ZSTD: {
        size_t cap = ZSTD_compressBound(n);
        if (wbuf_reserve(out, cap)) return werr_msg(err, WEIR_NOMEM, "out of memory");
        if (!c->zstd && !(c->zstd = ZSTD_createCCtx())) return werr_msg(err, WEIR_NOMEM, "out of memory");
        size_t got = ZSTD_compressCCtx(c->zstd, out->data + out->len, cap, src, n, level ? level : 3);
        if (ZSTD_isError(got)) return werr_msg(err, WEIR_IO, "zstd compression failed: %s", ZSTD_getErrorName(got));
        out->len += got;
        return WEIR_OK;
    }
    case PQ_CODEC_GZIP: {
        if (!c->deflate && !(c->deflate = libdeflate_alloc_compressor(level ? level : 6)))
            return werr_msg(err, WEIR_NOMEM, "gzip: cannot make a compressor (level %d)", level);
        size_t cap = libdeflate_gzip_compress_bound(c->deflate, n);
        if (wbuf_reserve(out, cap)) return werr_msg(err, WEIR_NOMEM, "out of memory");
        size_t got = libdeflate_gzip_compress(c->deflate, src, n, out->data + out->len, cap);
        if (got == 0) return werr_msg(err, WEIR_IO, "gzip compression failed");
        out->len += got;
        return WEIR_OK;
    }
    default:
        return werr_msg(err, WEIR_UNSUPPORTED, "unsupported: compression codec %s", wpq_codec_name(codec));
    }
}

int wpq_decompress(int codec, const void *src, size_t n, size_t expect, WBuf *out, WErr *err) {
    if (wbuf_reserve(out, expect)) return werr_msg(err, WEIR_NOMEM, "out of memory (page of %zu bytes)", expect);
    char *dst = out->data + out->len;
    if (n == 0 && expect == 0 && codec >= 0 && codec <= PQ_CODEC_LZ4_RAW) return WEIR_OK; /* an empty page body */
    switch (codec) {
    case PQ_CODEC_NONE:
        if (n != expect) return werr_msg(err, WEIR_CORRUPT, "corrupt page: sizes disagree (%zu vs %zu)", n, expect);
        memcpy(dst, src, n);
        break;
    case PQ_CODEC_SNAPPY: {
        size_t len;
        if (snappy_uncompressed_length(src, n, &len) != SNAPPY_OK || len != expect)
            return werr_msg(err, WEIR_CORRUPT, "corrupt page: bad snappy data");
        if (snappy_uncompress(src, n, dst, &len) != SNAPPY_OK || len != expect)
            return werr_msg(err, WEIR_CORRUPT, "corrupt page: bad snappy data");
        break;
    }
    case PQ_CODEC_ZSTD: {
        size_t got = ZSTD_decompress(dst, expect, src, n);
        if (ZSTD_isError(got) || got != expect) return werr_msg(err, WEIR_CORRUPT, "corrupt page: bad zstd data");
        break;
    }
    case PQ_CODEC_GZIP: {
        z_stream z;
        memset(&z, 0, sizeof z);
        if (inflateInit2(&z, 15 + 32) != Z_OK) return werr_msg(err, WEIR_NOMEM, "gzip: inflateInit failed");
        z.next_in = (Bytef *)(uintptr_t)src;
        z.avail_in = (uInt)n;
        z.next_out = (Bytef *)dst;
        z.avail_out = (uInt)expect;
        int rc;
        /* concatenated gzip members are legal */
        for (;;) {
            rc = inflate(&z, Z_FINISH);
            if (rc == Z_STREAM_END && z.avail_in > 0 && z.avail_out > 0) {
                if (inflateReset(&z) != Z_OK) break;
                continue;
            }
            break;
        }
        size_t got = expect - z.avail_out;
        inflateEnd(&z);
        if ((rc != Z_STREAM_END && !(rc == Z_BUF_ERROR && got == expect)) || got != expect)
            return werr_msg(err, WEIR_CORRUPT, "corrupt page: bad gzip data");
        break;
    }
    default:
        return werr_msg(err, WEIR_UNSUPPORTED, "unsupported: compression codec %s", wpq_codec_name(codec));
    }
    out->len += expect;
    return WEIR_OK;
}
