/*
 * test_json_conformance.c - JSONTestSuite (../shared/conformance/json-test-suite) against the validator
 * and the decoder: every y_ file accepted, every n_ file rejected, every i_ file handled without a crash
 * or a leak (this program runs under `make sanitize` too). Also Spark's own JSON test files from
 * ../shared/conformance/spark-test-data, with the results Spark's tests assert.
 *
 * The suite is found through $WEIR_CONFORMANCE, else ../shared/conformance, ../../shared/conformance,
 * /work/shared/conformance, or the copy in tests/conformance.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "conformance.h"
#include "formats/json.h"

typedef struct Seen {
    int syntax;  /* bad records whose reason is malformed JSON */
    int other;   /* bad records for any other reason (e.g. a scalar where a record must be an object) */
} Seen;

static void on_bad(void *user, const WBadRecord *br) {
    Seen *s = user;
    if (!strncmp(br->reason, "malformed JSON", 14)) s->syntax++;
    else s->other++;
}

/* Decodes data; returns the count of bad records that are malformed JSON (want_all: of every bad
 * record), or -1 on a reader error. */
static int decode_bad(const char *path, const char *data, size_t len, int multiline, int want_all) {
    WType schema;
    WErr err;
    werr_init(&err);
    const char *ddl = "a STRING, b DOUBLE, _corrupt_record STRING";
    if (wschema_parse(ddl, strlen(ddl), &schema, &err)) return -1;
    WOpts o;
    wopts_init(&o);
    wopts_set(&o, "multiLine", multiline ? "true" : "false");
    WJsonReader *r;
    int result = -1;
    if (!wjson_reader_open(&schema, &o, &r, &err)) {
        Seen seen = {0, 0};
        wjson_reader_on_bad_record(r, on_bad, &seen);
        WBatch b;
        wbatch_init(&b, &schema);
        wjson_begin(r, path, data, len);
        int done = 0, rc = 0;
        while (!done && !rc) {
            rc = wjson_next(r, &b, 7, &done, &err);
            wbatch_reset(&b);
        }
        result = rc ? -1 : seen.syntax + (want_all ? seen.other : 0);
        wbatch_fini(&b);
        wjson_reader_close(r);
    }
    wopts_fini(&o);
    wtype_fini(&schema);
    return result;
}

/* Nothing but an optional BOM and whitespace: a valid empty input for a record decoder (zero records,
 * as Spark reads an empty file), though not a JSON text. */
static int blank_input(const char *d, size_t n) {
    size_t i = 0;
    if (n >= 3 && !memcmp(d, "\xEF\xBB\xBF", 3)) i = 3;
    for (; i < n; i++)
        if (!(d[i] == ' ' || d[i] == '\t' || d[i] == '\n' || d[i] == '\r')) return 0;
    return 1;
}

static void suite(const char *root) {
    char dir[1200], path[1600];
    snprintf(dir, sizeof dir, "%s/json-test-suite", root);
    DIR *d = opendir(dir);
    CHECK(d != NULL);
    if (!d) return;
    int ny = 0, nn = 0, ni = 0, blank_n = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        const char *name = e->d_name;
        size_t nl = strlen(name);
        if (nl < 6 || strcmp(name + nl - 5, ".json")) continue;
        char kind = name[0];
        if (name[1] != '_' || (kind != 'y' && kind != 'n' && kind != 'i')) continue;
        snprintf(path, sizeof path, "%s/%s", dir, name);
        size_t len;
        char *data = conformance_slurp(path, &len);
        CHECK(data != NULL);
        if (!data) continue;
        WErr err;
        werr_init(&err);
        int v = wjson_validate(name, data, len, &err);
        /* y_: no malformed-JSON bad record (a scalar text is still a bad *record*: not an object);
         * n_: some bad record */
        int dec = decode_bad(name, data, len, 1, kind == 'n');
        int dec_lines = decode_bad(name, data, len, 0, kind == 'n');
        if (kind == 'y') {
            ny++;
            if (v) fprintf(stderr, "y_ rejected by validate: %s: %s\n", name, err.msg);
            CHECK(v == WEIR_OK);
            if (dec != 0) fprintf(stderr, "y_ rejected by decoder: %s (%d)\n", name, dec);
            CHECK(dec == 0);
        } else if (kind == 'n') {
            nn++;
            if (!v) fprintf(stderr, "n_ accepted by validate: %s\n", name);
            CHECK(v == WEIR_PARSE);
            CHECK(err.offset >= 0 && err.line >= 1);
            if (blank_input(data, len)) {
                blank_n++;
                CHECK(dec == 0); /* zero records, no error */
            } else {
                if (dec <= 0) fprintf(stderr, "n_ accepted by decoder: %s (%d)\n", name, dec);
                CHECK(dec > 0);
                if (dec_lines <= 0) fprintf(stderr, "n_ accepted by JSON Lines decoder: %s (%d)\n", name, dec_lines);
                CHECK(dec_lines > 0);
            }
        } else {
            ni++;
            CHECK(v == WEIR_OK || v == WEIR_PARSE);
            CHECK(dec >= 0);
        }
        free(data);
    }
    closedir(d);
    fprintf(stderr, "json-test-suite: %d y_, %d n_ (%d blank), %d i_\n", ny, nn, blank_n, ni);
    CHECK(ny >= 70);
    CHECK(nn >= 140);
    CHECK(ni >= 20);
}

/* Decodes a whole buffer into b. */
static int decode_all(const char *ddl, const char *data, size_t len, int multiline, WType *schema, WBatch *b) {
    WErr err;
    werr_init(&err);
    if (wschema_parse(ddl, strlen(ddl), schema, &err)) return -1;
    WOpts o;
    wopts_init(&o);
    if (multiline) wopts_set(&o, "multiLine", "true");
    WJsonReader *r;
    int rc = wjson_reader_open(schema, &o, &r, &err);
    if (!rc) {
        wbatch_init(b, schema);
        wjson_begin(r, "t", data, len);
        int done = 0;
        while (!done && !rc) rc = wjson_next(r, b, 1000, &done, &err);
        if (wjson_reader_bad_records(r)) rc = -2;
        wjson_reader_close(r);
    }
    wopts_fini(&o);
    return rc;
}

static void spark_files(const char *root) {
    char path[1200];
    size_t len;
    snprintf(path, sizeof path, "%s/spark-test-data/people_array.json", root);
    char *data = conformance_slurp(path, &len);
    CHECK(data != NULL);
    if (data) {
        /* Spark: multiLine=true gives {Michael, null}, {Andy, 30}, {Justin, 19} */
        for (int ml = 0; ml <= 1; ml++) {
            WType s;
            WBatch b;
            CHECK_EQ_INT(decode_all("name STRING, age BIGINT", data, len, ml, &s, &b), 0);
            CHECK_EQ_INT(wbatch_rows(&b), 3);
            if (wbatch_rows(&b) == 3) {
                size_t n;
                const char *t = wvec_str(wbatch_col(&b, 0), 0, &n);
                CHECK_EQ_MEM(t, n, "Michael", 7);
                t = wvec_str(wbatch_col(&b, 0), 2, &n);
                CHECK_EQ_MEM(t, n, "Justin", 6);
                CHECK(wvec_is_null(wbatch_col(&b, 1), 0));
                CHECK_EQ_INT(wvec_i64(wbatch_col(&b, 1), 1), 30);
                CHECK_EQ_INT(wvec_i64(wbatch_col(&b, 1), 2), 19);
            }
            wbatch_fini(&b);
            wtype_fini(&s);
        }
        free(data);
    }
    snprintf(path, sizeof path, "%s/spark-test-data/with-empty-line.json", root);
    data = conformance_slurp(path, &len);
    CHECK(data != NULL);
    if (data) {
        WType s;
        WBatch b;
        CHECK_EQ_INT(decode_all("a INT, b INT, c INT", data, len, 0, &s, &b), 0);
        CHECK_EQ_INT(wbatch_rows(&b), 3);
        if (wbatch_rows(&b) == 3) {
            for (int i = 0; i < 3; i++)
                for (int c = 0; c < 3; c++) CHECK_EQ_INT(wvec_i32(wbatch_col(&b, c), i), 3 * i + c + 1);
        }
        wbatch_fini(&b);
        wtype_fini(&s);
        free(data);
    }
}

int main(void) {
    const char *root = conformance_root("json-test-suite");
    CHECK(root != NULL);
    if (root) {
        suite(root);
        spark_files(root);
    }
    return check_summary();
}
