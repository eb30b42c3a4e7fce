/*
 * test_csv.c - unit tests of the CSV decoder, encoder and validator (src/formats/csv*.c): RFC 4180
 * quoting, Spark's options and null rules, bad records in the three modes, header checks, resuming,
 * and a round-trip property test over 100,000+ random rows of every flat type.
 * Expected values are hand-computed from the input text.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "csvcmp.h"
#include "core/num.h"
#include "core/time.h"
#include "formats/csv.h"
#include "formats/csv_internal.h"

/* ---- helpers (col_str, Feed, same_batch: csvcmp.h) ---- */

typedef struct Dec {
    WType schema;
    WBatch b;
    WErr err;
    int rc;
    int64_t bad;
    int n_cb;
    int64_t cb_line, cb_off;
    char cb_raw[256];
    char cb_reason[256];
} Dec;

static void on_bad(void *user, const WBadRecord *rec) {
    Dec *d = user;
    if (d->n_cb++ == 0) {
        d->cb_line = rec->line;
        d->cb_off = rec->offset;
        snprintf(d->cb_raw, sizeof d->cb_raw, "%.*s", (int)rec->raw_len, rec->raw);
        snprintf(d->cb_reason, sizeof d->cb_reason, "%s", rec->reason);
    }
}

/* opts: "name=value" pairs separated by '|' (none when NULL). */
static void set_opts(WOpts *o, const char *opts) {
    wopts_init(o);
    if (!opts) return;
    char tmp[512];
    snprintf(tmp, sizeof tmp, "%s", opts);
    for (char *save = NULL, *t = strtok_r(tmp, "|", &save); t; t = strtok_r(NULL, "|", &save)) {
        WErr e;
        werr_init(&e);
        wopts_set_pair(o, t, &e);
    }
}

/* Decodes text in one call to wcsv_next (or in steps of `step` rows when step > 0); with feed_step > 0
 * the text comes through wcsv_begin_stream, feed_step bytes at a time. */
static int decode_with(Dec *d, const char *ddl, const char *opts, const char *text, size_t len, int64_t step,
                       size_t feed_step) {
    memset(d, 0, sizeof *d);
    werr_init(&d->err);
    if (wschema_parse(ddl, strlen(ddl), &d->schema, &d->err)) return d->rc = -1;
    wbatch_init(&d->b, &d->schema);
    WOpts o;
    set_opts(&o, opts);
    WCsvReader *r;
    d->rc = wcsv_reader_open(&d->schema, &o, &r, &d->err);
    wopts_fini(&o);
    if (d->rc) return d->rc;
    wcsv_reader_on_bad_record(r, on_bad, d);
    Feed feed = {text ? text : "", text ? len : 0, 0, feed_step};
    if (feed_step) wcsv_begin_stream(r, "t.csv", feed_fill, &feed);
    else wcsv_begin(r, "t.csv", text, len);
    int done = 0;
    while (!done && !d->rc) d->rc = wcsv_next(r, &d->b, step > 0 ? step : INT64_MAX, &done, &d->err);
    d->bad = wcsv_reader_bad_records(r);
    wcsv_reader_close(r);
    return d->rc;
}

/* Every decode of this file is also checked against streaming input fed 1, 2, 5 and 64 bytes at a time
 * (differential: rows, values, errors and the first bad record's line, offset, text and reason). */
static int decode(Dec *d, const char *ddl, const char *opts, const char *text, size_t len, int64_t step) {
    int rc = decode_with(d, ddl, opts, text, len, step, 0);
    static const size_t feeds[] = {1, 2, 5, 64};
    for (size_t k = 0; k < sizeof feeds / sizeof feeds[0] && rc != -1; k++) {
        Dec s;
        int rs = decode_with(&s, ddl, opts, text, len, step, feeds[k]);
        int same = rs == rc && s.bad == d->bad && s.n_cb == d->n_cb && same_batch(&s.b, &d->b) &&
                   !strcmp(s.err.msg, d->err.msg) && s.err.offset == d->err.offset && s.err.line == d->err.line &&
                   (d->n_cb == 0 || (s.cb_line == d->cb_line && s.cb_off == d->cb_off &&
                                     !strcmp(s.cb_raw, d->cb_raw) && !strcmp(s.cb_reason, d->cb_reason)));
        if (!same) fprintf(stderr, "streamed decode (%zu bytes at a time) differs for: %.*s\n", feeds[k], (int)len, text);
        CHECK(same);
        wbatch_fini(&s.b);
        wtype_fini(&s.schema);
    }
    return rc;
}
#define DECODE(d, ddl, opts, text) decode(d, ddl, opts, text, strlen(text), 0)

static void dec_free(Dec *d) {
    wbatch_fini(&d->b);
    wtype_fini(&d->schema);
}

static int is_null(Dec *d, int col, int64_t row) { return wvec_is_null(wbatch_col(&d->b, col), row); }
static int str_is(Dec *d, int col, int64_t row, const char *s) {
    WVec *v = wbatch_col(&d->b, col);
    if (wvec_is_null(v, row)) return 0;
    size_t n;
    const char *p = col_str(v, row, &n);
    return n == strlen(s) && (n == 0 || !memcmp(p, s, n));
}
static int64_t ival(Dec *d, int col, int64_t row) {
    WVec *v = wbatch_col(&d->b, col);
    return v->type->id == WT_INT || v->type->id == WT_DATE ? wvec_i32(v, row) : wvec_i64(v, row);
}

static int encode(const char *ddl, const char *opts, WBatch *b, WBuf *out, int header) {
    (void)ddl;
    WOpts o;
    set_opts(&o, opts);
    WCsvWriter *w;
    WErr e;
    werr_init(&e);
    int rc = wcsv_writer_open(b->schema, &o, &w, &e);
    wopts_fini(&o);
    if (rc) return rc;
    if (header) rc = wcsv_write_header(w, out, &e);
    if (!rc) rc = wcsv_write_batch(w, b, out, &e);
    wcsv_writer_close(w);
    return rc;
}

/* ---- decoder ---- */

static void test_basic_types(void) {
    Dec d;
    const char *t = "true,1,10000000000,2.5,hello,2026-11-24,2026-11-24T06:00:00.000663Z\n"
                    "FALSE,-7,-9223372036854775808,-Infinity,,1970-01-01,2026-11-24 07:00:00+01:00\n"
                    "TRUE,2147483647,9223372036854775807,NaN,x y,2000-02-29,1970-01-01T00:00:00\n";
    CHECK_EQ_INT(DECODE(&d, "b BOOLEAN, i INT, l BIGINT, x DOUBLE, s STRING, dt DATE, ts TIMESTAMP", NULL, t), 0);
    CHECK_EQ_INT(wbatch_rows(&d.b), 3);
    CHECK(wvec_bool(wbatch_col(&d.b, 0), 0) == 1 && wvec_bool(wbatch_col(&d.b, 0), 1) == 0);
    CHECK(wvec_bool(wbatch_col(&d.b, 0), 2) == 1);
    CHECK_EQ_INT(ival(&d, 1, 0), 1);
    CHECK_EQ_INT(ival(&d, 1, 1), -7);
    CHECK_EQ_INT(ival(&d, 1, 2), 2147483647);
    CHECK_EQ_INT(ival(&d, 2, 0), 10000000000LL);
    CHECK(ival(&d, 2, 1) == INT64_MIN);
    CHECK(ival(&d, 2, 2) == INT64_MAX);
    CHECK(wvec_f64(wbatch_col(&d.b, 3), 0) == 2.5);
    CHECK(isinf(wvec_f64(wbatch_col(&d.b, 3), 1)) && wvec_f64(wbatch_col(&d.b, 3), 1) < 0);
    CHECK(isnan(wvec_f64(wbatch_col(&d.b, 3), 2)));
    CHECK(str_is(&d, 4, 0, "hello"));
    CHECK(is_null(&d, 4, 1));
    CHECK(str_is(&d, 4, 2, "x y"));
    CHECK_EQ_INT(ival(&d, 5, 0), 20781); /* 2026-11-24 */
    CHECK_EQ_INT(ival(&d, 5, 1), 0);
    CHECK_EQ_INT(ival(&d, 5, 2), 11016); /* 2000-02-29 */
    CHECK_EQ_INT(ival(&d, 6, 0), 1795500000000663LL);
    CHECK_EQ_INT(ival(&d, 6, 1), 1795500000000000LL);
    CHECK_EQ_INT(ival(&d, 6, 2), 0);
    CHECK_EQ_INT(d.bad, 0);
    dec_free(&d);

    /* Inf spelling, + sign, booleans any case */
    CHECK_EQ_INT(DECODE(&d, "x DOUBLE, i INT, b BOOLEAN", NULL, "Inf,+5,tRuE\n-inf,-0,fAlSe"), 0);
    CHECK(isinf(wvec_f64(wbatch_col(&d.b, 0), 0)) && wvec_f64(wbatch_col(&d.b, 0), 0) > 0);
    CHECK(isinf(wvec_f64(wbatch_col(&d.b, 0), 1)) && wvec_f64(wbatch_col(&d.b, 0), 1) < 0);
    CHECK_EQ_INT(ival(&d, 1, 0), 5);
    CHECK_EQ_INT(ival(&d, 1, 1), 0);
    CHECK(wvec_bool(wbatch_col(&d.b, 2), 0) == 1 && wvec_bool(wbatch_col(&d.b, 2), 1) == 0);
    CHECK_EQ_INT(d.bad, 0);
    dec_free(&d);

    /* nanValue / positiveInf / negativeInf */
    CHECK_EQ_INT(DECODE(&d, "x DOUBLE", "nanValue=nan?|positiveInf=+oo|negativeInf=-oo", "nan?\n+oo\n-oo\noo\n"), 0);
    CHECK(isnan(wvec_f64(wbatch_col(&d.b, 0), 0)));
    CHECK(isinf(wvec_f64(wbatch_col(&d.b, 0), 1)) && wvec_f64(wbatch_col(&d.b, 0), 1) > 0);
    CHECK(isinf(wvec_f64(wbatch_col(&d.b, 0), 2)) && wvec_f64(wbatch_col(&d.b, 0), 2) < 0);
    CHECK(is_null(&d, 0, 3));
    CHECK_EQ_INT(d.bad, 1);
    dec_free(&d);
}

static void test_quoting(void) {
    Dec d;
    const char *t = "\"a,b\",\"say \"\"hi\"\"\",\"esc \\\" q\"\n"
                    "\"line1\nline2\",\"cr\r\ncrlf\",\"back\\\\slash\"\r\n"
                    "plain,\"\",a\"b\n"
                    "\"a\"b,cc\"c,\"x\\y\"\n";
    CHECK_EQ_INT(DECODE(&d, "a STRING, b STRING, c STRING", NULL, t), 0);
    CHECK_EQ_INT(wbatch_rows(&d.b), 4);
    CHECK(str_is(&d, 0, 0, "a,b"));
    CHECK(str_is(&d, 1, 0, "say \"hi\""));
    CHECK(str_is(&d, 2, 0, "esc \" q"));
    CHECK(str_is(&d, 0, 1, "line1\nline2"));
    CHECK(str_is(&d, 1, 1, "cr\r\ncrlf"));
    CHECK(str_is(&d, 2, 1, "back\\slash"));
    CHECK(str_is(&d, 0, 2, "plain"));
    CHECK(str_is(&d, 1, 2, ""));      /* quoted empty: empty string, not NULL */
    CHECK(str_is(&d, 2, 2, "a\"b"));  /* quote inside an unquoted field: literal (Spark) */
    CHECK(str_is(&d, 0, 3, "\"a\"b")); /* text after a closing quote: raw up to the separator */
    CHECK(str_is(&d, 1, 3, "cc\"c"));
    CHECK(str_is(&d, 2, 3, "x\\y"));   /* escape before an ordinary byte stays */
    CHECK_EQ_INT(d.bad, 0);
    dec_free(&d);

    /* escape disabled: backslashes are ordinary, only doubled quotes escape */
    CHECK_EQ_INT(DECODE(&d, "a STRING, b STRING", "escape=", "\"a\\\",b\n"), 0);
    CHECK(str_is(&d, 0, 0, "a\\"));
    CHECK(str_is(&d, 1, 0, "b"));
    dec_free(&d);

    /* other quote and separator (Spark's cars-alternative style), multi-byte separator, tab */
    CHECK_EQ_INT(DECODE(&d, "a STRING, b INT", "quote='|sep=;", "'x;y';'5'\n"), 0);
    CHECK(str_is(&d, 0, 0, "x;y"));
    CHECK_EQ_INT(ival(&d, 1, 0), 5);
    dec_free(&d);
    CHECK_EQ_INT(DECODE(&d, "a STRING, b STRING, c INT", "sep=::", "a:b::\"c::d\"::3\nx::y::4\n"), 0);
    CHECK_EQ_INT(wbatch_rows(&d.b), 2);
    CHECK(str_is(&d, 0, 0, "a:b"));
    CHECK(str_is(&d, 1, 0, "c::d"));
    CHECK_EQ_INT(ival(&d, 2, 0), 3);
    CHECK(str_is(&d, 0, 1, "x") && str_is(&d, 1, 1, "y"));
    CHECK_EQ_INT(ival(&d, 2, 1), 4);
    dec_free(&d);
    CHECK_EQ_INT(DECODE(&d, "a STRING, b STRING", "sep=\\t", "a b\tc,d\n"), 0);
    CHECK(str_is(&d, 0, 0, "a b") && str_is(&d, 1, 0, "c,d"));
    dec_free(&d);
}

static void test_line_ends(void) {
    Dec d;
    /* LF, CRLF, lone CR, blank lines (skipped, as Spark does), no final newline */
    CHECK_EQ_INT(DECODE(&d, "a INT, b STRING", NULL, "1,a\n\n2,b\r\n\r\n3,c\r4,d"), 0);
    CHECK_EQ_INT(wbatch_rows(&d.b), 4);
    for (int i = 0; i < 4; i++) CHECK_EQ_INT(ival(&d, 0, i), i + 1);
    CHECK(str_is(&d, 1, 1, "b") && str_is(&d, 1, 3, "d"));
    dec_free(&d);
    /* lineSep=; : newlines become data */
    CHECK_EQ_INT(DECODE(&d, "a INT, b STRING", "lineSep=;", "1,a\nb;2,c\r\n;"), 0);
    CHECK_EQ_INT(wbatch_rows(&d.b), 2);
    CHECK(str_is(&d, 1, 0, "a\nb") && str_is(&d, 1, 1, "c\r\n"));
    dec_free(&d);
    /* comment lines */
    CHECK_EQ_INT(DECODE(&d, "a INT", "comment=~", "~ note, with, commas\n1\n~x\n2\n"), 0);
    CHECK_EQ_INT(wbatch_rows(&d.b), 2);
    CHECK_EQ_INT(ival(&d, 0, 1), 2);
    dec_free(&d);
    /* BOM */
    CHECK_EQ_INT(DECODE(&d, "a INT", NULL, "\xEF\xBB\xBF" "7\n"), 0);
    CHECK_EQ_INT(ival(&d, 0, 0), 7);
    dec_free(&d);
    /* whitespace trimming options */
    CHECK_EQ_INT(DECODE(&d, "a STRING, b INT, c STRING",
                        "ignoreLeadingWhiteSpace=true|ignoreTrailingWhiteSpace=true", "  x  ,  5 , \" q \" \n"), 0);
    CHECK(str_is(&d, 0, 0, "x"));
    CHECK_EQ_INT(ival(&d, 1, 0), 5);
    CHECK(str_is(&d, 2, 0, " q "));
    CHECK_EQ_INT(d.bad, 0);
    dec_free(&d);
    /* without trimming, spaces are data and " 5" is not an INT */
    CHECK_EQ_INT(DECODE(&d, "a STRING, b INT", NULL, " x , 5\n"), 0);
    CHECK(str_is(&d, 0, 0, " x "));
    CHECK(is_null(&d, 1, 0));
    CHECK_EQ_INT(d.bad, 1);
    dec_free(&d);
}

static void test_nulls(void) {
    Dec d;
    CHECK_EQ_INT(DECODE(&d, "a INT, s STRING, t STRING, x DOUBLE", NULL, ",,\"\",\"\"\n"), 0);
    CHECK(is_null(&d, 0, 0) && is_null(&d, 1, 0) && !is_null(&d, 2, 0) && is_null(&d, 3, 0));
    CHECK(str_is(&d, 2, 0, ""));
    CHECK_EQ_INT(d.bad, 0);
    dec_free(&d);
    /* nullValue: matches unquoted fields; a quoted "null" STRING stays a string; empty unquoted is NULL */
    CHECK_EQ_INT(DECODE(&d, "a INT, s STRING, t STRING, u STRING", "nullValue=null", "null,null,\"null\",\n"), 0);
    CHECK(is_null(&d, 0, 0) && is_null(&d, 1, 0) && str_is(&d, 2, 0, "null") && is_null(&d, 3, 0));
    dec_free(&d);
    /* emptyValue replaces a quoted empty string */
    CHECK_EQ_INT(DECODE(&d, "s STRING, t STRING", "emptyValue=EMPTY", "\"\",x\n"), 0);
    CHECK(str_is(&d, 0, 0, "EMPTY") && str_is(&d, 1, 0, "x"));
    dec_free(&d);
}

static void test_utf8(void) {
    Dec d;
    /* invalid UTF-8 becomes U+FFFD, one per maximal ill-formed subpart; valid text is kept */
    const char *t = "a\xFF" "b,\xE2\x82x,\xED\xA0\x80,\xF0\x9F\x98,\xC0\xAF,\xC3\xA9\xE6\x97\xA5\xF0\x9F\x98\x80\n"
                    "bad\xFE,1,,,,,x\n";
    CHECK_EQ_INT(DECODE(&d, "a STRING, b STRING, c STRING, e STRING, f STRING, g STRING, h INT, _corrupt_record STRING",
                        NULL, t), 0);
    CHECK_EQ_INT(wbatch_rows(&d.b), 2);
    CHECK(str_is(&d, 0, 0, "a\xEF\xBF\xBD" "b"));
    CHECK(str_is(&d, 1, 0, "\xEF\xBF\xBDx"));
    CHECK(str_is(&d, 2, 0, "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD"));
    CHECK(str_is(&d, 3, 0, "\xEF\xBF\xBD"));
    CHECK(str_is(&d, 4, 0, "\xEF\xBF\xBD\xEF\xBF\xBD"));
    CHECK(str_is(&d, 5, 0, "\xC3\xA9\xE6\x97\xA5\xF0\x9F\x98\x80"));
    CHECK(str_is(&d, 0, 1, "bad\xEF\xBF\xBD"));
    CHECK(str_is(&d, 7, 1, "bad\xEF\xBF\xBD,1,,,,,x")); /* x is not an INT: raw text kept, repaired */
    dec_free(&d);
}

static void test_bad_records(void) {
    Dec d;
    const char *t = "1,2,a\n2.5,3,b\n4,99999999999,c\n5,6,d\n";
    /* PERMISSIVE: bad values NULL, good values kept, raw text in _corrupt_record */
    CHECK_EQ_INT(DECODE(&d, "a INT, b INT, c STRING, _corrupt_record STRING", NULL, t), 0);
    CHECK_EQ_INT(wbatch_rows(&d.b), 4);
    CHECK_EQ_INT(d.bad, 2);
    CHECK(is_null(&d, 3, 0));
    CHECK(is_null(&d, 0, 1) && ival(&d, 1, 1) == 3 && str_is(&d, 2, 1, "b"));
    CHECK(str_is(&d, 3, 1, "2.5,3,b"));
    CHECK(ival(&d, 0, 2) == 4 && is_null(&d, 1, 2) && str_is(&d, 3, 2, "4,99999999999,c"));
    CHECK(is_null(&d, 3, 3));
    CHECK_EQ_INT(d.n_cb, 2);
    CHECK_EQ_INT(d.cb_line, 2);
    CHECK_EQ_INT(d.cb_off, 6);
    CHECK_EQ_STR(d.cb_raw, "2.5,3,b");
    CHECK(strstr(d.cb_reason, "field a") && strstr(d.cb_reason, "2.5"));
    dec_free(&d);
    /* DROPMALFORMED: skipped and counted */
    CHECK_EQ_INT(DECODE(&d, "a INT, b INT, c STRING", "mode=DROPMALFORMED", t), 0);
    CHECK_EQ_INT(wbatch_rows(&d.b), 2);
    CHECK_EQ_INT(ival(&d, 0, 0), 1);
    CHECK_EQ_INT(ival(&d, 0, 1), 5);
    CHECK(str_is(&d, 2, 1, "d"));
    CHECK_EQ_INT(d.bad, 2);
    CHECK_EQ_INT(d.n_cb, 2);
    dec_free(&d);
    /* FAILFAST: error with file, line, offset; the rows before stay */
    CHECK_EQ_INT(DECODE(&d, "a INT, b INT, c STRING", "mode=failfast", t), WEIR_PARSE);
    CHECK_EQ_INT(d.err.line, 2);
    CHECK_EQ_INT(d.err.offset, 6);
    CHECK_EQ_STR(d.err.path, "t.csv");
    CHECK(strstr(d.err.msg, "2.5") != NULL);
    CHECK_EQ_INT(wbatch_rows(&d.b), 1);
    CHECK_EQ_INT(d.n_cb, 1);
    dec_free(&d);

    /* field counts: too few -> padded with NULL, too many -> extras dropped; both malformed (Spark 3) */
    CHECK_EQ_INT(DECODE(&d, "a INT, b STRING, c INT, _corrupt_record STRING", NULL, "1,x\n2,y,3,extra\n4,z,5\n"), 0);
    CHECK_EQ_INT(wbatch_rows(&d.b), 3);
    CHECK(ival(&d, 0, 0) == 1 && str_is(&d, 1, 0, "x") && is_null(&d, 2, 0) && str_is(&d, 3, 0, "1,x"));
    CHECK(ival(&d, 0, 1) == 2 && ival(&d, 2, 1) == 3 && str_is(&d, 3, 1, "2,y,3,extra"));
    CHECK(is_null(&d, 3, 2));
    CHECK_EQ_INT(d.bad, 2);
    CHECK(strstr(d.cb_reason, "2 fields") != NULL);
    dec_free(&d);
    CHECK_EQ_INT(DECODE(&d, "a INT, b STRING, c INT", "mode=DROPMALFORMED", "1,x\n2,y,3,extra\n4,z,5\n"), 0);
    CHECK_EQ_INT(wbatch_rows(&d.b), 1);
    CHECK_EQ_INT(ival(&d, 2, 0), 5);
    dec_free(&d);

    /* unterminated quote: bad record from the row start to the end of the data */
    CHECK_EQ_INT(DECODE(&d, "a INT, b STRING, _corrupt_record STRING", NULL, "1,ok\n2,\"never\nclosed\n"), 0);
    CHECK_EQ_INT(wbatch_rows(&d.b), 2);
    CHECK(ival(&d, 0, 1) == 2 && is_null(&d, 1, 1) && str_is(&d, 2, 1, "2,\"never\nclosed\n"));
    CHECK_EQ_INT(d.bad, 1);
    CHECK(strstr(d.cb_reason, "unterminated") != NULL);
    dec_free(&d);
    CHECK_EQ_INT(DECODE(&d, "a STRING, b STRING", "mode=FAILFAST", "1,ok\n\"x\ny\",z\n3,\"open"), WEIR_PARSE);
    CHECK_EQ_INT(d.err.line, 4);
    CHECK_EQ_INT(d.err.offset, 13);
    CHECK_EQ_INT(wbatch_rows(&d.b), 2);
    dec_free(&d);

    /* every type's bad value */
    CHECK_EQ_INT(DECODE(&d, "b BOOLEAN, l BIGINT, x DOUBLE, dt DATE, ts TIMESTAMP", "mode=DROPMALFORMED",
                        "yes,1,1,2020-01-01,2020-01-01\n"
                        "true,9223372036854775808,1,2020-01-01,2020-01-01\n"
                        "true,1,1e,2020-01-01,2020-01-01\n"
                        "true,1,1,2020-13-01,2020-01-01\n"
                        "true,1,1,2020-01-01,2020-01-01T25:00\n"
                        "true,1,1,2020-01-01,2020-01-01\n"), 0);
    CHECK_EQ_INT(wbatch_rows(&d.b), 1);
    CHECK_EQ_INT(d.bad, 5);
    dec_free(&d);

    /* bad mode string, STRUCT column, corrupt column of the wrong type: errors at open time */
    CHECK(DECODE(&d, "a INT", "mode=LENIENT", "1\n") == WEIR_MISUSE);
    dec_free(&d);
    CHECK(DECODE(&d, "a INT, s STRUCT<x: INT>", NULL, "1\n") == WEIR_UNSUPPORTED);
    CHECK(strstr(d.err.msg, "s") != NULL);
    dec_free(&d);
    CHECK(DECODE(&d, "a INT, _corrupt_record INT", NULL, "1\n") == WEIR_MISUSE);
    dec_free(&d);
    CHECK(DECODE(&d, "a INT", "sep=", "1\n") == WEIR_MISUSE);
    dec_free(&d);
    CHECK(DECODE(&d, "a INT", "quote=,", "1\n") == WEIR_MISUSE);
    dec_free(&d);
}

static void test_header(void) {
    Dec d;
    /* enforceSchema=true (default): positional, header names ignored */
    CHECK_EQ_INT(DECODE(&d, "a INT, b STRING", "header=true", "x,y\n1,one\n"), 0);
    CHECK_EQ_INT(wbatch_rows(&d.b), 1);
    CHECK(ival(&d, 0, 0) == 1 && str_is(&d, 1, 0, "one"));
    dec_free(&d);
    /* enforceSchema=false: by name, case-insensitive, any order */
    CHECK_EQ_INT(DECODE(&d, "a INT, b STRING, _corrupt_record STRING", "header=true|enforceSchema=false",
                        "\n\"B\",A\none,1\ntwo,2\n"), 0);
    CHECK_EQ_INT(wbatch_rows(&d.b), 2);
    CHECK(ival(&d, 0, 0) == 1 && str_is(&d, 1, 0, "one") && ival(&d, 0, 1) == 2 && str_is(&d, 1, 1, "two"));
    CHECK(is_null(&d, 2, 0));
    dec_free(&d);
    /* mismatch: error naming both */
    CHECK_EQ_INT(DECODE(&d, "a INT, b STRING", "header=true|enforceSchema=false", "a,c\n1,x\n"), WEIR_PARSE);
    CHECK(strstr(d.err.msg, "[a, c]") && strstr(d.err.msg, "[a, b]"));
    CHECK_EQ_INT(d.err.line, 1);
    dec_free(&d);
    CHECK_EQ_INT(DECODE(&d, "a INT, b STRING", "header=true|enforceSchema=false", "a,b,c\n1,x,2\n"), WEIR_PARSE);
    dec_free(&d);
    CHECK_EQ_INT(DECODE(&d, "a INT, b STRING", "header=true|enforceSchema=false", "a,a\n1,x\n"), WEIR_PARSE);
    dec_free(&d);
    /* header only, or empty file: no rows */
    CHECK_EQ_INT(DECODE(&d, "a INT", "header=true", "a\n"), 0);
    CHECK_EQ_INT(wbatch_rows(&d.b), 0);
    dec_free(&d);
    CHECK_EQ_INT(DECODE(&d, "a INT", "header=true", ""), 0);
    CHECK_EQ_INT(wbatch_rows(&d.b), 0);
    dec_free(&d);
}

static void test_resume(void) {
    Dec d, e;
    const char *t = "1,\"a\nb\"\n\n2,c\r\n3,\"d\"\"\"\n4,e";
    CHECK_EQ_INT(decode(&d, "a INT, s STRING", NULL, t, strlen(t), 1), 0);
    CHECK_EQ_INT(decode(&e, "a INT, s STRING", NULL, t, strlen(t), 0), 0);
    CHECK_EQ_INT(wbatch_rows(&d.b), 4);
    CHECK_EQ_INT(wbatch_rows(&e.b), 4);
    CHECK(str_is(&d, 1, 0, "a\nb") && str_is(&d, 1, 2, "d\"") && str_is(&d, 1, 3, "e"));
    for (int i = 0; i < 4; i++) CHECK_EQ_INT(ival(&d, 0, i), ival(&e, 0, i));
    dec_free(&d);
    dec_free(&e);
    /* line numbers count newlines inside quotes */
    CHECK_EQ_INT(DECODE(&d, "a INT, s STRING", "mode=FAILFAST", "1,\"a\nb\nc\"\n2,x\nbad,y\n"), WEIR_PARSE);
    CHECK_EQ_INT(d.err.line, 5);
    dec_free(&d);
}

static void test_time_options(void) {
    Dec d;
    CHECK_EQ_INT(DECODE(&d, "ts TIMESTAMP, d DATE", "timestampFormat=dd/MM/yyyy HH:mm|dateFormat=dd.MM.yyyy",
                        "24/11/2026 06:00,24.11.2026\n"), 0);
    CHECK_EQ_INT(ival(&d, 0, 0), 1795500000000000LL);
    CHECK_EQ_INT(ival(&d, 1, 0), 20781);
    CHECK_EQ_INT(d.bad, 0);
    dec_free(&d);
    /* zone-less text in timeZone; text with a zone keeps it */
    CHECK_EQ_INT(DECODE(&d, "ts TIMESTAMP", "timeZone=+02:00", "2026-11-24T08:00:00\n2026-11-24T06:00:00Z\n"), 0);
    CHECK_EQ_INT(ival(&d, 0, 0), 1795500000000000LL);
    CHECK_EQ_INT(ival(&d, 0, 1), 1795500000000000LL);
    dec_free(&d);
}

/* ---- encoder ---- */

static void test_encode(void) {
    WType st;
    WErr e;
    werr_init(&e);
    const char *ddl = "s STRING, i INT, x DOUBLE, b BOOLEAN, d DATE, ts TIMESTAMP, l BIGINT";
    CHECK_EQ_INT(wschema_parse(ddl, strlen(ddl), &st, &e), 0);
    WBatch b;
    wbatch_init(&b, &st);
    const char *strs[] = {"plain", "a,b", "q\"q", "", NULL, "l\nf", " lead", "back\\slash", "cr\r"};
    for (int r = 0; r < 9; r++) {
        wbatch_begin_row(&b);
        if (strs[r]) wvec_append_str(wbatch_col(&b, 0), strs[r], strlen(strs[r]));
        else wvec_append_null(wbatch_col(&b, 0));
        if (r == 1) {
            for (int c = 1; c < 7; c++) wvec_append_null(wbatch_col(&b, c));
            continue;
        }
        wvec_append_i32(wbatch_col(&b, 1), r == 2 ? INT32_MIN : r);
        wvec_append_f64(wbatch_col(&b, 2), r == 0 ? 0.1 : r == 2 ? 5e-324 : r == 3 ? -0.0 : 1e16);
        wvec_append_bool(wbatch_col(&b, 3), r & 1);
        wvec_append_i32(wbatch_col(&b, 4), 20781);
        wvec_append_i64(wbatch_col(&b, 5), 1795500000000663LL);
        wvec_append_i64(wbatch_col(&b, 6), INT64_MIN);
    }
    WBuf out;
    wbuf_init(&out);
    CHECK_EQ_INT(encode(ddl, "header=true", &b, &out, 1), 0);
    const char *want =
        "s,i,x,b,d,ts,l\n"
        "plain,0,0.1,false,2026-11-24,2026-11-24T06:00:00.000663Z,-9223372036854775808\n"
        "\"a,b\",,,,,,\n"
        "\"q\"\"q\",-2147483648,5e-324,false,2026-11-24,2026-11-24T06:00:00.000663Z,-9223372036854775808\n"
        "\"\",3,-0.0,true,2026-11-24,2026-11-24T06:00:00.000663Z,-9223372036854775808\n"
        ",4,1e16,false,2026-11-24,2026-11-24T06:00:00.000663Z,-9223372036854775808\n"
        "\"l\nf\",5,1e16,true,2026-11-24,2026-11-24T06:00:00.000663Z,-9223372036854775808\n"
        "\" lead\",6,1e16,false,2026-11-24,2026-11-24T06:00:00.000663Z,-9223372036854775808\n"
        "\"back\\\\slash\",7,1e16,true,2026-11-24,2026-11-24T06:00:00.000663Z,-9223372036854775808\n"
        "\"cr\r\",8,1e16,false,2026-11-24,2026-11-24T06:00:00.000663Z,-9223372036854775808\n";
    CHECK_EQ_STR(wbuf_cstr(&out), want);

    /* header=false writes no header; options: sep, nullValue, timestampFormat, timeZone, lineSep */
    wbuf_reset(&out);
    CHECK_EQ_INT(encode(ddl, "sep=;|nullValue=\\N|timestampFormat=yyyy/MM/dd HH:mm|timeZone=+01:00|lineSep=\\r\\n",
                        &b, &out, 1), 0);
    const char *o = wbuf_cstr(&out);
    const char *first = "plain;0;0.1;false;2026-11-24;2026/11/24 07:00;-9223372036854775808\r\n";
    CHECK(!strncmp(o, first, strlen(first)));
    CHECK(strstr(o, "\r\na,b;\\N;\\N;\\N;\\N;\\N;\\N\r\n") != NULL);
    CHECK(strstr(o, "\r\n\\N;4;") != NULL);
    /* quoteAll */
    wbuf_reset(&out);
    CHECK_EQ_INT(encode(ddl, "quoteAll=true", &b, &out, 0), 0);
    first = "\"plain\",\"0\",\"0.1\",\"false\",\"2026-11-24\",";
    CHECK(!strncmp(wbuf_cstr(&out), first, strlen(first)));
    /* a STRING equal to nullValue is quoted, so it reads back as a string */
    wbatch_reset(&b);
    wbatch_begin_row(&b);
    wvec_append_str(wbatch_col(&b, 0), "NA", 2);
    for (int c = 1; c < 7; c++) wvec_append_null(wbatch_col(&b, c));
    wbuf_reset(&out);
    CHECK_EQ_INT(encode(ddl, "nullValue=NA", &b, &out, 0), 0);
    CHECK_EQ_STR(wbuf_cstr(&out), "\"NA\",NA,NA,NA,NA,NA,NA\n");
    /* a STRUCT column cannot be written */
    WType st2;
    CHECK_EQ_INT(wschema_parse("a STRUCT<x: INT>", 16, &st2, &e), 0);
    WCsvWriter *w;
    WOpts opts;
    wopts_init(&opts);
    CHECK_EQ_INT(wcsv_writer_open(&st2, &opts, &w, &e), WEIR_UNSUPPORTED);
    wopts_fini(&opts);
    wtype_fini(&st2);
    wbuf_fini(&out);
    wbatch_fini(&b);
    wtype_fini(&st);
}

/* ---- round trip property test ---- */

static uint64_t rng_state = 0x9E3779B97F4A7C15ULL;
static uint64_t rnd(void) {
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

static void random_string(char *buf, size_t *n) {
    static const char *atoms[] = {"a", "Z", "0", " ", ",", "\"", "\"\"", "\\", "\\\"", "\r", "\n", "\r\n", ";",
                                  "é", "日本", "😀", "\t", "null", "NA", "x y", "'", "#", "\xEF\xBB\xBF"};
    size_t k = rnd() % 8, len = 0;
    if (rnd() % 6 == 0) k = 0;
    for (size_t i = 0; i < k; i++) {
        const char *a = atoms[rnd() % (sizeof atoms / sizeof *atoms)];
        size_t al = strlen(a);
        memcpy(buf + len, a, al);
        len += al;
    }
    *n = len;
}

static double random_double(void) {
    switch (rnd() % 6) {
    case 0: { uint64_t u = rnd(); double x; memcpy(&x, &u, 8); return x; } /* any bits (NaN payloads normalised below) */
    case 1: return (double)(int64_t)rnd() / 1000.0;
    case 2: return rnd() % 2 ? 5e-324 : 1.7976931348623157e308;
    case 3: return rnd() % 2 ? -0.0 : INFINITY * (rnd() % 2 ? 1 : -1);
    case 4: return (double)(rnd() % 100000) / 100.0;
    default: return 0.1 * (double)(rnd() % 7);
    }
}

static int roundtrip_once(const char *opts, int nrows, int64_t step) {
    const char *ddl = "s STRING, i INT, l BIGINT, x DOUBLE, b BOOLEAN, d DATE, ts TIMESTAMP, t STRING";
    WType st;
    WErr e;
    werr_init(&e);
    wschema_parse(ddl, strlen(ddl), &st, &e);
    WBatch b, back;
    wbatch_init(&b, &st);
    wbatch_init(&back, &st);
    char sbuf[256];
    for (int r = 0; r < nrows; r++) {
        wbatch_begin_row(&b);
        for (int c = 0; c < 8; c++) {
            WVec *v = wbatch_col(&b, c);
            if (rnd() % 7 == 0) { wvec_append_null(v); continue; }
            switch (v->type->id) {
            case WT_STRING: { size_t n; random_string(sbuf, &n); wvec_append_str(v, sbuf, n); break; }
            case WT_INT: wvec_append_i32(v, rnd() % 3 ? (int32_t)(rnd() % 2000) - 1000 : (int32_t)rnd()); break;
            case WT_BIGINT: wvec_append_i64(v, rnd() % 4 ? (int64_t)rnd() : (rnd() % 2 ? INT64_MIN : INT64_MAX)); break;
            case WT_DOUBLE: { double x = random_double(); if (isnan(x)) x = NAN; wvec_append_f64(v, x); break; }
            case WT_BOOLEAN: wvec_append_bool(v, (int)(rnd() & 1)); break;
            case WT_DATE: wvec_append_i32(v, (int32_t)(rnd() % 6000000) - 3000000); break;
            case WT_TIMESTAMP: wvec_append_i64(v, (int64_t)(rnd() % 500000000000000000ULL) - 250000000000000000LL); break;
            default: break;
            }
        }
    }
    WBuf out;
    wbuf_init(&out);
    WOpts o;
    set_opts(&o, opts);
    WCsvWriter *w = NULL;
    int rc = wcsv_writer_open(&st, &o, &w, &e);
    if (!rc) rc = wcsv_write_header(w, &out, &e);
    if (!rc) rc = wcsv_write_batch(w, &b, &out, &e);
    wcsv_writer_close(w);
    WCsvReader *rd = NULL;
    if (!rc) rc = wcsv_reader_open(&st, &o, &rd, &e);
    int mism = 0;
    if (!rc) {
        wcsv_begin(rd, "rt.csv", out.data, out.len);
        int done = 0;
        while (!done && !rc) rc = wcsv_next(rd, &back, step, &done, &e);
        if (wcsv_reader_bad_records(rd)) mism++;
        WErr ve;
        werr_init(&ve);
        if (wcsv_validate("rt.csv", out.data, out.len, &o, &ve)) mism++;
    }
    wcsv_reader_close(rd);
    wopts_fini(&o);
    if (rc) { fprintf(stderr, "roundtrip %s: %s\n", opts, e.msg); mism++; }
    if (!rc && wbatch_rows(&back) != nrows) { fprintf(stderr, "rows %lld vs %d\n", (long long)wbatch_rows(&back), nrows); mism++; }
    for (int c = 0; c < 8 && !mism; c++) {
        WVec *a = wbatch_col(&b, c), *z = wbatch_col(&back, c);
        for (int r = 0; r < nrows; r++) {
            int bad = wvec_is_null(a, r) != wvec_is_null(z, r);
            if (!bad && !wvec_is_null(a, r)) {
                switch (a->type->id) {
                case WT_STRING: {
                    size_t n1, n2;
                    const char *s1 = col_str(a, r, &n1), *s2 = col_str(z, r, &n2);
                    bad = n1 != n2 || (n1 && memcmp(s1, s2, n1));
                    break;
                }
                case WT_DOUBLE: {
                    double x = wvec_f64(a, r), y = wvec_f64(z, r);
                    bad = isnan(x) ? !isnan(y) : memcmp(&x, &y, 8) != 0;
                    break;
                }
                case WT_BOOLEAN: bad = wvec_bool(a, r) != wvec_bool(z, r); break;
                case WT_INT: case WT_DATE: bad = wvec_i32(a, r) != wvec_i32(z, r); break;
                default: bad = wvec_i64(a, r) != wvec_i64(z, r); break;
                }
            }
            if (bad) {
                fprintf(stderr, "roundtrip [%s] mismatch col %d row %d\n", opts ? opts : "", c, r);
                mism++;
                break;
            }
        }
    }
    wbuf_fini(&out);
    wbatch_fini(&b);
    wbatch_fini(&back);
    wtype_fini(&st);
    return mism;
}

static void test_roundtrip(void) {
    /* 100,000 rows with defaults plus 50,000 across other dialects */
    CHECK_EQ_INT(roundtrip_once("header=true", 100000, 4096), 0);
    CHECK_EQ_INT(roundtrip_once("header=true|timeZone=America/New_York", 10000, 7), 0);
    CHECK_EQ_INT(roundtrip_once("sep=;|quote='|escape=", 10000, 1000), 0);
    CHECK_EQ_INT(roundtrip_once("sep=\\t|nullValue=NA|lineSep=\\r\\n", 10000, 1000), 0);
    CHECK_EQ_INT(roundtrip_once("sep=<>|escape=\"|quoteAll=true|header=true|enforceSchema=false", 10000, 333), 0);
    CHECK_EQ_INT(roundtrip_once("lineSep=#|comment=!|emptyValue=", 10000, 1000), 0);
}

/* ---- typed fast paths against the general path (differential) ---- */

static uint64_t fz_state = 0x2545F4914F6CDD1DULL;
static uint64_t fz_rnd(void) {
    fz_state ^= fz_state << 13;
    fz_state ^= fz_state >> 7;
    fz_state ^= fz_state << 17;
    return fz_state;
}

static void gen_int(WBuf *b, int big) {
    uint64_t r = fz_rnd();
    static const char *edge[] = {"2147483647", "-2147483648", "2147483648", "-2147483649", "999999999", "-0", "+7",
                                 "007", "", "-", "+", "1x", " 5", "5 ", "9223372036854775807", "-9223372036854775808",
                                 "9223372036854775808", "123456789012345678", "1234567890123456789", "1.0", "0"};
    if (r % 4 == 0) { wbuf_puts(b, edge[(r >> 8) % (sizeof edge / sizeof *edge)]); return; }
    if (r & 16) wbuf_putc(b, (r & 32) ? '-' : '+');
    int nd = 1 + (int)((r >> 8) % (big ? 20 : 11));
    for (int i = 0; i < nd; i++) wbuf_putc(b, (char)('0' + fz_rnd() % 10));
}

static void gen_double(WBuf *b) {
    uint64_t r = fz_rnd();
    static const char *edge[] = {"NaN", "Inf", "-Infinity", "1e400", "4.9e-324", "2.2250738585072011e-308", "1e-400",
                                 "-0.0", "0", ".5", "5.", "-.5", ".", "-", "1.5e3", "1.5E-3", "1..2", "0x10",
                                 "00000000000000000000001.25", "9007199254740993", "1.7976931348623157e308",
                                 "0.1000000000000000055511151231257827", "1,5"};
    char t[64];
    switch (r % 5) {
    case 0: wbuf_puts(b, edge[(r >> 8) % (sizeof edge / sizeof *edge)]); return;
    case 1: snprintf(t, sizeof t, "%.17g", (double)(fz_rnd() % 101) / 100.0 * 10.0); break; /* the seed's prices */
    case 2: snprintf(t, sizeof t, "%.*f", (int)(fz_rnd() % 19), (double)(int64_t)(fz_rnd() % 2000001 - 1000000) / 997.0); break;
    case 3: snprintf(t, sizeof t, "%.*g", 1 + (int)(fz_rnd() % 20), (double)(fz_rnd() >> 11) * 1e-10); break;
    default: {
        int nd = 1 + (int)(fz_rnd() % 22), pt = (int)(fz_rnd() % (uint64_t)(nd + 1));
        int k = 0;
        if (r & 64) t[k++] = '-';
        for (int i = 0; i < nd; i++) {
            if (i == pt) t[k++] = '.';
            t[k++] = (char)('0' + fz_rnd() % 10);
        }
        t[k] = 0;
    }
    }
    wbuf_puts(b, t);
}

/* Timestamps around DST changes (late March and late October, 00:00 to 04:59) half of the time. */
static void gen_ts(WBuf *b) {
    uint64_t r = fz_rnd();
    static const char *edge[] = {"2026-02-29T00:00:00", "2024-02-29T23:59:59.999999999", "2026-13-01T00:00:00",
                                 "2026-11-24T24:00:00", "2026-11-24T06:00:01.", "2026-11-24T06:00:01.1234567891",
                                 "2026-11-24T06:00:01+01:00", "2026-11-24T06:00:01.5-0530", "2026-11-24", "2026-11-24T06:00",
                                 "2026-1-24T06:00:00", "+2026-11-24T06:00:00", "0000-01-01T00:00:00", "9999-12-31T23:59:59.9Z",
                                 "2026-11-24T06:00:01ZZ", "2026-11-24T06:00:011", ""};
    if (r % 6 == 0) { wbuf_puts(b, edge[(r >> 8) % (sizeof edge / sizeof *edge)]); return; }
    int y = 1900 + (int)(fz_rnd() % 200), mo, d, h;
    if (r & 8) {
        mo = (r & 16) ? 3 : 10;
        d = 24 + (int)(fz_rnd() % 8);
        h = (int)(fz_rnd() % 5);
    } else {
        mo = 1 + (int)(fz_rnd() % 12);
        d = 1 + (int)(fz_rnd() % 28);
        h = (int)(fz_rnd() % 24);
    }
    char t[64];
    int k = snprintf(t, sizeof t, "%04d-%02d-%02d%c%02d:%02d:%02d", y, mo, d, (r & 32) ? ' ' : 'T', h,
                     (int)(fz_rnd() % 60), (int)(fz_rnd() % 60));
    int nf = (int)(fz_rnd() % 11) - 1; /* -1: no fraction */
    if (nf >= 0) {
        t[k++] = '.';
        for (int i = 0; i < nf; i++) t[k++] = (char)('0' + fz_rnd() % 10);
    }
    if ((r >> 40) % 10 == 0) t[k++] = 'Z';
    t[k] = 0;
    wbuf_puts(b, t);
}

/* Timestamps in time order (so that the decoder's minute cache serves most of them), six fraction digits
 * mostly, around a DST change of Europe/Paris now and then; one in 16 from gen_ts. */
static void gen_ts_run(WBuf *b) {
    static int64_t t = 1711846800LL * 1000000 - 3600LL * 1000000; /* 2024-03-31 00:00 UTC */
    uint64_t r = fz_rnd();
    if (r % 16 == 0) { gen_ts(b); return; }
    t += (int64_t)(r >> 8) % 3000000 - 500000;
    if ((r >> 40) % 5000 == 0) t += (int64_t)((r >> 20) % 200000) * 1000000 - 100000LL * 1000000;
    int64_t sec = t >= 0 ? t / 1000000 : -((-t + 999999) / 1000000), us = t - sec * 1000000;
    int64_t days = sec >= 0 ? sec / 86400 : -((-sec + 86399) / 86400), sod = sec - days * 86400, y;
    unsigned mo, d;
    wtime_civil_from_days(days, &y, &mo, &d);
    char tx[64];
    int k = snprintf(tx, sizeof tx, "%04d-%02u-%02uT%02d:%02d:%02d", (int)y, mo, d, (int)(sod / 3600),
                     (int)(sod / 60 % 60), (int)(sod % 60));
    if ((r >> 50) % 8) k += snprintf(tx + k, sizeof tx - (size_t)k, ".%06d", (int)us);
    if ((r >> 53) % 16 == 0) tx[k++] = 'Z';
    tx[k] = 0;
    wbuf_puts(b, tx);
}

static void test_fast_paths(void) {
    static const char *dialects[] = {NULL, "timeZone=Europe/Paris", "timeZone=America/New_York|nullValue=0",
                                     "timeZone=+05:30|sep=;", "sep=\t|lineSep=\n|timeZone=Australia/Lord_Howe",
                                     "sep=.", "sep= ", "mode=DROPMALFORMED|timeZone=Europe/Paris"};
    const char *ddl = "i INT, l BIGINT, x DOUBLE, ts TIMESTAMP, ts2 TIMESTAMP, _corrupt_record STRING";
    long bad = 0, rows_total = 0;
    for (size_t di = 0; di < sizeof dialects / sizeof *dialects; di++) {
        const char *opts = dialects[di];
        char sep = opts && strstr(opts, "sep=;") ? ';' : opts && strstr(opts, "sep=\t") ? '\t'
                 : opts && strstr(opts, "sep=.") ? '.' : opts && strstr(opts, "sep= ") ? ' ' : ',';
        for (int round = 0; round < 20; round++) {
            WBuf text;
            wbuf_init(&text);
            for (int row = 0; row < 2000; row++) {
                uint64_t r = fz_rnd();
                int nf = r % 50 == 0 ? 4 : r % 50 == 1 ? 6 : 5;
                for (int f = 0; f < nf; f++) {
                    if (f) wbuf_putc(&text, sep);
                    int quoted = (fz_rnd() % 40) == 0;
                    if (quoted) wbuf_putc(&text, '"');
                    switch (f) {
                    case 0: gen_int(&text, 0); break;
                    case 1: gen_int(&text, 1); break;
                    case 2: gen_double(&text); break;
                    case 3: gen_ts(&text); break;
                    default: gen_ts_run(&text); break;
                    }
                    if (quoted) wbuf_putc(&text, '"');
                }
                wbuf_puts(&text, (r >> 20) % 5 == 0 ? "\r\n" : "\n");
            }
            if (round & 1) text.len--; /* no row end after the last row */
            Dec a, z;
            WBatch *res[2] = {&a.b, &z.b};
            int64_t nbad[2];
            for (int fast = 0; fast < 2; fast++) {
                Dec *d = fast ? &z : &a;
                memset(d, 0, sizeof *d);
                werr_init(&d->err);
                wschema_parse(ddl, strlen(ddl), &d->schema, &d->err);
                wbatch_init(&d->b, &d->schema);
                WOpts o;
                set_opts(&o, opts);
                WCsvReader *rd;
                if (wcsv_reader_open(&d->schema, &o, &rd, &d->err)) { bad++; wopts_fini(&o); continue; }
                wopts_fini(&o);
                wcsv_reader_fast_paths(rd, fast);
                wcsv_begin(rd, "f.csv", text.data, text.len);
                int done = 0;
                while (!done && !d->rc) d->rc = wcsv_next(rd, &d->b, 777, &done, &d->err);
                nbad[fast] = wcsv_reader_bad_records(rd);
                wcsv_reader_close(rd);
            }
            (void)res;
            rows_total += wbatch_rows(&a.b);
            if (a.rc || z.rc || nbad[0] != nbad[1] || !same_batch(&a.b, &z.b)) {
                if (++bad < 4) fprintf(stderr, "fast path differs: dialect %s round %d (rc %d/%d, bad %lld/%lld)\n",
                                       opts ? opts : "default", round, a.rc, z.rc, (long long)nbad[0], (long long)nbad[1]);
            }
            dec_free(&a);
            dec_free(&z);
            wbuf_fini(&text);
        }
    }
    CHECK_EQ_INT(bad, 0);
    CHECK(rows_total > 8 * 20 * 1500);
}

static void test_misc(void) {
    /* no data at all, and a reader reused across files (header read again for each) */
    WType st;
    WErr e;
    werr_init(&e);
    CHECK_EQ_INT(wschema_parse("a INT, b STRING", 15, &st, &e), 0);
    WOpts o;
    wopts_init(&o);
    wopts_set(&o, "header", "true");
    WCsvReader *r;
    CHECK_EQ_INT(wcsv_reader_open(&st, &o, &r, &e), 0);
    WBatch b;
    wbatch_init(&b, &st);
    int done = 0;
    wcsv_begin(r, NULL, NULL, 0);
    CHECK_EQ_INT(wcsv_next(r, &b, 10, &done, &e), 0);
    CHECK(done && wbatch_rows(&b) == 0);
    const char *f1 = "a,b\n1,x\n", *f2 = "a,b\r\n2,y\r\n3,z";
    wcsv_begin(r, "f1", f1, strlen(f1));
    CHECK_EQ_INT(wcsv_next(r, &b, 10, &done, &e), 0);
    wcsv_begin(r, "f2", f2, strlen(f2));
    done = 0;
    while (!done) CHECK_EQ_INT(wcsv_next(r, &b, 1, &done, &e), 0);
    CHECK_EQ_INT(wbatch_rows(&b), 3);
    CHECK_EQ_INT(wvec_i32(wbatch_col(&b, 0), 2), 3);
    CHECK_EQ_INT(wcsv_reader_bad_records(r), 0);
    wcsv_reader_close(r);
    /* header names that need quoting, dates with dateFormat, both ways */
    WType st2;
    const char *ddl = "`a,b` STRING, `d` DATE";
    CHECK_EQ_INT(wschema_parse(ddl, strlen(ddl), &st2, &e), 0);
    WBatch b2;
    wbatch_init(&b2, &st2);
    wbatch_begin_row(&b2);
    wvec_append_str(wbatch_col(&b2, 0), "v", 1);
    wvec_append_i32(wbatch_col(&b2, 1), -1);
    wopts_set(&o, "dateFormat", "dd/MM/yyyy");
    wopts_set(&o, "enforceSchema", "false");
    WCsvWriter *w;
    WBuf out;
    wbuf_init(&out);
    CHECK_EQ_INT(wcsv_writer_open(&st2, &o, &w, &e), 0);
    CHECK_EQ_INT(wcsv_write_header(w, &out, &e), 0);
    CHECK_EQ_INT(wcsv_write_batch(w, &b2, &out, &e), 0);
    wcsv_writer_close(w);
    CHECK_EQ_STR(wbuf_cstr(&out), "\"a,b\",d\nv,31/12/1969\n");
    WBatch b3;
    wbatch_init(&b3, &st2);
    CHECK_EQ_INT(wcsv_reader_open(&st2, &o, &r, &e), 0);
    wcsv_begin(r, "h", out.data, out.len);
    CHECK_EQ_INT(wcsv_next(r, &b3, 10, &done, &e), 0);
    CHECK_EQ_INT(wbatch_rows(&b3), 1);
    CHECK_EQ_INT(wvec_i32(wbatch_col(&b3, 1), 0), -1);
    wcsv_reader_close(r);
    wbatch_fini(&b3);
    wbuf_fini(&out);
    wbatch_fini(&b2);
    wtype_fini(&st2);
    wbatch_fini(&b);
    wopts_fini(&o);
    wtype_fini(&st);
}

static void test_validate(void) {
    WOpts o;
    wopts_init(&o);
    WErr e;
    werr_init(&e);
    const char *ok = "a,\"b,\"\"c\"\"\",\"x\ny\"\r\n1,2,3";
    CHECK_EQ_INT(wcsv_validate("v.csv", ok, strlen(ok), &o, &e), 0);
    const char *bad1 = "a,b\n1,\"open\n";
    werr_init(&e);
    CHECK_EQ_INT(wcsv_validate("v.csv", bad1, strlen(bad1), &o, &e), WEIR_PARSE);
    CHECK_EQ_INT(e.line, 2);
    CHECK_EQ_INT(e.offset, 6);
    const char *bad2 = "a,b\n\n1,\"x\"y,z\n";
    werr_init(&e);
    CHECK_EQ_INT(wcsv_validate("v.csv", bad2, strlen(bad2), &o, &e), WEIR_PARSE);
    CHECK_EQ_INT(e.line, 3);
    CHECK_EQ_INT(e.offset, 7);
    werr_init(&e);
    CHECK_EQ_INT(wcsv_validate("v.csv", "", 0, &o, &e), 0);
    wopts_fini(&o);
}

/* The writer keeps the date and zone of the last timestamp and formats only the time of day when the
 * next one falls on the same local day with the same offset (only the microseconds in the same second):
 * its text must be wtime_format_timestamp's (the general path) for runs of close timestamps (cache hits,
 * some stepping over a DST change), jumps, day and DST boundaries, negative
 * and far years, in UTC, a DST zone and a fixed offset. */
static void test_timestamp_cache(void) {
    const char *zones[] = {"timeZone=UTC", "timeZone=Europe/Paris", "timeZone=+05:30", "timeZone=America/St_Johns"};
    long bad = 0, n = 0;
    for (size_t z = 0; z < sizeof zones / sizeof zones[0]; z++) {
        WType st;
        WErr e;
        werr_init(&e);
        const char *ddl = "t TIMESTAMP";
        CHECK_EQ_INT(wschema_parse(ddl, strlen(ddl), &st, &e), WEIR_OK);
        WBatch b;
        wbatch_init(&b, &st);
        WVec *v = wbatch_col(&b, 0);
        int64_t t = 1796640983544333LL; /* 2026-12-07 */
        const int64_t day = 86400000000LL;
        for (int i = 0; i < 40000; i++) {
            uint64_t r = rnd();
            switch (r % 8) {
            case 0: t = (int64_t)(rnd() % 500000000000000000ULL) - 250000000000000000LL; break; /* anywhere */
            case 1: t = (t / day) * day - 1 + (int64_t)(rnd() % 3); break;                      /* around midnight UTC */
            case 2: /* Paris DST 2026-03-29, 01:00 UTC: within the hour around it, or a second before it */
                t = 1774746000000000LL + (r >> 8 & 1 ? (int64_t)(rnd() % 7200000000LL) - 3600000000LL : -(int64_t)(rnd() % 1000000));
                break;
            case 3: t = -(int64_t)(rnd() % 100000000000000LL); break;                          /* before 1970 */
            case 4: case 5: t += (int64_t)(rnd() % 300000); break;                               /* the same second, often */
            default: t += (int64_t)(rnd() % 5000000000LL); break;                               /* the next row */
            }
            wbatch_begin_row(&b);
            wvec_append_i64(v, t);
        }
        WBuf out;
        wbuf_init(&out);
        WOpts o;
        set_opts(&o, zones[z]);
        WCsvWriter *w = NULL;
        int rc = wcsv_writer_open(&st, &o, &w, &e);
        if (!rc) rc = wcsv_write_batch(w, &b, &out, &e);
        CHECK_EQ_INT(rc, WEIR_OK);
        WTz *tz = NULL;
        CHECK_EQ_INT(wtz_open(zones[z] + 9, &tz, &e), WEIR_OK);
        const char *p = out.data, *end = out.data + out.len;
        for (int64_t i = 0; i < wbatch_rows(&b) && tz && !rc; i++, n++) {
            char want[WTIME_TEXT_MAX];
            int wn = wtime_format_timestamp(wvec_i64(v, i), tz, want);
            const char *nl = memchr(p, '\n', (size_t)(end - p));
            if (!nl || nl - p != wn || memcmp(p, want, (size_t)wn)) {
                if (bad++ < 5)
                    fprintf(stderr, "%s: %lld -> %.*s, want %s\n", zones[z], (long long)wvec_i64(v, i),
                            nl ? (int)(nl - p) : 0, p, want);
            }
            p = nl ? nl + 1 : end;
        }
        wtz_free(tz);
        wcsv_writer_close(w);
        wopts_fini(&o);
        wbuf_fini(&out);
        wbatch_fini(&b);
        wtype_fini(&st);
    }
    printf("timestamp cache: %ld values checked, %ld bad\n", n, bad);
    CHECK_EQ_INT(n, 160000);
    CHECK_EQ_INT(bad, 0);
}

/* A long STRING takes the room the writer reserved for the row; the numbers and timestamps written in
 * place after it must still fit (run under ASan by make sanitize): every string length up to 3,000 bytes
 * in a fresh buffer, text compared with one built here. */
static void test_long_string_then_numbers(void) {
    WType st;
    WErr e;
    werr_init(&e);
    const char *ddl = "s STRING, d DOUBLE, t TIMESTAMP, i INT, b BIGINT";
    CHECK_EQ_INT(wschema_parse(ddl, strlen(ddl), &st, &e), WEIR_OK);
    WOpts o;
    set_opts(&o, NULL);
    WCsvWriter *w = NULL;
    CHECK_EQ_INT(wcsv_writer_open(&st, &o, &w, &e), WEIR_OK);
    static char str[3001], want[16384];
    memset(str, 'x', sizeof str - 1);
    long bad = 0;
    for (int len = 1; len <= 3000 && w; len++) {
        WBatch b;
        wbatch_init(&b, &st);
        for (int r = 0; r < 3; r++) {
            wbatch_begin_row(&b);
            wvec_append_str(wbatch_col(&b, 0), str, (size_t)len);
            wvec_append_f64(wbatch_col(&b, 1), -1.7976931348623157e308);
            wvec_append_i64(wbatch_col(&b, 2), -62135596800000000LL + 1); /* 0001-01-01T00:00:00.000001 (Python) */
            wvec_append_i32(wbatch_col(&b, 3), INT32_MIN);
            wvec_append_i64(wbatch_col(&b, 4), INT64_MIN);
        }
        WBuf out;
        wbuf_init(&out);
        int rc = wcsv_write_batch(w, &b, &out, &e);
        int n = 0;
        for (int r = 0; r < 3; r++)
            n += snprintf(want + n, sizeof want - (size_t)n, "%.*s,-1.7976931348623157e308,0001-01-01T00:00:00.000001Z,"
                          "-2147483648,-9223372036854775808\n", len, str);
        if (rc || out.len != (size_t)n || memcmp(out.data, want, (size_t)n)) {
            if (bad++ < 3) fprintf(stderr, "long string %d: %.*s\n", len, (int)(out.len < 200 ? out.len : 200), out.data);
        }
        wbuf_fini(&out);
        wbatch_fini(&b);
    }
    CHECK_EQ_INT(bad, 0);
    wcsv_writer_close(w);
    wopts_fini(&o);
    wtype_fini(&st);
}

int main(void) {
    test_basic_types();
    test_quoting();
    test_line_ends();
    test_nulls();
    test_utf8();
    test_bad_records();
    test_header();
    test_resume();
    test_time_options();
    test_encode();
    test_timestamp_cache();
    test_long_string_then_numbers();
    test_roundtrip();
    test_misc();
    test_fast_paths();
    test_validate();
    return check_summary();
}
