/*
 * badrec.h - what every decoder shares about malformed input: Spark's parse modes and the report of
 * one bad record (file, line, byte offset, reason, raw text) handed to a callback, so that bad input is
 * always counted and can be dead-lettered, never silently lost.
 */
#ifndef WEIR_FORMATS_BADREC_H
#define WEIR_FORMATS_BADREC_H

#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "core/opts.h"

typedef enum WParseMode {
    WMODE_PERMISSIVE = 0, /* bad record -> row of NULLs + raw text in the corrupt-record column (if any) */
    WMODE_DROPMALFORMED,  /* bad record -> skipped and counted */
    WMODE_FAILFAST        /* bad record -> error naming file, line and byte offset */
} WParseMode;

typedef struct WBadRecord {
    const char *path;   /* input file, or "" */
    int64_t line;       /* 1-based line where the record starts */
    int64_t offset;     /* byte offset where the record starts */
    const char *reason; /* what was wrong, e.g. "field clicks: 2.5 is not an INT" */
    const char *raw;    /* the record's raw text */
    size_t raw_len;
} WBadRecord;

typedef void (*WBadRecordFn)(void *user, const WBadRecord *rec);

/* Reads option `mode` (case-insensitive PERMISSIVE, DROPMALFORMED, FAILFAST; default PERMISSIVE). */
int wparse_mode_from_opts(WOpts *opts, WParseMode *out, WErr *err);

#endif
