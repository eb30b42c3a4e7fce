/*
 * test_sql_resolve.c - name resolution and typing (sql/resolve.h): the implicit casts Spark's coercion
 * rules insert (shown by wsql_bound_print), result types, output names and star expansion, the watermark
 * clause, and resolve errors with line:column and a caret.
 */
#include <stdlib.h>

#include "check.h"
#include "core/buf.h"
#include "sql/parse.h"
#include "sql/resolve.h"

static const char *INPUT = "i INT, b BIGINT, d DOUBLE, s STRING, t TIMESTAMP, dt DATE, f BOOLEAN, "
                           "st STRUCT<x: INT, inner: STRUCT<y: STRING>>";
static WType input;

/* "name type = bound-expression" of each output column, joined by "; ", or "ERROR(code):msg". */
static const char *bound(const char *select) {
    static char res[4096];
    WSqlScript *s = NULL;
    WErr err;
    werr_init(&err);
    if (wsql_parse(select, strlen(select), &s, &err)) {
        snprintf(res, sizeof res, "PARSE:%s", err.msg);
        return res;
    }
    WBoundSelect *b = NULL;
    int rc = wsql_resolve(s->stmts[0]->select, &input, &b, &err);
    if (rc) {
        snprintf(res, sizeof res, "ERROR(%d):%s", rc, err.msg);
        wsql_ast_free(s);
        return res;
    }
    WBuf o;
    wbuf_init(&o);
    for (int i = 0; i < b->out_schema.n_fields; i++) {
        if (i) wbuf_puts(&o, "; ");
        wbuf_printf(&o, "%s %s = ", b->out_schema.fields[i].name, wtype_name(b->out_schema.fields[i].type.id));
        wsql_bound_print(b->cols[i], &input, &o);
    }
    if (b->where) {
        wbuf_puts(&o, " WHERE ");
        wsql_bound_print(b->where, &input, &o);
    }
    if (b->watermark) {
        wbuf_puts(&o, " WATERMARK ");
        wsql_bound_print(b->watermark, &input, &o);
        wbuf_printf(&o, " %d %lld", b->wm_delay_months, (long long)b->wm_delay_micros);
    }
    snprintf(res, sizeof res, "%s", wbuf_cstr(&o));
    wbuf_fini(&o);
    wsql_bound_free(b);
    wsql_ast_free(s);
    return res;
}

#define B(sel, want) CHECK_EQ_STR(bound(sel), want)

static void test_types(void) {
    B("SELECT i + b, i + d, i / i, i div i, i % b FROM t",
      "(i + b) bigint = (CAST(i AS bigint) + b); (i + d) double = (CAST(i AS double) + d); "
      "(i / i) double = (CAST(i AS double) / CAST(i AS double)); (i div i) bigint = (CAST(i AS bigint) div CAST(i AS bigint)); "
      "(i % b) bigint = (CAST(i AS bigint) % b)");
    B("SELECT s + 1, s = i, s = t, s < d FROM t",
      "(s + 1) double = (CAST(s AS double) + CAST(1 AS double)); (s = i) boolean = (CAST(s AS int) = i); "
      "(s = t) boolean = (CAST(s AS timestamp) = t); (s < d) boolean = (CAST(s AS double) < d)");
    B("SELECT t = dt, dt + 1, t + INTERVAL 1 DAY, t - INTERVAL 1 MONTH FROM t",
      "(t = dt) boolean = (t = CAST(dt AS timestamp)); (dt + 1) date = date_add(dt, 1); "
      "(t + INTERVAL '86400 seconds') timestamp = (t + INTERVAL 0 MONTHS 86400000000 MICROSECONDS); "
      "(t - INTERVAL '1 months') timestamp = (t + INTERVAL -1 MONTHS 0 MICROSECONDS)");
    B("SELECT i IN (1, 2L), i BETWEEN 1 AND 2.5, s LIKE i FROM t",
      "(i IN (1, 2)) boolean = ((CAST(i AS bigint) = CAST(1 AS bigint)) OR (CAST(i AS bigint) = 2L)); "
      "(i BETWEEN 1 AND 2.5) boolean = ((i >= 1) AND (CAST(i AS double) <= 2.5D)); "
      "s LIKE i boolean = (s LIKE CAST(i AS string))");
    B("SELECT coalesce(i, b, NULL), CASE WHEN f THEN i ELSE 'x' END, concat(s, i, f), NULL FROM t",
      "coalesce(i, b, NULL) bigint = coalesce(CAST(i AS bigint), b, CAST(NULL AS bigint)); "
      "CASE WHEN f THEN i ELSE x END string = CASE WHEN f THEN CAST(i AS string) ELSE 'x' END; "
      "concat(s, i, f) string = concat(s, CAST(i AS string), CAST(f AS string)); NULL string = CAST(NULL AS string)");
    B("SELECT round(d, 1), round(i), abs(s), year(s), hour(dt), date_trunc('HOUR', s), to_timestamp(s, 'yyyy') FROM t",
      "round(d, 1) double = round(d, 1); round(i, 0) int = round(i, 0); abs(s) double = abs(CAST(s AS double)); "
      "year(s) int = year(CAST(s AS date)); hour(dt) int = hour(CAST(dt AS timestamp)); "
      "date_trunc(HOUR, s) timestamp = date_trunc('hour', CAST(s AS timestamp)); "
      "to_timestamp(s, yyyy) timestamp = to_timestamp(s, 'yyyy')");
    B("SELECT NOT f, f AND 'true', -i, ~b FROM t",
      "(NOT f) boolean = (NOT f); (f AND true) boolean = (f AND CAST('true' AS boolean)); (- i) int = (-i); "
      "(~ b) bigint = (~b)");
}

static void test_names_and_stars(void) {
    B("SELECT st.x, st.inner.y AS why, ST.Inner, I FROM t",
      "x int = st.x; why string = st.inner.y; Inner struct = st.inner; i int = i");
    B("SELECT st.* FROM t", "x int = st.x; inner struct = st.inner");
    B("SELECT st.inner.*, t.i FROM t", "y string = st.inner.y; i int = i");
    B("SELECT * FROM t WHERE i > 0",
      "i int = i; b bigint = b; d double = d; s string = s; t timestamp = t; dt date = dt; f boolean = f; "
      "st struct = st WHERE (i > 0)");
    B("SELECT x.* FROM STREAM(t) x WHERE x.i IS NULL",
      "i int = i; b bigint = b; d double = d; s string = s; t timestamp = t; dt date = dt; f boolean = f; "
      "st struct = st WHERE (i IS NULL)");
    B("SELECT i FROM STREAM(t) WATERMARK t DELAY OF INTERVAL 10 SECONDS",
      "i int = i WATERMARK t 0 10000000");
    B("SELECT i FROM STREAM(t) WATERMARK t DELAY OF '1 minute'", "i int = i WATERMARK t 0 60000000");
    B("SELECT substr(s, 2), current_timestamp, t.t FROM t",
      "substr(s, 2, 2147483647) string = substring(s, 2); current_timestamp() timestamp = current_timestamp(); "
      "t timestamp = t");
}

static void expect_error(const char *sel, int code, const char *want) {
    const char *got = bound(sel);
    char pfx[32];
    snprintf(pfx, sizeof pfx, "ERROR(%d):", code);
    if (strncmp(got, pfx, strlen(pfx)) || !strstr(got, want)) {
        fprintf(stderr, "select: %s\ngot: %s\nwant %s%s\n", sel, got, pfx, want);
        CHECK(0);
    } else {
        CHECK(1);
    }
}

static void test_errors(void) {
    expect_error("SELECT nope FROM t", WEIR_SQL,
                 "1:8: unknown column 'nope'; the input columns are: i, b, d, s, t, dt, f, st\n  SELECT nope FROM t\n         ^");
    expect_error("SELECT i,\n  st.z FROM t", WEIR_SQL, "2:3: no field 'z' in st; its fields are: x, inner");
    expect_error("SELECT i.*, 1 FROM t", WEIR_SQL, "cannot expand 'i.*': i is a int, not a STRUCT");
    expect_error("SELECT f + 1 FROM t", WEIR_SQL, "1:8: type mismatch: '+' expects numbers, found boolean");
    expect_error("SELECT st = 1 FROM t", WEIR_SQL, "cannot compare struct with int");
    expect_error("SELECT upper(st) FROM t", WEIR_SQL, "type mismatch: upper() expects string, found struct");
    expect_error("SELECT i FROM t WHERE i", WEIR_SQL, "1:23: type mismatch: WHERE expects a boolean condition, found int");
    expect_error("SELECT lower() FROM t", WEIR_SQL, "wrong number of arguments: lower() takes 1, found 0");
    expect_error("SELECT foo(1) FROM t", WEIR_SQL, "1:8: unknown function foo()\n");
    expect_error("SELECT lowr(s) FROM t", WEIR_SQL, "1:8: unknown function lowr() (did you mean lower()?)");
    expect_error("SELECT datetme FROM t", WEIR_SQL, "unknown column 'datetme'; the input columns are");
    expect_error("SELECT dtt FROM t", WEIR_SQL, "unknown column 'dtt' (did you mean 'dt'?)");
    expect_error("SELECT st.innr.y FROM t", WEIR_SQL, "no field 'innr' in st (did you mean 'inner'?); its fields are: x, inner");
    expect_error("SELECT st.z FROM t", WEIR_SQL, "no field 'z' in st; its fields are: x, inner"); /* too short to guess */
    expect_error("SELECT lower(DISTINCT s) FROM t", WEIR_SQL, "DISTINCT is only valid in aggregate functions");
    expect_error("SELECT i FROM STREAM(t) WATERMARK i DELAY OF INTERVAL 1 SECOND", WEIR_SQL,
                 "WATERMARK expects a timestamp, found int");
    expect_error("SELECT i FROM STREAM(t) WATERMARK s DELAY OF '1 minute'", WEIR_SQL,
                 "1:35: type mismatch: WATERMARK expects a timestamp, found string");
    expect_error("SELECT i FROM STREAM(t) WATERMARK t DELAY OF 5", WEIR_SQL, "expected an interval after DELAY OF");
    expect_error("SELECT i FROM STREAM(t) WATERMARK t DELAY OF INTERVAL -5 SECONDS", WEIR_SQL, "must not be negative");
    expect_error("SELECT sum(i) FROM t", WEIR_SQL, "1:8: the aggregate function sum() is not allowed here");
    expect_error("SELECT lower(max(s)) FROM t", WEIR_SQL, "1:14: the aggregate function max() is not allowed here");
    expect_error("SELECT i FROM t GROUP BY i", WEIR_UNSUPPORTED, "1:26: GROUP BY is not supported");
    expect_error("SELECT i FROM t HAVING i > 1", WEIR_UNSUPPORTED, "HAVING is not supported");
    expect_error("SELECT DISTINCT i FROM t", WEIR_UNSUPPORTED, "SELECT DISTINCT is not supported");
    expect_error("SELECT window(t, '1 minute').start FROM t", WEIR_SQL, "window() belongs in GROUP BY");
    expect_error("SELECT CAST(st AS STRING) FROM t", WEIR_SQL, "casts of STRUCT values are not supported");
    expect_error("SELECT i + * FROM t", WEIR_SQL, "'*' is only allowed as a select item");
}

int main(void) {
    WErr err;
    werr_init(&err);
    if (wschema_parse(INPUT, strlen(INPUT), &input, &err)) {
        fprintf(stderr, "%s\n", err.msg);
        return 1;
    }
    test_types();
    test_names_and_stars();
    test_errors();
    wtype_fini(&input);
    return check_summary();
}
