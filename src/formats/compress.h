/*
 * compress.h - streaming compression of text output (CSV, JSON Lines) with gzip (zlib, a gzip wrapper as
 * `gzip` and DuckDB read it) or zstd, shared by the file sinks (stream/sink_file.c) and the batch file
 * writer (formats/batchfile.h, behind weir_batch_write). Parquet compresses its pages itself (pq_codec.c).
 *
 * A WCompressor takes bytes with wcomp_put and hands the compressed bytes to an emit callback in chunks of
 * at most 64 KiB; wcomp_put(..., finish = 1) ends the stream. WCOMP_NONE passes the bytes through.
 */
#ifndef WEIR_FORMATS_COMPRESS_H
#define WEIR_FORMATS_COMPRESS_H

#include <stddef.h>

#include "core/buf.h"
#include "core/err.h"

typedef enum WCompKind { WCOMP_NONE = 0, WCOMP_GZIP, WCOMP_ZSTD } WCompKind;

/* Spark's option values: none / uncompressed (or NULL), gzip, zstd; anything else is WEIR_MISUSE. */
int wcomp_parse(const char *name, WCompKind *out, WErr *err);
/* The file name suffix: "", ".gz", ".zst". */
const char *wcomp_ext(WCompKind k);

typedef int (*WCompEmit)(void *user, const void *data, size_t len, WErr *err);

typedef struct WCompressor {
    WCompKind kind;
    void *state;   /* z_stream or ZSTD_CCtx */
    WBuf chunk;    /* output scratch */
} WCompressor;

int wcomp_open(WCompressor *c, WCompKind kind, WErr *err);
int wcomp_put(WCompressor *c, const void *data, size_t len, int finish, WCompEmit emit, void *user, WErr *err);
void wcomp_close(WCompressor *c);

#endif
