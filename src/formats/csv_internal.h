/*
 * csv_internal.h - what the CSV reader (csv_read.c) and writer (csv_write.c) share: the dialect read
 * from Spark's options (separator, quote, escape, line separator, null and empty tokens, time formats).
 * Not part of the public API; see csv.h.
 */
#ifndef WEIR_FORMATS_CSV_INTERNAL_H
#define WEIR_FORMATS_CSV_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "core/opts.h"
#include "core/time.h"

#define WCSV_SEP_MAX 16

typedef struct WCsvDialect {
    char sep[WCSV_SEP_MAX]; /* separator bytes (Spark 3 allows several characters) */
    int sep_len;
    int quote;              /* quote byte, or -1 for none */
    int escape;             /* escape byte inside quoted fields, or -1 for none */
    int comment;            /* lines starting with this byte are skipped, or -1 */
    int line_sep;           /* -1: LF, CRLF and CR all end rows (writer: LF); else the one byte */
    int header;
    char *null_value;       /* heap, NUL-terminated */
    size_t null_len;
    char *empty_value;      /* heap; NULL when option emptyValue is absent */
    size_t empty_len;
    int ignore_lead, ignore_trail;
    WTz *tz;
    WTimeFmt *ts_fmt;       /* NULL: ISO 8601 */
    WTimeFmt *date_fmt;     /* NULL: yyyy-MM-dd */
    char *nan_value, *pos_inf, *neg_inf; /* extra DOUBLE spellings (options nanValue, positiveInf,
                                          * negativeInf); heap, NULL when absent */
    uint64_t bcast[3];      /* the separator's first byte and the row-end bytes, each in all 8 bytes */
} WCsvDialect;

/* Reads the options into d (which owns what it allocates); for_write selects writer defaults. */
int wcsv_dialect_init(WCsvDialect *d, WOpts *opts, int for_write, WErr *err);
void wcsv_dialect_fini(WCsvDialect *d);

/* Turns the reader's typed fast paths off (on = 0) or back on where the dialect allows them; for the
 * differential tests, which compare both paths. */
struct WCsvReader;
void wcsv_reader_fast_paths(struct WCsvReader *r, int on);

#endif
