/*
 * test_json.c - the JSON decoder and writer on hand-computed records: the seed's record in every
 * layout (JSON Lines, one array, multiLine), Spark's rules for every type (missing, unknown, null,
 * nested, numbers, strings, timestamps, dates, duplicates), the three parse modes with the bad-record
 * callback and error places, resumable decoding, depth and size limits (100 MB string), and the writer
 * (exact text, then random batches written and read back to identical values).
 *
 * Expected timestamps were computed independently (Python datetime), e.g. 2022-09-06T11:40:00.123456
 * UTC = 1662464400123456 us, 2022-09-06 = day 19241.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "core/num.h"
#include "core/time.h"
#include "formats/json.h"

static uint64_t rng_t = 0x9E3779B97F4A7C15ull;
static uint64_t rnd_t(void) {
    rng_t ^= rng_t << 13;
    rng_t ^= rng_t >> 7;
    rng_t ^= rng_t << 17;
    return rng_t;
}

#define MAXBAD 16
typedef struct Ctx {
    WType schema;
    WBatch b;
    WErr err;
    int rc;
    int64_t nbad;
    int ncb;
    char reason[MAXBAD][400];
    char raw[MAXBAD][400];
    size_t raw_len[MAXBAD];
    int64_t line[MAXBAD], off[MAXBAD];
    char path[MAXBAD][64];
} Ctx;

static void on_bad(void *user, const WBadRecord *br) {
    Ctx *c = user;
    if (c->ncb < MAXBAD) {
        int i = c->ncb;
        snprintf(c->reason[i], sizeof c->reason[i], "%s", br->reason);
        size_t n = br->raw_len < 399 ? br->raw_len : 399;
        memcpy(c->raw[i], br->raw, n);
        c->raw[i][n] = 0;
        c->raw_len[i] = br->raw_len;
        c->line[i] = br->line;
        c->off[i] = br->offset;
        snprintf(c->path[i], sizeof c->path[i], "%s", br->path);
    }
    c->ncb++;
}

static int dec_fast = 1; /* wjson_reader_set_fast_paths for the next dec_n */

/* Decodes text with the schema and options ("name=value", NULL-terminated); max_rows per call. */
static void dec_n(Ctx *c, const char *ddl, const char *const *opts, const char *text, size_t len, int64_t max_rows) {
    memset(c, 0, sizeof *c);
    werr_init(&c->err);
    c->rc = wschema_parse(ddl, strlen(ddl), &c->schema, &c->err);
    if (c->rc) {
        fprintf(stderr, "schema: %s\n", c->err.msg);
        return;
    }
    wbatch_init(&c->b, &c->schema);
    WOpts o;
    wopts_init(&o);
    for (int i = 0; opts && opts[i]; i++) wopts_set_pair(&o, opts[i], &c->err);
    WJsonReader *r;
    c->rc = wjson_reader_open(&c->schema, &o, &r, &c->err);
    if (!c->rc) {
        wjson_reader_on_bad_record(r, on_bad, c);
        wjson_reader_set_fast_paths(r, dec_fast);
        wjson_begin(r, "in.json", text, len);
        int done = 0;
        while (!done && !c->rc) c->rc = wjson_next(r, &c->b, max_rows, &done, &c->err);
        c->nbad = wjson_reader_bad_records(r);
        wjson_reader_close(r);
    }
    wopts_fini(&o);
}
static void dec(Ctx *c, const char *ddl, const char *const *opts, const char *text) {
    dec_n(c, ddl, opts, text, strlen(text), 1000);
}
static void fin(Ctx *c) {
    wbatch_fini(&c->b);
    wtype_fini(&c->schema);
}

static WVec *col(Ctx *c, int i) { return wbatch_col(&c->b, i); }
static int str_is(const WVec *v, int64_t i, const char *want) {
    size_t n = 0;
    const char *s = v->chars ? wvec_str(v, i, &n) : ""; /* no chars buffer: only empty strings */
    return !wvec_is_null(v, i) && n == strlen(want) && !memcmp(s, want, n);
}

static const char *SEED_DDL =
    "analytics STRUCT<clicks: INT, impressions: INT>, datetime TIMESTAMP, sales STRUCT<quantity INT, total_price DOUBLE>";
static const char *SEED_REC = "{\"datetime\": \"2022-09-06T11:40:00.123456\", \"sales\": {\"quantity\": 3, "
                              "\"total_price\": 3.9000000000000004}, \"analytics\": {\"clicks\": 5, \"impressions\": 12}}";

static void check_seed_row(Ctx *c, int64_t i) {
    WVec *an = col(c, 0), *dt = col(c, 1), *sa = col(c, 2);
    CHECK(!wvec_is_null(an, i));
    CHECK_EQ_INT(wvec_i32(&an->children[0], i), 5);
    CHECK_EQ_INT(wvec_i32(&an->children[1], i), 12);
    CHECK(!wvec_is_null(dt, i));
    CHECK_EQ_INT(wvec_i64(dt, i), 1662464400123456LL);
    CHECK_EQ_INT(wvec_i32(&sa->children[0], i), 3);
    double tp = wvec_f64(&sa->children[1], i), want = 3.9000000000000004;
    CHECK(memcmp(&tp, &want, 8) == 0);
    CHECK(tp != 3.9);
}

static void test_seed(void) {
    Ctx c;
    char text[4096];
    /* JSON Lines, three records */
    snprintf(text, sizeof text, "%s\n%s\r\n\n%s", SEED_REC, SEED_REC, SEED_REC);
    dec(&c, SEED_DDL, NULL, text);
    CHECK_EQ_INT(c.rc, 0);
    CHECK_EQ_INT(wbatch_rows(&c.b), 3);
    CHECK_EQ_INT(c.nbad, 0);
    for (int i = 0; i < 3 && i < wbatch_rows(&c.b); i++) check_seed_row(&c, i);
    fin(&c);
    /* the seed generator's file: one array */
    snprintf(text, sizeof text, "[%s, %s]", SEED_REC, SEED_REC);
    dec(&c, SEED_DDL, NULL, text);
    CHECK_EQ_INT(c.rc, 0);
    CHECK_EQ_INT(wbatch_rows(&c.b), 2);
    for (int i = 0; i < 2 && i < wbatch_rows(&c.b); i++) check_seed_row(&c, i);
    fin(&c);
    /* pretty-printed objects, multiLine */
    const char *ml[] = {"multiLine=true", NULL};
    dec(&c, SEED_DDL, ml,
        "{\n  \"datetime\": \"2022-09-06T11:40:00.123456\",\n  \"sales\": {\n    \"quantity\": 3,\n"
        "    \"total_price\": 3.9000000000000004\n  },\n  \"analytics\": {\"clicks\": 5,\n \"impressions\": 12}\n}\n"
        "{\"analytics\": {\"impressions\": 12, \"clicks\": 5}, \"sales\": {\"total_price\": 3.9000000000000004,\n"
        "\"quantity\": 3}, \"datetime\": \"2022-09-06 11:40:00.123456\"}\n");
    CHECK_EQ_INT(c.rc, 0);
    CHECK_EQ_INT(wbatch_rows(&c.b), 2);
    for (int i = 0; i < 2 && i < wbatch_rows(&c.b); i++) check_seed_row(&c, i);
    fin(&c);
    /* the same pretty text without multiLine: each line is a (bad) record */
    dec(&c, SEED_DDL, NULL, "{\n\"sales\": {}\n}\n");
    CHECK_EQ_INT(c.nbad, 3);
    fin(&c);
}

static void test_fields(void) {
    Ctx c;
    const char *ddl = "a INT, s STRUCT<x: BIGINT, y: STRING, t: STRUCT<z: BOOLEAN>>, d DOUBLE";
    dec(&c, ddl, NULL,
        "{\"a\": 1}\n"                                                                  /* s, d missing */
        "{\"u\": {\"x\": [1, {\"y\": \"}\\\"\"}, [[]]], \"k\": null}, \"a\": 2, \"v\": \"a,b\"}\n" /* unknown skipped */
        "{\"a\": null, \"s\": null, \"d\": null}\n"                                     /* JSON null */
        "{\"s\": {\"t\": {\"z\": true}, \"x\": -7, \"q\": 1}, \"a\": 3}\n"              /* nested, any order */
        "{\"a\": 1, \"a\": 4, \"s\": {\"x\": 1}, \"s\": {\"y\": \"w\"}}\n"               /* duplicates: last wins */
        "{}\n");
    CHECK_EQ_INT(c.rc, 0);
    CHECK_EQ_INT(c.nbad, 0);
    CHECK_EQ_INT(wbatch_rows(&c.b), 6);
    WVec *a = col(&c, 0), *s = col(&c, 1), *d = col(&c, 2);
    WVec *x = &s->children[0], *y = &s->children[1], *t = &s->children[2], *z = &t->children[0];
    CHECK_EQ_INT(wvec_i32(a, 0), 1);
    CHECK(wvec_is_null(s, 0) && wvec_is_null(x, 0) && wvec_is_null(z, 0) && wvec_is_null(d, 0));
    CHECK_EQ_INT(wvec_i32(a, 1), 2);
    CHECK(wvec_is_null(s, 1));
    CHECK(wvec_is_null(a, 2) && wvec_is_null(s, 2) && wvec_is_null(d, 2) && wvec_is_null(y, 2));
    CHECK_EQ_INT(wvec_i32(a, 3), 3);
    CHECK(!wvec_is_null(s, 3) && !wvec_is_null(t, 3));
    CHECK_EQ_INT(wvec_i64(x, 3), -7);
    CHECK(wvec_bool(z, 3) && !wvec_is_null(z, 3));
    CHECK(wvec_is_null(y, 3));
    CHECK_EQ_INT(wvec_i32(a, 4), 4);
    CHECK(wvec_is_null(x, 4));
    CHECK(str_is(y, 4, "w"));
    CHECK(wvec_is_null(a, 5) && wvec_is_null(s, 5));
    /* Arrow alignment: every child as long as its parent */
    CHECK_EQ_INT(x->len, 6);
    CHECK_EQ_INT(z->len, 6);
    fin(&c);
}

static void test_numbers(void) {
    Ctx c;
    const char *ddl = "i INT, b BIGINT, d DOUBLE, _corrupt_record STRING";
    static char big[10100];
    /* good values */
    dec(&c, ddl, NULL,
        "{\"i\": -2147483648, \"b\": 9223372036854775807, \"d\": 1}\n"
        "{\"i\": 2147483647, \"b\": -9223372036854775808, \"d\": -0}\n"
        "{\"i\": 0, \"b\": -0, \"d\": 2.5e-3}\n"
        "{\"d\": 1e309}\n"
        "{\"d\": \"NaN\"}\n{\"d\": \"Infinity\"}\n{\"d\": \"-Infinity\"}\n{\"d\": \"+INF\"}\n"
        "{\"d\": 0.1}\n{\"d\": 123456789012345678901234567890}\n{\"d\": 4.9e-324}\n{\"d\": 1.7976931348623157e308}\n");
    CHECK_EQ_INT(c.rc, 0);
    CHECK_EQ_INT(c.nbad, 0);
    CHECK_EQ_INT(wbatch_rows(&c.b), 12);
    WVec *i = col(&c, 0), *b = col(&c, 1), *d = col(&c, 2);
    CHECK_EQ_INT(wvec_i32(i, 0), INT32_MIN);
    CHECK_EQ_INT(wvec_i64(b, 0), INT64_MAX);
    CHECK(wvec_f64(d, 0) == 1.0);
    CHECK_EQ_INT(wvec_i32(i, 1), INT32_MAX);
    CHECK(wvec_i64(b, 1) == INT64_MIN);
    CHECK(wvec_f64(d, 1) == 0.0 && signbit(wvec_f64(d, 1)));
    CHECK_EQ_INT(wvec_i64(b, 2), 0);
    CHECK(wvec_f64(d, 2) == 0.0025);
    CHECK(isinf(wvec_f64(d, 3)) && wvec_f64(d, 3) > 0);
    CHECK(isnan(wvec_f64(d, 4)));
    CHECK(isinf(wvec_f64(d, 5)) && wvec_f64(d, 5) > 0);
    CHECK(isinf(wvec_f64(d, 6)) && wvec_f64(d, 6) < 0);
    CHECK(isinf(wvec_f64(d, 7)) && wvec_f64(d, 7) > 0);
    CHECK(wvec_f64(d, 8) == 0.1);
    CHECK(wvec_f64(d, 9) == 1.2345678901234568e29);
    CHECK(wvec_f64(d, 10) == 4.9e-324 && wvec_f64(d, 10) > 0);
    CHECK(wvec_f64(d, 11) == 1.7976931348623157e308);
    CHECK(wvec_is_null(col(&c, 3), 0));
    fin(&c);
    /* bad for integer columns, each a bad record in PERMISSIVE with its raw text */
    const char *bad[] = {"{\"i\": 2.5}", "{\"i\": 3e10}", "{\"i\": 2147483648}", "{\"b\": 9223372036854775808}",
                         "{\"i\": \"1\"}", "{\"i\": 1.0}", "{\"d\": \"nan\"}", "{\"d\": true}", "{\"i\": [1]}"};
    int nb = (int)(sizeof bad / sizeof *bad);
    char text[2048] = "";
    for (int k = 0; k < nb; k++) {
        strcat(text, bad[k]);
        strcat(text, "\n");
    }
    dec(&c, ddl, NULL, text);
    CHECK_EQ_INT(c.rc, 0);
    CHECK_EQ_INT(c.nbad, nb);
    CHECK_EQ_INT(wbatch_rows(&c.b), nb);
    for (int k = 0; k < nb && k < wbatch_rows(&c.b); k++) {
        CHECK(wvec_is_null(col(&c, 0), k) && wvec_is_null(col(&c, 1), k) && wvec_is_null(col(&c, 2), k));
        CHECK(str_is(col(&c, 3), k, bad[k]));
        CHECK_EQ_STR(c.raw[k], bad[k]);
        CHECK_EQ_INT(c.line[k], k + 1);
    }
    CHECK(strstr(c.reason[0], "field i: 2.5 is not an INT") != NULL);
    CHECK(strstr(c.reason[2], "out of range") != NULL);
    fin(&c);
    /* a 10,000-digit number: DOUBLE gets inf (or its exact value), INT a bad record */
    memcpy(big, "{\"d\": ", 6);
    memset(big + 6, '7', 10000);
    memcpy(big + 10006, "}\n", 3);
    dec(&c, ddl, NULL, big);
    CHECK_EQ_INT(c.nbad, 0);
    CHECK(wbatch_rows(&c.b) == 1 && isinf(wvec_f64(col(&c, 2), 0)));
    fin(&c);
    memcpy(big, "{\"i\": ", 6);
    dec(&c, ddl, NULL, big);
    CHECK_EQ_INT(c.nbad, 1);
    CHECK(wbatch_rows(&c.b) == 1 && wvec_is_null(col(&c, 0), 0));
    fin(&c);
    /* 10,000 digits after "0." : a small exact double */
    memcpy(big, "{\"d\": 0.", 8);
    memset(big + 8, '0', 9990);
    memcpy(big + 9998, "5}\n", 4);
    dec(&c, ddl, NULL, big);
    CHECK(wbatch_rows(&c.b) == 1 && wvec_f64(col(&c, 2), 0) == 0.0);
    fin(&c);
}

static void test_strings_bools(void) {
    Ctx c;
    const char *ddl = "s STRING, f BOOLEAN";
    dec(&c, ddl, NULL,
        "{\"s\": \"caf\\u00e9 \\ud83d\\ude00 \\\"q\\\" \\\\ \\/ \\b\\f\\n\\r\\t\", \"f\": true}\n"
        "{\"s\": 12.50, \"f\": false}\n"
        "{\"s\": {\"a\": [1, \"x y\", {}],\n \"b\": null}}\n"
        "{\"s\": true}\n"
        "{\"s\": \"\xe2\x82\xac plain\"}\n"
        "{\"s\": \"\"}\n");
    CHECK_EQ_INT(c.rc, 0);
    /* without multiLine the object spread over lines 3-4 gives two malformed lines */
    CHECK_EQ_INT(c.nbad, 2);
    CHECK_EQ_INT(wbatch_rows(&c.b), 7);
    CHECK_EQ_INT(c.line[0], 3);
    CHECK_EQ_INT(c.line[1], 4);
    fin(&c);
    const char *ml[] = {"multiLine=true", NULL};
    dec(&c, ddl, ml,
        "{\"s\": \"caf\\u00e9 \\ud83d\\ude00 \\\"q\\\" \\\\ \\/ \\b\\f\\n\\r\\t\", \"f\": true}\n"
        "{\"s\": 12.50, \"f\": false}\n"
        "{\"s\": {\"a\": [1, \"x y\", {}],\n \"b\": null}}\n"
        "{\"s\": true}\n"
        "{\"s\": \"\xe2\x82\xac plain\"}\n"
        "{\"s\": \"\"}\n");
    CHECK_EQ_INT(c.rc, 0);
    CHECK_EQ_INT(c.nbad, 0);
    CHECK_EQ_INT(wbatch_rows(&c.b), 6);
    WVec *s = col(&c, 0), *f = col(&c, 1);
    CHECK(str_is(s, 0, "caf\xc3\xa9 \xf0\x9f\x98\x80 \"q\" \\ / \b\f\n\r\t"));
    CHECK(wvec_bool(f, 0) && !wvec_is_null(f, 0));
    CHECK(str_is(s, 1, "12.50"));
    CHECK(!wvec_bool(f, 1) && !wvec_is_null(f, 1));
    CHECK(str_is(s, 2, "{\"a\":[1,\"x y\",{}],\"b\":null}"));
    CHECK(str_is(s, 3, "true"));
    CHECK(str_is(s, 4, "\xe2\x82\xac plain"));
    CHECK(str_is(s, 5, ""));
    CHECK(wvec_is_null(f, 2));
    fin(&c);
    /* booleans only from true/false; strings rejected: control character, bad escape, lone surrogate,
     * invalid UTF-8 (overlong, surrogate, truncated) */
    const char *bad[] = {"{\"f\": \"true\"}", "{\"f\": 1}", "{\"s\": \"a\tb\"}", "{\"s\": \"\\x\"}",
                         "{\"s\": \"\\ud800\"}", "{\"s\": \"\\udc00\\ud800\"}", "{\"s\": \"\xc0\xaf\"}",
                         "{\"s\": \"\xed\xa0\x80\"}", "{\"s\": \"\xe2\x82\"}", "{\"s\": \"\xf4\x90\x80\x80\"}"};
    int nb = (int)(sizeof bad / sizeof *bad);
    char text[1024] = "";
    for (int k = 0; k < nb; k++) strcat(text, bad[k]), strcat(text, "\n");
    dec(&c, ddl, NULL, text);
    CHECK_EQ_INT(c.rc, 0);
    CHECK_EQ_INT(c.nbad, nb);
    CHECK_EQ_INT(wbatch_rows(&c.b), nb);
    CHECK(strstr(c.reason[2], "control character") != NULL);
    CHECK(strstr(c.reason[4], "surrogate") != NULL);
    CHECK(strstr(c.reason[6], "UTF-8") != NULL);
    fin(&c);
}

static void test_time(void) {
    Ctx c;
    const char *ddl = "t TIMESTAMP, d DATE";
    dec(&c, ddl, NULL,
        "{\"t\": \"2022-09-06T11:40:00.123456\", \"d\": \"2022-09-06\"}\n"
        "{\"t\": 1662464400, \"d\": \"1970-01-01\"}\n"
        "{\"t\": \"2022-09-06T11:40:00.123456Z\"}\n"
        "{\"t\": \"2022-09-06T13:40:00+02:00\"}\n"
        "{\"t\": -1}\n");
    CHECK_EQ_INT(c.rc, 0);
    CHECK_EQ_INT(c.nbad, 0);
    CHECK_EQ_INT(wbatch_rows(&c.b), 5);
    WVec *t = col(&c, 0), *d = col(&c, 1);
    CHECK_EQ_INT(wvec_i64(t, 0), 1662464400123456LL);
    CHECK_EQ_INT(wvec_i32(d, 0), 19241);
    CHECK_EQ_INT(wvec_i64(t, 1), 1662464400000000LL);
    CHECK_EQ_INT(wvec_i32(d, 1), 0);
    CHECK(!wvec_is_null(d, 1));
    CHECK_EQ_INT(wvec_i64(t, 2), 1662464400123456LL);
    CHECK_EQ_INT(wvec_i64(t, 3), 1662464400000000LL);
    CHECK_EQ_INT(wvec_i64(t, 4), -1000000);
    fin(&c);
    const char *bad[] = {"{\"t\": \"yesterday\"}", "{\"t\": 1.5}", "{\"d\": \"2022-13-01\"}", "{\"d\": 19241}",
                         "{\"t\": 9223372036855}", "{\"t\": \"\"}"};
    int nb = (int)(sizeof bad / sizeof *bad);
    char text[1024] = "";
    for (int k = 0; k < nb; k++) strcat(text, bad[k]), strcat(text, "\n");
    dec(&c, ddl, NULL, text);
    CHECK_EQ_INT(c.nbad, nb);
    fin(&c);
    /* zone-less text in the session time zone */
    const char *tz[] = {"timeZone=+02:00", NULL};
    dec(&c, ddl, tz, "{\"t\": \"2022-09-06T11:40:00\"}\n{\"t\": \"2022-09-06T11:40:00Z\"}\n");
    CHECK_EQ_INT(c.rc, 0);
    CHECK(wbatch_rows(&c.b) == 2);
    if (wbatch_rows(&c.b) == 2) {
        CHECK_EQ_INT(wvec_i64(col(&c, 0), 0), 1662457200000000LL);
        CHECK_EQ_INT(wvec_i64(col(&c, 0), 1), 1662464400000000LL);
    }
    fin(&c);
}

/* Decimal -> double without strtod (short and 16-19 digit mantissas) agrees bit for bit with
 * wnum_parse_double (correctly rounded) on random decimals and on exact midpoints between doubles. */
static void test_double_fast_paths(void) {
    enum { N = 200000 };
    WBuf text;
    wbuf_init(&text);
    static const char *fixed[] = {"9007199254740993", "9007199254740995", "9007199254740992.5", "3.9000000000000004",
                                  "0.7000000000000001", "1.7976931348623157e308", "123456789012345678.9e-5",
                                  "4503599627370497.5", "1152921504606846977", "2.2250738585072014e-308"};
    int nf = (int)(sizeof fixed / sizeof *fixed);
    char (*nums)[48] = malloc(sizeof *nums * (N + 16));
    for (int i = 0; i < N + nf; i++) {
        if (i < nf) {
            snprintf(nums[i], 48, "%s", fixed[i]);
        } else {
            int digits = 1 + (int)(rnd_t() % 19), dot = (int)(rnd_t() % (digits + 1)), k = 0;
            if (rnd_t() % 2) nums[i][k++] = '-';
            for (int d = 0; d < digits; d++) {
                if (d == dot && d) nums[i][k++] = '.';
                nums[i][k++] = (char)('0' + (d == 0 ? 1 + rnd_t() % 9 : rnd_t() % 10));
            }
            if (rnd_t() % 3 == 0) k += snprintf(nums[i] + k, 16, "e%d", (int)(rnd_t() % 61) - 30);
            nums[i][k] = 0;
        }
        wbuf_printf(&text, "{\"d\": %s}\n", nums[i]);
    }
    Ctx c;
    dec_n(&c, "d DOUBLE", NULL, text.data, text.len, 1 << 20);
    CHECK_EQ_INT(wbatch_rows(&c.b), N + nf);
    long same = 0;
    for (int i = 0; i < N + nf && i < wbatch_rows(&c.b); i++) {
        double want, got = wvec_f64(col(&c, 0), i);
        wnum_parse_double(nums[i], strlen(nums[i]), &want);
        if (!memcmp(&want, &got, 8)) same++;
        else if (i - same < 4) fprintf(stderr, "double fast path: %s gives %.17g, want %.17g\n", nums[i], got, want);
    }
    CHECK_EQ_INT(same, N + nf);
    fin(&c);
    free(nums);
    wbuf_fini(&text);
}

/* The decoder's fast path for zone-less ISO timestamps agrees with core/time's parser (accept/reject and
 * value) on random texts near the valid layout. */
static void test_time_fast_path(void) {
    static const char *pick[] = {"0", "1", "2", "9", "3", "5"};
    WType s;
    WErr err;
    werr_init(&err);
    wschema_parse("t TIMESTAMP", 11, &s, &err);
    WJsonReader *r;
    wjson_reader_open(&s, NULL, &r, &err);
    WBatch b;
    wbatch_init(&b, &s);
    long agree = 0, n = 0, accepted = 0;
    for (int it = 0; it < 20000; it++) {
        char t[40];
        unsigned y = (unsigned)(rnd_t() % 10000), mo = (unsigned)(rnd_t() % 14), d = (unsigned)(rnd_t() % 33);
        unsigned h = (unsigned)(rnd_t() % 26), mi = (unsigned)(rnd_t() % 62), se = (unsigned)(rnd_t() % 62);
        int len = snprintf(t, sizeof t, "%04u-%02u-%02u%c%02u:%02u:%02u", y, mo, d, rnd_t() % 4 ? 'T' : ' ', h, mi, se);
        int fd = (int)(rnd_t() % 9);
        if (fd) {
            t[len++] = '.';
            for (int i = 0; i < fd - 1; i++) t[len++] = pick[rnd_t() % 6][0];
        }
        if (rnd_t() % 50 == 0) t[rnd_t() % len] = 'x';
        t[len] = 0;
        int64_t want = 0;
        int wrc = wtime_parse_timestamp(t, (size_t)len, NULL, &want);
        char rec[80];
        int rl = snprintf(rec, sizeof rec, "{\"t\": \"%s\"}", t);
        wbatch_reset(&b);
        int done;
        wjson_begin(r, "fp", rec, (size_t)rl);
        wjson_next(r, &b, 10, &done, &err);
        int got_ok = wbatch_rows(&b) == 1 && !wvec_is_null(wbatch_col(&b, 0), 0);
        n++;
        if (got_ok == (wrc == 0) && (!got_ok || wvec_i64(wbatch_col(&b, 0), 0) == want)) agree++;
        else if (n - agree < 4) fprintf(stderr, "fast path disagrees on %s\n", t);
        accepted += got_ok;
    }
    CHECK_EQ_INT(agree, n);
    CHECK(accepted > 1000);
    wbatch_fini(&b);
    wjson_reader_close(r);
    wtype_fini(&s);
}

/* timestampFormat / dateFormat patterns, reading and writing */
static void test_time_patterns(void) {
    Ctx c;
    const char *o[] = {"timestampFormat=dd/MM/yyyy HH:mm", "dateFormat=dd.MM.yyyy", "timeZone=+02:00", NULL};
    dec(&c, "t TIMESTAMP, d DATE", o,
        "{\"t\": \"06/09/2022 13:40\", \"d\": \"06.09.2022\"}\n{\"t\": \"2022-09-06T11:40:00\"}\n");
    CHECK_EQ_INT(c.rc, 0);
    CHECK_EQ_INT(c.nbad, 1); /* ISO text does not match the pattern */
    CHECK_EQ_INT(wbatch_rows(&c.b), 2);
    CHECK_EQ_INT(wvec_i64(col(&c, 0), 0), 1662464400000000LL);
    CHECK_EQ_INT(wvec_i32(col(&c, 1), 0), 19241);
    /* written back with the same options */
    WJsonWriter *w;
    WOpts wo;
    wopts_init(&wo);
    for (int i = 0; o[i]; i++) wopts_set_pair(&wo, o[i], &c.err);
    CHECK_EQ_INT(wjson_writer_open(&c.schema, &wo, &w, &c.err), 0);
    WBuf out;
    wbuf_init(&out);
    wbatch_truncate(&c.b, 1);
    CHECK_EQ_INT(wjson_write_batch(w, &c.b, &out, &c.err), 0);
    const char *want = "{\"t\":\"06/09/2022 13:40\",\"d\":\"06.09.2022\"}\n";
    CHECK_EQ_MEM(out.data, out.len, want, strlen(want));
    wjson_writer_close(w);
    wopts_fini(&wo);
    /* default writer: ISO in UTC, or in the session zone */
    wbuf_reset(&out);
    wopts_init(&wo);
    wopts_set(&wo, "timeZone", "+02:00");
    CHECK_EQ_INT(wjson_writer_open(&c.schema, &wo, &w, &c.err), 0);
    CHECK_EQ_INT(wjson_write_batch(w, &c.b, &out, &c.err), 0);
    want = "{\"t\":\"2022-09-06T13:40:00.000000+02:00\",\"d\":\"2022-09-06\"}\n";
    CHECK_EQ_MEM(out.data, out.len, want, strlen(want));
    wjson_writer_close(w);
    wopts_fini(&wo);
    wbuf_fini(&out);
    fin(&c);
    /* a bad pattern is an error at open */
    const char *bad[] = {"timestampFormat=yyyy-qq", NULL};
    dec(&c, "t TIMESTAMP", bad, "{}");
    CHECK(c.rc != 0);
    fin(&c);
}

static void test_modes(void) {
    Ctx c;
    const char *text = "{\"a\": 1, \"b\": \"x\"}\n"
                       "{\"a\": 2, \"b\": \n"                /* truncated: malformed */
                       "  {\"a\": 2.5, \"b\": \"y\"}\n"      /* wrong type */
                       "[1]\n"                               /* not an object */
                       "{\"a\": 4}";
    /* PERMISSIVE with a corrupt-record column (named by option) */
    const char *p1[] = {"columnNameOfCorruptRecord=bad", NULL};
    dec(&c, "a INT, b STRING, bad STRING", p1, text);
    CHECK_EQ_INT(c.rc, 0);
    CHECK_EQ_INT(c.nbad, 3);
    CHECK_EQ_INT(c.ncb, 3);
    CHECK_EQ_INT(wbatch_rows(&c.b), 5);
    if (wbatch_rows(&c.b) == 5) {
        CHECK_EQ_INT(wvec_i32(col(&c, 0), 0), 1);
        CHECK(str_is(col(&c, 1), 0, "x") && wvec_is_null(col(&c, 2), 0));
        CHECK(wvec_is_null(col(&c, 0), 1) && wvec_is_null(col(&c, 1), 1));
        CHECK(str_is(col(&c, 2), 1, "{\"a\": 2, \"b\": "));
        CHECK(wvec_is_null(col(&c, 0), 2) && wvec_is_null(col(&c, 1), 2));
        CHECK(str_is(col(&c, 2), 2, "{\"a\": 2.5, \"b\": \"y\"}"));
        CHECK(str_is(col(&c, 2), 3, "1")); /* a line holding an array: its element is the record */
        CHECK_EQ_INT(wvec_i32(col(&c, 0), 4), 4);
    }
    /* the callback: path, line, offset of the record, reason, raw */
    CHECK_EQ_STR(c.path[0], "in.json");
    CHECK_EQ_INT(c.line[0], 2);
    CHECK_EQ_INT(c.off[0], 19);
    CHECK(strstr(c.reason[0], "malformed JSON") != NULL);
    CHECK_EQ_INT(c.line[1], 3);
    CHECK_EQ_INT(c.off[1], 36); /* the record starts after the two spaces */
    CHECK_EQ_STR(c.raw[1], "{\"a\": 2.5, \"b\": \"y\"}");
    CHECK(strstr(c.reason[1], "field a: 2.5 is not an INT") != NULL);
    CHECK_EQ_INT(c.line[2], 4);
    CHECK(strstr(c.reason[2], "not a JSON object") != NULL);
    fin(&c);
    /* a key named like the corrupt-record column is not data (Spark leaves that column out of parsing) */
    dec(&c, "a INT, _corrupt_record STRING", NULL, "{\"_corrupt_record\": \"x\", \"a\": 1}");
    CHECK_EQ_INT(c.nbad, 0);
    CHECK(wbatch_rows(&c.b) == 1 && wvec_is_null(col(&c, 1), 0) && wvec_i32(col(&c, 0), 0) == 1);
    fin(&c);
    /* PERMISSIVE without the column: rows of NULLs */
    dec(&c, "a INT, b STRING", NULL, text);
    CHECK_EQ_INT(wbatch_rows(&c.b), 5);
    CHECK_EQ_INT(c.nbad, 3);
    CHECK(wvec_is_null(col(&c, 0), 2) && wvec_is_null(col(&c, 1), 2));
    fin(&c);
    /* DROPMALFORMED */
    const char *p2[] = {"mode=dropmalformed", NULL};
    dec(&c, "a INT, b STRING, _corrupt_record STRING", p2, text);
    CHECK_EQ_INT(c.rc, 0);
    CHECK_EQ_INT(wbatch_rows(&c.b), 2);
    CHECK_EQ_INT(c.nbad, 3);
    CHECK_EQ_INT(c.ncb, 3);
    if (wbatch_rows(&c.b) == 2) {
        CHECK_EQ_INT(wvec_i32(col(&c, 0), 0), 1);
        CHECK_EQ_INT(wvec_i32(col(&c, 0), 1), 4);
    }
    fin(&c);
    /* FAILFAST: an error naming the file, line and byte offset of the problem; rows before it kept */
    const char *p3[] = {"mode=FAILFAST", NULL};
    dec(&c, "a INT, b STRING", p3, text);
    CHECK_EQ_INT(c.rc, WEIR_PARSE);
    CHECK_EQ_INT(wbatch_rows(&c.b), 1);
    CHECK_EQ_STR(c.err.path, "in.json");
    CHECK_EQ_INT(c.err.line, 2);
    CHECK_EQ_INT(c.err.offset, 33); /* end of the truncated line: a value was expected there */
    CHECK(strstr(c.err.msg, "in.json") != NULL);
    CHECK(strstr(c.err.msg, "FAILFAST") != NULL);
    CHECK_EQ_INT(c.ncb, 1);
    fin(&c);
    dec(&c, "a INT, b STRING", p3, "{\"a\": 1}\n{\"b\": \"z\",\n \"a\": 7.5}");
    CHECK_EQ_INT(c.rc, WEIR_PARSE);
    fin(&c);
    const char *p4[] = {"mode=FAILFAST", "multiLine=true", NULL};
    dec(&c, "a INT, b STRING", p4, "{\"a\": 1}\n{\"b\": \"z\",\n \"a\": 7.5}");
    CHECK_EQ_INT(c.rc, WEIR_PARSE);
    CHECK_EQ_INT(c.err.line, 3);
    CHECK_EQ_INT(c.err.offset, 26); /* the value 7.5 */
    CHECK(strstr(c.err.msg, "7.5") != NULL);
    fin(&c);
    /* bad option values */
    const char *p5[] = {"mode=LENIENT", NULL};
    dec(&c, "a INT", p5, "{}");
    CHECK_EQ_INT(c.rc, WEIR_MISUSE);
    fin(&c);
    const char *p6[] = {"columnNameOfCorruptRecord=a", NULL};
    dec(&c, "a INT", p6, "{}");
    CHECK_EQ_INT(c.rc, WEIR_MISUSE);
    fin(&c);
}

static void test_arrays(void) {
    Ctx c;
    const char *ddl = "a INT, _corrupt_record STRING";
    /* an element of the wrong type is one bad record, the array goes on */
    dec(&c, ddl, NULL, "[{\"a\": 1}, {\"a\": \"x\"}, null, {\"a\": 3}]\n");
    CHECK_EQ_INT(c.rc, 0);
    CHECK_EQ_INT(c.nbad, 2);
    CHECK_EQ_INT(wbatch_rows(&c.b), 4);
    if (wbatch_rows(&c.b) == 4) {
        CHECK_EQ_INT(wvec_i32(col(&c, 0), 0), 1);
        CHECK(str_is(col(&c, 1), 1, "{\"a\": \"x\"}"));
        CHECK(str_is(col(&c, 1), 2, "null"));
        CHECK_EQ_INT(wvec_i32(col(&c, 0), 3), 3);
    }
    CHECK_EQ_INT(c.off[0], 11);
    fin(&c);
    /* a syntax error inside the array: the rest of the file is one bad record, rows before it kept */
    dec(&c, ddl, NULL, "[\n{\"a\": 1},\n{\"a\": 2,,},\n{\"a\": 3}\n]");
    CHECK_EQ_INT(c.rc, 0);
    CHECK_EQ_INT(c.nbad, 1);
    CHECK_EQ_INT(wbatch_rows(&c.b), 2);
    CHECK_EQ_INT(c.line[0], 3);
    CHECK_EQ_INT(c.off[0], 12);
    CHECK_EQ_STR(c.raw[0], "{\"a\": 2,,},\n{\"a\": 3}\n]");
    CHECK(strstr(c.reason[0], "rest of the file") != NULL);
    fin(&c);
    /* a half-written file (the seed's writer is not atomic) */
    dec(&c, ddl, NULL, "[{\"a\": 1}, {\"a\": 2}, {\"a\"");
    CHECK_EQ_INT(c.nbad, 1);
    CHECK_EQ_INT(wbatch_rows(&c.b), 3);
    CHECK(str_is(col(&c, 1), 2, "{\"a\""));
    fin(&c);
    dec(&c, ddl, NULL, "[{\"a\": 1}, {\"a\": 2}");
    CHECK_EQ_INT(c.nbad, 1);
    CHECK(strstr(c.reason[0], "unterminated array") != NULL);
    fin(&c);
    /* JSON Lines: a line holding an array gives one row per element; the next line is independent */
    dec(&c, ddl, NULL, "[{\"a\": 1}, {\"a\": 2}]\n{\"a\": 3}\n[{\"a\": 4},]\n{\"a\": 5}\n[]\n");
    CHECK_EQ_INT(c.rc, 0);
    /* 1 2 3 4 then bad "]" rest of line 3, then 5 */
    CHECK_EQ_INT(wbatch_rows(&c.b), 6);
    CHECK_EQ_INT(c.nbad, 1);
    if (wbatch_rows(&c.b) == 6) {
        CHECK_EQ_INT(wvec_i32(col(&c, 0), 3), 4);
        CHECK(str_is(col(&c, 1), 4, "]"));
        CHECK_EQ_INT(wvec_i32(col(&c, 0), 5), 5);
    }
    fin(&c);
    /* an empty array, an empty file, blanks only */
    dec(&c, ddl, NULL, " [ ] ");
    CHECK_EQ_INT(wbatch_rows(&c.b), 0);
    CHECK_EQ_INT(c.nbad, 0);
    fin(&c);
    dec(&c, ddl, NULL, "");
    CHECK_EQ_INT(wbatch_rows(&c.b) + c.nbad, 0);
    fin(&c);
    dec(&c, ddl, NULL, "\xEF\xBB\xBF{\"a\": 9}");
    CHECK_EQ_INT(wbatch_rows(&c.b), 1);
    CHECK_EQ_INT(wvec_i32(col(&c, 0), 0), 9);
    fin(&c);
}

static void test_resume(void) {
    char text[4096] = "[";
    for (int i = 0; i < 10; i++) {
        char rec[64];
        snprintf(rec, sizeof rec, "%s{\"a\": %d}", i ? "," : "", i);
        strcat(text, rec);
    }
    strcat(text, "]");
    WType s;
    WErr err;
    werr_init(&err);
    wschema_parse("a INT", 5, &s, &err);
    WJsonReader *r;
    CHECK_EQ_INT(wjson_reader_open(&s, NULL, &r, &err), 0);
    WBatch b;
    wbatch_init(&b, &s);
    wjson_begin(r, "f", text, strlen(text));
    int done = 0, calls = 0, next = 0;
    int64_t got[8];
    while (!done && calls < 8) {
        wbatch_reset(&b);
        CHECK_EQ_INT(wjson_next(r, &b, 3, &done, &err), 0);
        got[calls++] = wbatch_rows(&b);
        for (int64_t i = 0; i < wbatch_rows(&b); i++) CHECK_EQ_INT(wvec_i32(wbatch_col(&b, 0), i), next++);
    }
    CHECK_EQ_INT(next, 10);
    CHECK(calls >= 4 && got[0] == 3 && got[1] == 3 && got[2] == 3 && got[3] == 1);
    /* the same reader on a second file, JSON Lines this time */
    wbatch_reset(&b);
    wjson_begin(r, "g", "{\"a\": 5}\n{\"a\": 6}\n", 18);
    CHECK_EQ_INT(wjson_next(r, &b, 100, &done, &err), 0);
    CHECK(done && wbatch_rows(&b) == 2 && wvec_i32(wbatch_col(&b, 0), 1) == 6);
    wbatch_fini(&b);
    wjson_reader_close(r);
    wtype_fini(&s);
}

static void test_limits(void) {
    Ctx c;
    /* deep nesting: an error (bad record), never a stack overflow */
    size_t n = 200000;
    char *deep = malloc(n * 2 + 32);
    strcpy(deep, "{\"a\": 1, \"x\": ");
    size_t k = strlen(deep);
    memset(deep + k, '[', n);
    memset(deep + k + n, ']', n);
    strcpy(deep + k + 2 * n, "}\n{\"a\": 2}\n");
    dec(&c, "a INT", NULL, deep);
    CHECK_EQ_INT(c.rc, 0);
    CHECK_EQ_INT(c.nbad, 1);
    CHECK(strstr(c.reason[0], "nesting") != NULL);
    CHECK(wbatch_rows(&c.b) == 2 && wvec_i32(col(&c, 0), 1) == 2);
    fin(&c);
    WErr err;
    werr_init(&err);
    CHECK_EQ_INT(wjson_validate("deep", deep, strlen(deep), &err), WEIR_PARSE);
    CHECK(strstr(err.msg, "nesting") != NULL);
    /* 500 levels are fine, into a STRING column as raw text */
    strcpy(deep, "{\"s\": ");
    memset(deep + 6, '[', 500);
    memset(deep + 506, ']', 500);
    strcpy(deep + 1006, "}");
    dec(&c, "s STRING", NULL, deep);
    CHECK_EQ_INT(c.nbad, 0);
    size_t sl;
    wvec_str(col(&c, 0), 0, &sl);
    CHECK_EQ_INT(sl, 1000);
    fin(&c);
    free(deep);

    /* a 100 MB string: decoded into STRING, skipped when unknown, raw text when corrupt */
    size_t big = 100u << 20;
    char *t = malloc(big + 64);
    memcpy(t, "{\"s\": \"", 7);
    memset(t + 7, 'q', big);
    memcpy(t + 7 + big, "\", \"n\": 5}\n", 12);
    size_t tl = 7 + big + 11;
    dec_n(&c, "s STRING, n INT", NULL, t, tl, 10);
    CHECK_EQ_INT(c.rc, 0);
    CHECK_EQ_INT(wbatch_rows(&c.b), 1);
    const char *sv = wvec_str(col(&c, 0), 0, &sl);
    CHECK_EQ_INT(sl, big);
    CHECK(sv[0] == 'q' && sv[big - 1] == 'q');
    CHECK_EQ_INT(wvec_i32(col(&c, 1), 0), 5);
    fin(&c);
    dec_n(&c, "n INT", NULL, t, tl, 10);
    CHECK(wbatch_rows(&c.b) == 1 && wvec_i32(col(&c, 0), 0) == 5);
    fin(&c);
    t[7 + big / 2] = '\x01'; /* a control character in the middle: a bad record, raw text kept */
    dec_n(&c, "n INT, _corrupt_record STRING", NULL, t, tl, 10);
    CHECK_EQ_INT(c.nbad, 1);
    CHECK(wbatch_rows(&c.b) == 1 && wvec_is_null(col(&c, 0), 0));
    wvec_str(col(&c, 1), 0, &sl);
    CHECK_EQ_INT(sl, tl - 1);
    fin(&c);
    werr_init(&err);
    CHECK_EQ_INT(wjson_validate("big", t, tl, &err), WEIR_PARSE);
    CHECK_EQ_INT(err.offset, (int64_t)(7 + big / 2));
    free(t);
}

static void test_validate(void) {
    WErr err;
    werr_init(&err);
    CHECK_EQ_INT(wjson_validate("v", "5", 1, &err), 0);
    CHECK_EQ_INT(wjson_validate("v", " \"x\" ", 5, &err), 0);
    const char *jl = "{\"a\":1}\n\n[2]\n3\n";
    CHECK_EQ_INT(wjson_validate("v", jl, strlen(jl), &err), 0);
    const char *bad = "{\"a\":1}\n{\"a\":\n";
    CHECK_EQ_INT(wjson_validate("v.json", bad, strlen(bad), &err), WEIR_PARSE);
    CHECK_EQ_INT(err.line, 2);
    CHECK_EQ_INT(err.offset, 13);
    CHECK_EQ_STR(err.path, "v.json");
    werr_init(&err);
    CHECK_EQ_INT(wjson_validate("v", "{\"a\":1} x", 9, &err), WEIR_PARSE);
    CHECK_EQ_INT(err.offset, 8);
    werr_init(&err);
    CHECK_EQ_INT(wjson_validate("v", "[1,\n2,\n03]", 10, &err), WEIR_PARSE);
    CHECK_EQ_INT(err.line, 3);
    werr_init(&err);
    CHECK_EQ_INT(wjson_validate("v", "", 0, &err), WEIR_PARSE);
}

/* ---- writer ---- */

static void test_writer_text(void) {
    const char *ddl = "s STRING, i INT, b BIGINT, d DOUBLE, f BOOLEAN, t TIMESTAMP, dt DATE, "
                      "st STRUCT<x: INT, y: STRUCT<z: STRING>>";
    WType s;
    WErr err;
    werr_init(&err);
    CHECK_EQ_INT(wschema_parse(ddl, strlen(ddl), &s, &err), 0);
    WBatch b;
    wbatch_init(&b, &s);
    /* row 0: every value */
    wbatch_begin_row(&b);
    wvec_append_str(wbatch_col(&b, 0), "a\"b\\c\n\x01\x1f\xc3\xa9\x7f/", 12);
    wvec_append_i32(wbatch_col(&b, 1), -5);
    wvec_append_i64(wbatch_col(&b, 2), INT64_MIN);
    wvec_append_f64(wbatch_col(&b, 3), 3.9000000000000004);
    wvec_append_bool(wbatch_col(&b, 4), 1);
    wvec_append_i64(wbatch_col(&b, 5), 1662464400123456LL);
    wvec_append_i32(wbatch_col(&b, 6), 19241);
    WVec *st = wbatch_col(&b, 7);
    wvec_append_struct(st);
    wvec_append_i32(&st->children[0], 7);
    wvec_append_struct(&st->children[1]);
    wvec_append_str(&st->children[1].children[0], "", 0);
    /* row 1: NULLs omitted, NaN, struct with a NULL field */
    wbatch_begin_row(&b);
    for (int i = 0; i < 7; i++) {
        if (i == 3) wvec_append_f64(wbatch_col(&b, 3), NAN);
        else wvec_append_null(wbatch_col(&b, i));
    }
    wvec_append_struct(st);
    wvec_append_null(&st->children[0]);
    wvec_append_null(&st->children[1]);
    /* row 2: all NULL; row 3: infinities */
    wbatch_begin_row(&b);
    for (int i = 0; i < 8; i++) wvec_append_null(wbatch_col(&b, i));
    wbatch_begin_row(&b);
    for (int i = 0; i < 8; i++) {
        if (i == 3) wvec_append_f64(wbatch_col(&b, 3), -INFINITY);
        else wvec_append_null(wbatch_col(&b, i));
    }
    WJsonWriter *w;
    CHECK_EQ_INT(wjson_writer_open(&s, NULL, &w, &err), 0);
    WBuf out;
    wbuf_init(&out);
    CHECK_EQ_INT(wjson_write_batch(w, &b, &out, &err), 0);
    const char *want = "{\"s\":\"a\\\"b\\\\c\\n\\u0001\\u001f\xc3\xa9\x7f/\",\"i\":-5,\"b\":-9223372036854775808,"
                       "\"d\":3.9000000000000004,\"f\":true,\"t\":\"2022-09-06T11:40:00.123456Z\",\"dt\":\"2022-09-06\","
                       "\"st\":{\"x\":7,\"y\":{\"z\":\"\"}}}\n"
                       "{\"d\":\"NaN\",\"st\":{}}\n"
                       "{}\n"
                       "{\"d\":\"-Infinity\"}\n";
    CHECK_EQ_MEM(out.data, out.len, want, strlen(want));
    /* what it writes is valid JSON Lines */
    CHECK_EQ_INT(wjson_validate("w", out.data, out.len, &err), 0);
    wbuf_fini(&out);
    wjson_writer_close(w);
    wbatch_fini(&b);
    wtype_fini(&s);
}

static uint64_t rng = 88172645463325252ull;
static uint64_t rnd(void) {
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

static void fill_random(WVec *v) {
    if (rnd() % 5 == 0) {
        wvec_append_null(v);
        return;
    }
    switch (v->type->id) {
    case WT_BOOLEAN: wvec_append_bool(v, (int)(rnd() & 1)); break;
    case WT_INT: wvec_append_i32(v, (int32_t)rnd()); break;
    case WT_BIGINT: wvec_append_i64(v, (int64_t)rnd()); break;
    case WT_DOUBLE: {
        uint64_t bits = rnd();
        double d;
        memcpy(&d, &bits, 8);
        if (rnd() % 8 == 0) d = (double)(int64_t)(rnd() % 2000) / 8 - 100;
        wvec_append_f64(v, d);
        break;
    }
    case WT_STRING: {
        static const char *pieces[] = {"a", "\"", "\\", "\n", "\x01", "\xc3\xa9", "\xf0\x9f\x98\x80", " ", "/", "\t", "\x7f", "{}"};
        char buf[64];
        size_t n = 0, k = rnd() % 8;
        for (size_t i = 0; i < k; i++) {
            const char *p = pieces[rnd() % 12];
            memcpy(buf + n, p, strlen(p));
            n += strlen(p);
        }
        wvec_append_str(v, buf, n);
        break;
    }
    case WT_DATE: wvec_append_i32(v, (int32_t)(rnd() % 2000000) - 1000000); break;
    case WT_TIMESTAMP: wvec_append_i64(v, (int64_t)(rnd() % 400000000000000000ull) - 200000000000000000LL); break;
    case WT_STRUCT:
        wvec_append_struct(v);
        for (int i = 0; i < v->n_children; i++) fill_random(&v->children[i]);
        break;
    default: wvec_append_null(v);
    }
}

static int same_value(const WVec *a, const WVec *b, int64_t i) {
    if (wvec_is_null(a, i) != wvec_is_null(b, i)) return 0;
    if (wvec_is_null(a, i)) return 1;
    switch (a->type->id) {
    case WT_BOOLEAN: return wvec_bool(a, i) == wvec_bool(b, i);
    case WT_INT: case WT_DATE: return wvec_i32(a, i) == wvec_i32(b, i);
    case WT_BIGINT: case WT_TIMESTAMP: return wvec_i64(a, i) == wvec_i64(b, i);
    case WT_DOUBLE: {
        double x = wvec_f64(a, i), y = wvec_f64(b, i);
        if (isnan(x)) return isnan(y);
        return memcmp(&x, &y, 8) == 0;
    }
    case WT_STRING: {
        size_t an = 0, bn = 0;
        const char *as = a->chars ? wvec_str(a, i, &an) : "", *bs = b->chars ? wvec_str(b, i, &bn) : "";
        return an == bn && !memcmp(as, bs, an);
    }
    case WT_STRUCT:
        for (int c = 0; c < a->n_children; c++)
            if (!same_value(&a->children[c], &b->children[c], i)) return 0;
        return 1;
    default: return 0;
    }
}

/* ---- the decoder's shortcuts against its general path ---- */

static int pick(int n) { return (int)(rnd_t() % (unsigned)n); }

/* One of the many shapes a JSON number takes, valid or not. */
static void gen_number(WBuf *o) {
    static const char *odd[] = {"0", "-0", "01", "1.", ".5", "-", "1e", "1e+", "2147483647", "2147483648",
                                "-2147483648", "-2147483649", "9223372036854775807", "9223372036854775808",
                                "99999999999999999999999", "1E2", "1e-2", "0.0", "-0.0", "1.5e308", "1e400",
                                "4.9e-324", "3.9000000000000004", "0.1", "123456789", "1234567890", "+1", "00"};
    switch (pick(6)) {
    case 0: wbuf_printf(o, "%s", odd[pick((int)(sizeof odd / sizeof *odd))]); break;
    case 1: wbuf_printf(o, "%u", (unsigned)pick(100)); break;
    case 2: wbuf_printf(o, "%d", (int)(rnd_t() % 2000000000) - 1000000000); break;
    case 3: wbuf_printf(o, "%u.%0*u", (unsigned)pick(1000), 1 + pick(3), (unsigned)pick(1000)); break;
    case 4: {
        int digits = 1 + pick(21), dot = pick(digits + 1);
        if (pick(3) == 0) wbuf_putc(o, '-');
        for (int d = 0; d < digits; d++) {
            if (d == dot && d) wbuf_putc(o, '.');
            wbuf_putc(o, (char)('0' + (d == 0 ? 1 + pick(9) : pick(10))));
        }
        if (pick(4) == 0) wbuf_printf(o, "%c%s%d", pick(2) ? 'e' : 'E', pick(2) ? "-" : "", pick(30));
        break;
    }
    default: wbuf_printf(o, "%u", (unsigned)(rnd_t() % 4000000000u)); break;
    }
}

static void gen_timestamp(WBuf *o) {
    if (pick(12) == 0) { gen_number(o); return; }
    static const char *dates[] = {"2026-12-07", "2026-12-07", "2026-12-07", "2026-12-08", "2024-02-29",
                                  "2023-02-29", "2026-13-01", "2026-00-10", "0000-01-01", "9999-12-31", "2026-1-07"};
    int odd = pick(8) == 0;
    if (pick(2)) /* the same second as other rows (the decoder caches it), valid or not */
        wbuf_printf(o, "\"%s%c1%u:5%u:%02u", dates[odd ? pick(11) : 0], pick(5) ? 'T' : ' ', (unsigned)pick(2),
                    (unsigned)pick(2), odd ? 60u : 23u + (unsigned)pick(2));
    else
        wbuf_printf(o, "\"%s%c%02u:%02u:%02u", dates[odd ? pick(11) : 0], pick(5) ? 'T' : ' ', (unsigned)pick(odd ? 25 : 24),
                    (unsigned)pick(odd ? 61 : 60), (unsigned)pick(odd ? 61 : 60));
    int fd = odd || pick(8) == 0 ? pick(10) : pick(8); /* 0 to 8 fraction digits, rarely more than 6 */
    if (fd) {
        wbuf_putc(o, '.');
        for (int i = 0; i < fd - 1; i++) wbuf_putc(o, (char)('0' + pick(10)));
    }
    if (odd && pick(2)) wbuf_printf(o, "%s", pick(2) ? "Z" : "+01:00");
    wbuf_putc(o, '"');
}

static void gen_string(WBuf *o) {
    static const char *parts[] = {"abc", "\\n", "\\\"", "\\\\", "\\u00e9", "\\ud83d\\ude00", "\xc3\xa9", " ", "x",
                                  "\\/", "\\t", "2026-12-07"};
    wbuf_putc(o, '"');
    for (int n = pick(5); n > 0; n--) wbuf_printf(o, "%s", parts[pick(12)]);
    wbuf_putc(o, '"');
}

typedef struct GenField {
    const char *name;
    char kind;           /* i b d t s q (boolean), S (the struct st), Y (the struct st.y) */
} GenField;
static const GenField TOP[] = {{"i", 'i'}, {"b", 'b'}, {"d", 'd'}, {"t", 't'}, {"s", 's'}, {"st", 'S'}};
static const GenField ST[] = {{"x", 'i'}, {"y", 'Y'}, {"q", 'q'}};
static const GenField ST_Y[] = {{"z", 's'}, {"w", 'd'}};

/* A record layout: which keys in which order, spelled how, with which whitespace; kept for several
 * records so that the shortcuts (which remember the last one) are hit, and changed now and then. */
typedef struct Shape {
    int order[8], n;
    int spell[8];        /* 0 plain, 1 escaped first letter, 2 unknown key instead, 3 a duplicate of the previous key */
    const char *ws[8][3]; /* before the key, before ':', after ':' */
    struct Shape *sub[8];
} Shape;

static const char *gen_ws(void) {
    static const char *w[] = {"", " ", "", " ", "  ", "\n", "\t", " \r\n "};
    return w[pick(8)];
}

static void shape_init(Shape *sh, const GenField *f, int nf, Shape *pool, int *npool) {
    sh->n = pick(4) == 0 ? pick(nf + 2) : nf;
    if (sh->n > 8) sh->n = 8;
    for (int i = 0; i < sh->n; i++) {
        sh->order[i] = i < nf ? i : pick(nf);
        sh->spell[i] = pick(16) == 0 ? 1 + pick(3) : 0;
        for (int k = 0; k < 3; k++) sh->ws[i][k] = pick(12) ? (k == 1 ? "" : k == 2 ? " " : (i ? " " : "")) : gen_ws();
        sh->sub[i] = NULL;
    }
    for (int i = 0; i < sh->n; i++) { /* shuffle */
        int j = pick(sh->n), t = sh->order[i];
        sh->order[i] = sh->order[j];
        sh->order[j] = t;
    }
    for (int i = 0; i < sh->n; i++) {
        char kind = f[sh->order[i]].kind;
        if (kind == 'S' || kind == 'Y') {
            Shape *c = &pool[(*npool)++];
            if (kind == 'S') shape_init(c, ST, 3, pool, npool);
            else shape_init(c, ST_Y, 2, pool, npool);
            sh->sub[i] = c;
        }
    }
}

static void gen_value(WBuf *o, char kind, const Shape *sub, const GenField *sf, int depth);

static void gen_object(WBuf *o, const Shape *sh, const GenField *f, int depth) {
    wbuf_putc(o, '{');
    for (int i = 0; i < sh->n; i++) {
        if (i) wbuf_putc(o, ',');
        const GenField *fl = &f[sh->order[i]];
        wbuf_printf(o, "%s", sh->ws[i][0]);
        switch (sh->spell[i]) {
        case 1: wbuf_printf(o, "\"\\u%04x%s\"", (unsigned)fl->name[0], fl->name + 1); break;
        case 2: wbuf_printf(o, "\"%s_\"", fl->name); break;
        default: wbuf_printf(o, "\"%s\"", fl->name); break;
        }
        wbuf_printf(o, "%s:%s", sh->ws[i][1], sh->ws[i][2]);
        const GenField *subf = fl->kind == 'S' ? ST : ST_Y;
        gen_value(o, fl->kind, sh->sub[i], subf, depth + 1);
        if (sh->spell[i] == 3) { /* the same key again */
            wbuf_printf(o, ", \"%s\": ", fl->name);
            gen_value(o, fl->kind, sh->sub[i], subf, depth + 1);
        }
    }
    wbuf_printf(o, "%s}", sh->n && pick(4) == 0 ? " " : "");
}

static void gen_value(WBuf *o, char kind, const Shape *sub, const GenField *sf, int depth) {
    int r = pick(160);
    if (r == 0) { wbuf_printf(o, "null"); return; }
    if (r == 1) { gen_number(o); return; }
    if (r == 2) { gen_string(o); return; }
    if (r == 3) { wbuf_printf(o, "%s", pick(2) ? "true" : "[1, {\"a\": [\"x\"]}, null]"); return; }
    if (r == 4 && depth < 4) { wbuf_printf(o, "{\"k\": {\"i\": 1}, \"x\": 2}"); return; }
    switch (kind) {
    case 'i': case 'b':
        if (pick(4)) wbuf_printf(o, "%d", pick(3) ? pick(1000) : (int)(rnd_t() % 2000000000) - 1000000000);
        else gen_number(o);
        break;
    case 'd':
        if (pick(2)) wbuf_printf(o, "%d.%d", pick(100), pick(100));
        else gen_number(o);
        break;
    case 't': gen_timestamp(o); break;
    case 's': gen_string(o); break;
    case 'q': wbuf_printf(o, "%s", pick(2) ? "true" : "false"); break;
    default:
        if (sub) gen_object(o, sub, sf, depth);
        else wbuf_printf(o, "{}");
        break;
    }
}

/* Random texts in both framings, decoded with the shortcuts on and off: the rows (values and NULLs),
 * the bad-record count, the reasons, places and raw text of the bad records must all be the same. */
static void test_fast_paths_differential(void) {
    const char *ddl = "i INT, b BIGINT, d DOUBLE, t TIMESTAMP, s STRING, "
                      "st STRUCT<x: INT, y: STRUCT<z: STRING, w: DOUBLE>, q: BOOLEAN>, _corrupt_record STRING";
    const char *const modes[][2] = {{NULL, NULL}, {"mode=DROPMALFORMED", NULL}, {"multiLine=true", NULL}};
    long texts = 0, rows = 0, good = 0, bad_rows = 0, differ = 0;
    WBuf text;
    wbuf_init(&text);
    Shape pool[64];
    for (int it = 0; it < 3000; it++) {
        wbuf_reset(&text);
        int npool = 1;
        shape_init(&pool[0], TOP, 6, pool, &npool);
        int array = pick(2), nrec = 1 + pick(40);
        if (array) wbuf_printf(&text, "%s[", pick(4) ? "" : " \n");
        for (int k = 0; k < nrec; k++) {
            if (pick(8) == 0) { /* a new layout from here on */
                npool = 1;
                shape_init(&pool[0], TOP, 6, pool, &npool);
            }
            if (k && array) wbuf_printf(&text, ",%s", pick(3) ? " " : "\n");
            if (pick(60) == 0) wbuf_printf(&text, "%s", pick(2) ? "[1]" : "\"rec\"");
            else gen_object(&text, &pool[0], TOP, 1);
            if (pick(200) == 0) { /* a cut record */
                size_t cut = (size_t)pick(4);
                text.len -= cut < text.len ? cut : text.len;
            }
            if (!array) wbuf_putc(&text, '\n');
        }
        if (array) wbuf_putc(&text, ']');
        const char *const *opts = modes[pick(3)];
        int64_t step = 1 + pick(50);
        Ctx a, b;
        dec_fast = 1;
        dec_n(&a, ddl, opts, text.data, text.len, step);
        dec_fast = 0;
        dec_n(&b, ddl, opts, text.data, text.len, step);
        dec_fast = 1;
        texts++;
        int same = a.rc == b.rc && a.nbad == b.nbad && a.ncb == b.ncb && wbatch_rows(&a.b) == wbatch_rows(&b.b) &&
                   !strcmp(a.err.msg, b.err.msg);
        for (int i = 0; same && i < a.ncb && i < MAXBAD; i++)
            same = !strcmp(a.reason[i], b.reason[i]) && a.raw_len[i] == b.raw_len[i] && a.off[i] == b.off[i] &&
                   a.line[i] == b.line[i] && !strcmp(a.raw[i], b.raw[i]);
        for (int64_t r = 0; same && r < wbatch_rows(&a.b); r++) same = same_value(&a.b.root, &b.b.root, r);
        rows += wbatch_rows(&a.b);
        for (int64_t r = 0; r < wbatch_rows(&a.b); r++) good += wvec_is_null(wbatch_col(&a.b, 6), r);
        bad_rows += a.nbad;
        if (!same && getenv("JSON_DIFF_DUMP")) {
            FILE *df = fopen(getenv("JSON_DIFF_DUMP"), "w");
            if (df) { fprintf(df, "%s\n%.*s", opts[0] ? opts[0] : "-", (int)text.len, text.data); fclose(df); }
        }
        if (!same && differ++ < 3)
            fprintf(stderr, "shortcuts change the result (rc %d/%d, rows %lld/%lld, bad %lld/%lld) of:\n%.*s\n", a.rc,
                    b.rc, (long long)wbatch_rows(&a.b), (long long)wbatch_rows(&b.b), (long long)a.nbad,
                    (long long)b.nbad, (int)(text.len < 2000 ? text.len : 2000), text.data);
        fin(&a);
        fin(&b);
    }
    printf("fast paths vs general path: %ld texts, %ld rows (%ld good), %ld bad records, %ld differ\n", texts, rows,
           good, bad_rows, differ);
    CHECK_EQ_INT(differ, 0);
    CHECK(good > 10000);
    CHECK(bad_rows > 1000);
    wbuf_fini(&text);
}

static void test_roundtrip(void) {
    const char *ddl = "s STRING, i INT, b BIGINT, d DOUBLE, f BOOLEAN, t TIMESTAMP, dt DATE, "
                      "st STRUCT<x: INT, y: STRUCT<z: STRING, w: DOUBLE>, q: BOOLEAN>";
    WType s;
    WErr err;
    werr_init(&err);
    wschema_parse(ddl, strlen(ddl), &s, &err);
    WJsonWriter *w;
    WJsonReader *r;
    CHECK_EQ_INT(wjson_writer_open(&s, NULL, &w, &err), 0);
    CHECK_EQ_INT(wjson_reader_open(&s, NULL, &r, &err), 0);
    WBatch a, b;
    wbatch_init(&a, &s);
    wbatch_init(&b, &s);
    WBuf out;
    wbuf_init(&out);
    long mismatches = 0, rows = 0;
    for (int round = 0; round < 20; round++) {
        wbatch_reset(&a);
        wbatch_reset(&b);
        wbuf_reset(&out);
        for (int i = 0; i < 500; i++) {
            wbatch_begin_row(&a);
            for (int c = 0; c < a.root.n_children; c++) fill_random(wbatch_col(&a, c));
        }
        CHECK_EQ_INT(wjson_write_batch(w, &a, &out, &err), 0);
        wjson_begin(r, "rt", out.data, out.len);
        int done = 0;
        CHECK_EQ_INT(wjson_next(r, &b, 1 << 20, &done, &err), 0);
        CHECK_EQ_INT(wbatch_rows(&b), 500);
        if (wbatch_rows(&b) != 500) break;
        for (int64_t i = 0; i < 500; i++) {
            rows++;
            if (!same_value(&a.root, &b.root, i)) {
                if (mismatches++ < 3) {
                    const char *p = out.data;
                    for (int64_t k = 0; k < i; k++) p = strchr(p, '\n') + 1;
                    fprintf(stderr, "round trip differs at row %lld: %.*s\n", (long long)i,
                            (int)(strchr(p, '\n') - p), p);
                }
            }
        }
    }
    CHECK_EQ_INT(mismatches, 0);
    CHECK_EQ_INT(rows, 10000);
    CHECK_EQ_INT(wjson_reader_bad_records(r), 0);
    wbuf_fini(&out);
    wbatch_fini(&a);
    wbatch_fini(&b);
    wjson_writer_close(w);
    wjson_reader_close(r);
    wtype_fini(&s);
}

/* Record templates: runs of records laid out alike, each followed by two that differ from the layout in
 * one way (a value of another kind or type, a NULL, a missing, extra, unknown or duplicate key, other
 * spacing, a nested object where the template had NULL, a cut record), in an array and as JSON Lines.
 * The usual rows are checked against the values written here, and the whole decode against the general
 * path (the odd records' rows, and the bad records, included). */
static void test_record_templates(void) {
    const char *ddl = "a INT, t TIMESTAMP, s STRUCT<q: INT, p: DOUBLE>, n STRING";
    static const char *odd[] = {
        "{\"a\": 7, \"t\": \"2026-12-07T10:00:01.5\", \"s\": {\"q\": 2, \"p\": 1e2}, \"n\": \"x\"}",   /* 1e2 */
        "{\"a\": null, \"t\": \"2026-12-07T10:00:01\", \"s\": {\"q\": 2, \"p\": 0.5}, \"n\": \"x\"}", /* NULL */
        "{\"a\": 7, \"t\": \"2026-12-07T10:00:01.25\", \"s\": {\"q\": 2, \"p\": 0.5}}",                 /* n missing */
        "{\"a\": 7, \"t\": \"2026-12-07T10:00:01\", \"s\": {\"q\": 2, \"p\": 0.5}, \"n\": \"x\", \"z\": [1]}",
        "{\"a\": 7, \"a\": 8, \"t\": \"2026-12-07T10:00:01\", \"s\": {\"q\": 2, \"p\": 0.5}, \"n\": \"x\"}",
        "{\"a\":7, \"t\": \"2026-12-07T10:00:01\", \"s\": {\"q\": 2, \"p\": 0.5}, \"n\": \"x\"}",       /* spacing */
        "{\"a\": 7, \"t\": \"2026-12-07T10:00:01\", \"s\": null, \"n\": \"x\"}",                         /* s NULL */
        "{\"a\": 7.5, \"t\": \"2026-12-07T10:00:01\", \"s\": {\"q\": 2, \"p\": 0.5}, \"n\": \"x\"}",  /* type error */
        "{\"a\": 7, \"t\": \"2026-12-07T10:00:01\", \"s\": {\"q\": 2, \"p\": 0.5}, \"n\": \"x\"",     /* cut */
        "{\"a\": -7, \"t\": \"2026-12-07 10:00:01.000001\", \"s\": {\"q\": 12345678, \"p\": -0.0}, \"n\": \"x\"}",
    };
    const int nodd = (int)(sizeof odd / sizeof *odd);
    for (int lines = 0; lines < 2; lines++) {
        WBuf text;
        wbuf_init(&text);
        if (!lines) wbuf_putc(&text, '[');
        int nrec = 0;
        int64_t want_a[400];
        for (int k = 0; k < nodd; k++) {
            for (int i = 0; i < 20; i++, nrec++) { /* the usual layout; s is NULL in the first run */
                want_a[nrec] = 100 * k + i;
                if (nrec && !lines) wbuf_puts(&text, ", ");
                if (k == 0)
                    wbuf_printf(&text, "{\"a\": %d, \"t\": \"2026-12-07T10:00:%02d.%06d\", \"s\": null, \"n\": \"r%d\"}",
                                100 * k + i, i % 60, 17 * i, i);
                else
                    wbuf_printf(&text, "{\"a\": %d, \"t\": \"2026-12-07T10:00:%02d.%06d\", \"s\": {\"q\": %d, \"p\": %d.25}, \"n\": \"r%d\"}",
                                100 * k + i, i % 60, 17 * i, i, i, i);
                if (lines) wbuf_putc(&text, '\n');
            }
            if (k == 8 && !lines) continue; /* a cut record ends the array's region: only in JSON Lines */
            for (int twice = 0; twice < 2; twice++) { /* the second one meets the first one's template */
                if (nrec && !lines) wbuf_puts(&text, ", ");
                wbuf_puts(&text, odd[k]);
                want_a[nrec++] = -1 - k;
                if (lines) wbuf_putc(&text, '\n');
            }
        }
        if (!lines) wbuf_putc(&text, ']');
        Ctx a, b;
        dec_fast = 1;
        dec_n(&a, ddl, NULL, text.data, text.len, 1000);
        dec_fast = 0;
        dec_n(&b, ddl, NULL, text.data, text.len, 1000);
        dec_fast = 1;
        CHECK_EQ_INT(a.rc, WEIR_OK);
        CHECK_EQ_INT(a.nbad, b.nbad);
        CHECK_EQ_INT(a.nbad, (lines ? 4 : 2)); /* 7.5 and the cut record (1e2 is a DOUBLE, a duplicate key's last wins) */
        CHECK_EQ_INT(wbatch_rows(&a.b), wbatch_rows(&b.b));
        long differ = 0, checked = 0, bad_rows = 0;
        for (int64_t r = 0; r < wbatch_rows(&a.b); r++) differ += !same_value(&a.b.root, &b.b.root, r);
        CHECK_EQ_INT(differ, 0);
        /* the usual rows, by hand, in text order */
        int64_t row = 0;
        for (int i = 0; i < nrec && row < wbatch_rows(&a.b); i++) {
            if (want_a[i] < 0) { /* an odd record: a row, good or (PERMISSIVE) bad */
                row++;
                continue;
            }
            int k = (int)(want_a[i] / 100), j = (int)(want_a[i] % 100);
            WVec *va = col(&a, 0), *vt = col(&a, 1), *vs = col(&a, 2), *vn = col(&a, 3);
            int ok = !wvec_is_null(va, row) && wvec_i32(va, row) == want_a[i] &&
                     wvec_i64(vt, row) == 1796637600000000LL + (j % 60) * 1000000LL + 17 * j;
            char nm[16];
            snprintf(nm, sizeof nm, "r%d", j);
            ok = ok && str_is(vn, row, nm);
            if (k == 0) ok = ok && wvec_is_null(vs, row);
            else ok = ok && !wvec_is_null(vs, row) && wvec_i32(&vs->children[0], row) == j &&
                      wvec_f64(&vs->children[1], row) == j + 0.25;
            if (!ok && bad_rows++ < 3) fprintf(stderr, "template rows: row %lld (record %d) differs: a %d t %lld\n", (long long)row, i, wvec_i32(va, row), (long long)wvec_i64(vt, row));
            checked += ok;
            row++;
        }
        CHECK_EQ_INT(checked, nodd * 20);
        printf("record templates (%s): %lld rows, %lld bad, %ld usual rows checked\n", lines ? "lines" : "array",
               (long long)wbatch_rows(&a.b), (long long)a.nbad, checked);
        fin(&a);
        fin(&b);
        wbuf_fini(&text);
    }
}

int main(void) {
    test_seed();
    test_fields();
    test_numbers();
    test_strings_bools();
    test_time();
    test_time_patterns();
    test_time_fast_path();
    test_double_fast_paths();
    test_modes();
    test_arrays();
    test_resume();
    test_limits();
    test_validate();
    test_writer_text();
    test_roundtrip();
    test_fast_paths_differential();
    test_record_templates();
    return check_summary();
}
