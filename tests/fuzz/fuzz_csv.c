/*
 * fuzz_csv.c - libFuzzer target for the CSV decoder and validator (run: make fuzz-csv).
 *
 * The first input byte picks a dialect (mode, header on/off, enforceSchema, separator, escape, lineSep,
 * whitespace trimming, a multi-byte separator); the rest is decoded with a schema holding every flat type
 * plus _corrupt_record, in steps of a few rows so resuming is exercised, and validated. Whatever the bytes,
 * decoding must not crash or leak, and invariants must hold: every column has as many rows as the batch,
 * PERMISSIVE keeps every counted bad record as a row whose corrupt column is set, and a file the validator
 * accepts and the decoder reads under PERMISSIVE then re-encodes to text that decodes to the same rows;
 * STRING values are always valid UTF-8. Streaming input (wcsv_begin_stream, fed a few bytes at a time)
 * must give the same rows, values, bad-record count and error as the whole text in memory.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "formats/csv.h"
#include "../unit/csvcmp.h"

static WType schema, flat;
static int ready;

static void setup(void) {
    const char *ddl = "b BOOLEAN, i INT, l BIGINT, x DOUBLE, s STRING, d DATE, ts TIMESTAMP, _corrupt_record STRING";
    WErr e;
    werr_init(&e);
    if (wschema_parse(ddl, strlen(ddl), &schema, &e)) abort();
    const char *ddl7 = "b BOOLEAN, i INT, l BIGINT, x DOUBLE, s STRING, d DATE, ts TIMESTAMP";
    if (wschema_parse(ddl7, strlen(ddl7), &flat, &e)) abort();
    ready = 1;
}

/* Strict UTF-8 check (no overlongs, surrogates or code points past U+10FFFF), written independently. */
static int valid_utf8(const unsigned char *s, size_t n) {
    for (size_t i = 0; i < n;) {
        unsigned c = s[i];
        if (c < 0x80) { i++; continue; }
        size_t len = (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : (c & 0xF8) == 0xF0 ? 4 : 0;
        if (!len || i + len > n) return 0;
        uint32_t cp = c & (len == 2 ? 0x1F : len == 3 ? 0x0F : 0x07);
        for (size_t j = 1; j < len; j++) {
            if ((s[i + j] & 0xC0) != 0x80) return 0;
            cp = cp << 6 | (s[i + j] & 0x3F);
        }
        if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) || cp > 0x10FFFF ||
            (cp >= 0xD800 && cp <= 0xDFFF))
            return 0;
        i += len;
    }
    return 1;
}

static int decode_all(WCsvReader *r, const char *data, size_t len, WBatch *b, int64_t step, WErr *e) {
    wcsv_begin(r, "fuzz.csv", data, len);
    int done = 0, rc = 0;
    while (!done && !rc) rc = wcsv_next(r, b, step, &done, e);
    return rc;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (!ready) setup();
    if (size < 1) return 0;
    uint8_t k = data[0];
    const char *text = (const char *)data + 1;
    size_t len = size - 1;
    WOpts o;
    wopts_init(&o);
    static const char *modes[] = {"PERMISSIVE", "DROPMALFORMED", "FAILFAST", "PERMISSIVE"};
    wopts_set(&o, "mode", modes[k & 3]);
    wopts_set(&o, "header", (k & 4) ? "true" : "false");
    if (k & 8) wopts_set(&o, "enforceSchema", "false");
    switch ((k >> 4) & 3) {
    case 1: wopts_set(&o, "sep", ";"); wopts_set(&o, "escape", ""); break;
    case 2: wopts_set(&o, "sep", "::"); wopts_set(&o, "lineSep", "|"); break;
    case 3: wopts_set(&o, "ignoreLeadingWhiteSpace", "true"); wopts_set(&o, "ignoreTrailingWhiteSpace", "true");
            wopts_set(&o, "nullValue", "null"); wopts_set(&o, "comment", "#"); break;
    default: break;
    }
    if (k & 64) wopts_set(&o, "escape", "\"");
    if (k & 128) wopts_set(&o, "timestampFormat", "yyyy-MM-dd HH:mm[:ss][XXX]");
    WErr e;
    werr_init(&e);
    WCsvReader *r;
    if (wcsv_reader_open(&schema, &o, &r, &e)) abort();
    WBatch b;
    wbatch_init(&b, &schema);
    int rc = decode_all(r, text, len, &b, 1 + (k % 5), &e);
    int64_t rows = wbatch_rows(&b);
    for (int c = 0; c < schema.n_fields; c++)
        if (wbatch_col(&b, c)->len != rows) abort();
    for (int c = 4; c < 8; c += 3) /* STRING columns s and _corrupt_record hold valid UTF-8 */
        for (int64_t i = 0; i < rows; i++) {
            size_t n;
            const char *p = col_str(wbatch_col(&b, c), i, &n);
            if (!valid_utf8((const unsigned char *)p, n)) abort();
        }
    if (!(k & 4) && (k & 3) != 1 && (k & 3) != 2 && !rc) {
        /* PERMISSIVE without header: each bad record is a row with its corrupt text set */
        int64_t set = 0;
        WVec *cc = wbatch_col(&b, 7);
        for (int64_t i = 0; i < rows; i++) set += !wvec_is_null(cc, i);
        if (set != wcsv_reader_bad_records(r)) abort();
    }
    {
        /* the same text streamed, 1 to 7 bytes at a time */
        WCsvReader *rs;
        WErr es;
        werr_init(&es);
        if (wcsv_reader_open(&schema, &o, &rs, &es)) abort();
        WBatch bs;
        wbatch_init(&bs, &schema);
        Feed feed = {text, len, 0, 1 + (size_t)(k % 7)};
        wcsv_begin_stream(rs, "fuzz.csv", feed_fill, &feed);
        int done = 0, rcs = 0;
        while (!done && !rcs) rcs = wcsv_next(rs, &bs, 1 + (k % 5), &done, &es);
        if (rcs != rc || wcsv_reader_bad_records(rs) != wcsv_reader_bad_records(r) || !same_batch(&b, &bs)) abort();
        if (rc && (strcmp(es.msg, e.msg) || es.offset != e.offset || es.line != e.line)) abort();
        wbatch_fini(&bs);
        wcsv_reader_close(rs);
    }
    werr_init(&e);
    int vrc = wcsv_validate("fuzz.csv", text, len, &o, &e);
    if ((k & 3) == 0 && !rc && !vrc && !(k & 128) && wcsv_reader_bad_records(r) == 0) {
        /* clean input: decode without the corrupt column, encode, decode again: same values */
        WBatch a, z;
        wbatch_init(&a, &flat);
        wbatch_init(&z, &flat);
        WCsvReader *r1, *r2;
        WCsvWriter *w;
        WBuf out;
        wbuf_init(&out);
        if (wcsv_reader_open(&flat, &o, &r1, &e) || wcsv_reader_open(&flat, &o, &r2, &e) ||
            wcsv_writer_open(&flat, &o, &w, &e))
            abort();
        if (decode_all(r1, text, len, &a, 7, &e)) abort();
        if (wcsv_write_header(w, &out, &e) || wcsv_write_batch(w, &a, &out, &e)) abort();
        if (decode_all(r2, out.data, out.len, &z, 1000, &e)) abort();
        if (wcsv_reader_bad_records(r2) || wbatch_rows(&z) != wbatch_rows(&a)) abort();
        for (int c = 0; c < flat.n_fields; c++) {
            WVec *va = wbatch_col(&a, c), *vz = wbatch_col(&z, c);
            for (int64_t i = 0; i < wbatch_rows(&a); i++) {
                if (wvec_is_null(va, i) != wvec_is_null(vz, i)) abort();
                if (wvec_is_null(va, i)) continue;
                switch (va->type->id) {
                case WT_STRING: {
                    size_t n1, n2;
                    const char *s1 = col_str(va, i, &n1), *s2 = col_str(vz, i, &n2);
                    if (n1 != n2 || (n1 && memcmp(s1, s2, n1))) abort();
                    break;
                }
                case WT_DOUBLE: {
                    double x = wvec_f64(va, i), y = wvec_f64(vz, i);
                    if (x == x && memcmp(&x, &y, 8)) abort();
                    if (x != x && y == y) abort();
                    break;
                }
                case WT_BOOLEAN: if (wvec_bool(va, i) != wvec_bool(vz, i)) abort(); break;
                case WT_INT: case WT_DATE: if (wvec_i32(va, i) != wvec_i32(vz, i)) abort(); break;
                default: if (wvec_i64(va, i) != wvec_i64(vz, i)) abort(); break;
                }
            }
        }
        wcsv_reader_close(r1);
        wcsv_reader_close(r2);
        wcsv_writer_close(w);
        wbuf_fini(&out);
        wbatch_fini(&a);
        wbatch_fini(&z);
    }
    wbatch_fini(&b);
    wcsv_reader_close(r);
    wopts_fini(&o);
    return 0;
}
