/*
 * csv.h - CSV (RFC 4180) decoder and encoder with Spark's options.
 *
 * Options read (names as Spark spells them, case-insensitive): header (false), sep or delimiter (",";
 * several bytes allowed, as in Spark 3), quote ("), escape (\), comment (none), nullValue (""),
 * emptyValue, timestampFormat, dateFormat, timeZone (UTC), mode (PERMISSIVE), columnNameOfCorruptRecord
 * (_corrupt_record), lineSep (one byte; by default \n, \r\n and \r all end rows), enforceSchema (true),
 * ignoreLeadingWhiteSpace / ignoreTrailingWhiteSpace (false), nanValue / positiveInf / negativeInf
 * (extra DOUBLE spellings; NaN, Inf, Infinity, -Inf, -Infinity are always read); writer only: quoteAll.
 * Quoted fields may hold separators, quotes (doubled, or escaped) and newlines; CRLF and LF both end rows.
 * Spark's rules for empty lines, stray quotes, field counts and partial rows: see csv_read.c.
 *
 * Nulls: an empty unquoted field (or one equal to nullValue) is NULL; a quoted "" is the empty string for
 * STRING (emptyValue when set) and NULL for other types. The writer mirrors this, so NULL and "" survive.
 *
 * Decoder use: wcsv_reader_open once per schema; per file wcsv_begin, then wcsv_next until *out_done
 * (it appends to the batch; the caller resets it). A STRUCT column is an error at open time (CSV is flat).
 * With header=true the first row of each file is the header. enforceSchema=true (Spark's default):
 * columns are taken by position and the header's names are ignored. enforceSchema=false: header names
 * are matched to the schema case-insensitively, in any order, and a header whose names differ from the
 * schema's is an error naming both lists.
 */
#ifndef WEIR_FORMATS_CSV_H
#define WEIR_FORMATS_CSV_H

#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/opts.h"
#include "core/vec.h"
#include "formats/badrec.h"

typedef struct WCsvReader WCsvReader;

int wcsv_reader_open(const WType *schema, WOpts *opts, WCsvReader **out, WErr *err);
void wcsv_reader_close(WCsvReader *r);
void wcsv_reader_on_bad_record(WCsvReader *r, WBadRecordFn fn, void *user);
void wcsv_begin(WCsvReader *r, const char *path, const char *data, size_t len);
int wcsv_next(WCsvReader *r, WBatch *out, int64_t max_rows, int *out_done, WErr *err);
/* Streaming input instead of a whole file in memory: fill writes up to cap of the file's next bytes at
 * buf, sets *got (0 once the file is over) and returns WEIR_OK or an error, which wcsv_next returns.
 * The reader keeps one buffer of about 256 KB (longer rows make it grow); wcsv_next decodes what it holds
 * and asks for more, with the same results, offsets and line numbers as wcsv_begin on the whole file. */
typedef int (*WCsvFillFn)(void *user, char *buf, size_t cap, size_t *got, WErr *err);
void wcsv_begin_stream(WCsvReader *r, const char *path, WCsvFillFn fill, void *user);
int64_t wcsv_reader_bad_records(const WCsvReader *r);

/* Checks that data is well-formed CSV (balanced quotes, nothing after a closing quote but a separator
 * or a row end); WEIR_OK or WEIR_PARSE with line and byte offset. */
int wcsv_validate(const char *path, const char *data, size_t len, WOpts *opts, WErr *err);

/* Encoder: quotes a field only when it holds sep, quote, escape, CR, LF or lineSep, starts or ends with
 * a space or tab, is empty (so that "" and NULL stay distinct) or is a STRING equal to nullValue.
 * wcsv_write_header writes the header line when option header=true (nothing otherwise); wcsv_write_batch
 * writes rows only. */
typedef struct WCsvWriter WCsvWriter;
int wcsv_writer_open(const WType *schema, WOpts *opts, WCsvWriter **out, WErr *err);
void wcsv_writer_close(WCsvWriter *w);
int wcsv_write_header(WCsvWriter *w, WBuf *out, WErr *err);
int wcsv_write_batch(WCsvWriter *w, const WBatch *b, WBuf *out, WErr *err);

#endif
