/*
 * json.h - JSON: the schema-directed decoder (text straight into columns, one pass), the RFC 8259
 * validator, and the JSON Lines encoder.
 *
 * Decoder input, detected per file: JSON Lines (one object per line), one top-level array of objects
 * (the seed generator's files), or, with option multiLine=true, objects spread over several lines
 * (one or more, or an array of them). Spark's rules: missing fields are NULL, unknown fields ignored, a
 * nested object fills a STRUCT, numbers go into DOUBLE or integer columns (2.5 or 3e10 into INT is a bad
 * record), TIMESTAMP and DATE come from strings (timestampFormat / dateFormat patterns, or ISO 8601).
 * Bad records follow option `mode` (see badrec.h) and are always reported to the bad-record callback.
 *
 * Options read: mode, columnNameOfCorruptRecord (default _corrupt_record; used when the schema has a
 * STRING column of that name), multiLine, timestampFormat, dateFormat, timeZone (session zone for
 * zone-less text; default UTC). Parsing is always strict RFC 8259 (no comments, no NaN).
 *
 * Use: wjson_reader_open once per schema; per file wjson_begin, then wjson_next until *out_done.
 */
#ifndef WEIR_FORMATS_JSON_H
#define WEIR_FORMATS_JSON_H

#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/opts.h"
#include "core/vec.h"
#include "formats/badrec.h"

typedef struct WJsonReader WJsonReader;

int wjson_reader_open(const WType *schema, WOpts *opts, WJsonReader **out, WErr *err);
void wjson_reader_close(WJsonReader *r);
void wjson_reader_on_bad_record(WJsonReader *r, WBadRecordFn fn, void *user);
/* Starts decoding one file held in memory (data must stay valid until the file is done). */
void wjson_begin(WJsonReader *r, const char *path, const char *data, size_t len);
/* Appends up to max_rows rows to out (whose schema is the reader's). *out_done = 1 at the end of the
 * file. Returns WEIR_OK, or an error (FAILFAST bad record, malformed file structure) with path, line and
 * byte offset in err. */
int wjson_next(WJsonReader *r, WBatch *out, int64_t max_rows, int *out_done, WErr *err);
/* For tests: on = 0 turns the decoder's shortcuts off (remembered key bytes and key order, the short
 * integer and decimal paths, the date cache), leaving the general path they must agree with. On by default. */
void wjson_reader_set_fast_paths(WJsonReader *r, int on);
/* Bad records seen since the reader was opened. */
int64_t wjson_reader_bad_records(const WJsonReader *r);

/* Checks that data is one RFC 8259 JSON text (any value, scalars included), or JSON Lines (one text per
 * non-empty line); WEIR_OK or WEIR_PARSE with line and byte offset of the first error. */
int wjson_validate(const char *path, const char *data, size_t len, WErr *err);

/* JSON Lines encoder: one object per row, NULL fields omitted (as Spark writes them), timestamps as
 * ISO 8601 strings (option timestampFormat / timeZone), doubles shortest round-trip. */
typedef struct WJsonWriter WJsonWriter;
int wjson_writer_open(const WType *schema, WOpts *opts, WJsonWriter **out, WErr *err);
void wjson_writer_close(WJsonWriter *w);
int wjson_write_batch(WJsonWriter *w, const WBatch *b, WBuf *out, WErr *err);

#endif
