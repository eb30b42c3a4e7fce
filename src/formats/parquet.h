/*
 * parquet.h - weir's own Apache Parquet writer and reader (src/formats/parquet/).
 *
 * Writer: every column is OPTIONAL; STRUCT columns become groups; leaves map to
 *   BOOLEAN -> BOOLEAN, INT -> INT32 INTEGER(32,signed), BIGINT -> INT64 INTEGER(64,signed),
 *   DOUBLE -> DOUBLE, STRING -> BYTE_ARRAY STRING, DATE -> INT32 DATE,
 *   TIMESTAMP -> INT64 TIMESTAMP(MICROS, isAdjustedToUTC=true).
 * Options (case-insensitive, as in Spark):
 *   compression   snappy (default) | zstd | gzip | uncompressed (also "none")
 *   rowGroupSize  rows ("100000") or bytes with a unit ("128MB", "64KB", "1000000B"); default 128MB
 *   pageSize      bytes of values per data page before it is cut (default 1MB; units allowed)
 *   dictionary    true (default) | false: RLE_DICTIONARY with fallback to PLAIN past dictionaryPageSize
 *   dictionaryPageSize  bytes (default 1MB)
 *   pageVersion   1 (default) | 2
 *   pageIndex     true (default) | false: write ColumnIndex and OffsetIndex
 * The file is written to a hidden temporary name beside `path` and renamed into place by
 * wpq_writer_close, so a reader never sees a half-written file.
 *
 * Reader: reads flat and nested STRUCT schemas of the types above plus what common writers produce
 * (see pq_reader.c); anything else fails with WEIR_UNSUPPORTED and a message starting "unsupported: ".
 */
#ifndef WEIR_FORMATS_PARQUET_H
#define WEIR_FORMATS_PARQUET_H

#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/err.h"
#include "core/opts.h"
#include "core/schema.h"
#include "core/vec.h"

typedef struct WPqWriter WPqWriter;
typedef struct WPqReader WPqReader;

/* Key-value metadata may be added with wpq_writer_set_kv before close. */
int wpq_writer_open(const char *path, const WType *schema, WOpts *opts, WPqWriter **out, WErr *err);
int wpq_writer_set_kv(WPqWriter *w, const char *key, const char *value, WErr *err);
int wpq_writer_write_batch(WPqWriter *w, const WBatch *b, WErr *err);
/* Durable (the default): close fsyncs the file before the rename and the folder after it. Not durable:
 * close still renames but syncs nothing (benchmarks against writers that do not sync, callers that
 * sync by other means). */
void wpq_writer_set_durable(WPqWriter *w, int durable);
/* Finishes the file and renames it into place; frees w whatever the outcome. */
int wpq_writer_close(WPqWriter *w, WErr *err);
/* Drops the temporary file and frees w. */
void wpq_writer_abort(WPqWriter *w);

int wpq_reader_open(const char *path, WPqReader **out, WErr *err);
/* The same over bytes in memory (borrowed until close); name is used in messages. */
int wpq_reader_open_mem(const void *data, size_t size, const char *name, WPqReader **out, WErr *err);
/* weir's schema for the file (a STRUCT type owned by the reader). */
const WType *wpq_reader_schema(const WPqReader *r);
int64_t wpq_reader_num_rows(const WPqReader *r);
/* Resets b (which must have been initialized with wpq_reader_schema) and fills it with up to max_rows
 * rows; *got is 0 at the end of the file. */
int wpq_reader_next(WPqReader *r, WBatch *b, int64_t max_rows, int64_t *got, WErr *err);
/* Appends a human-readable description of row groups, column chunks, pages, encodings, statistics. */
int wpq_reader_describe(WPqReader *r, WBuf *out, WErr *err);
void wpq_reader_close(WPqReader *r);

#endif
