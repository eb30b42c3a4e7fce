/*
 * test_sql_plan.c - the seed's Task_1 script end to end through sql/plan.h and exec/project.h: compile,
 * check tables and output schemas, then run the projection over a hand-built batch of nested records and
 * compare with the values computed by hand. Also `*`, `a.*`, aliases, WHERE and errors of the planner, and
 * whole columns copied at every bit offset of the output's validity.
 */
#include <stdlib.h>

#include "check.h"
#include "core/buf.h"
#include "core/vec.h"
#include "exec/project.h"
#include "sql/plan.h"
#include "sql/resolve.h"

static const char *TASK1 =
    "-- the seed's stage 1\n"
    "CREATE TABLE clicks_json (\n"
    "  analytics STRUCT<clicks: INT, impressions: INT>,\n"
    "  datetime  TIMESTAMP,\n"
    "  sales     STRUCT<quantity: INT, total_price: DOUBLE>\n"
    ") USING json OPTIONS (path 'data/json_files', maxFilesPerTrigger 5);\n"
    "\n"
    "CREATE TABLE clicks_csv USING csv\n"
    "  OPTIONS (path 'data/csv_files', header true, checkpointLocation 'data/checkpoint');\n"
    "\n"
    "INSERT INTO clicks_csv\n"
    "SELECT datetime, analytics.clicks AS clicks, analytics.impressions AS impressions,\n"
    "       sales.quantity AS quantity, sales.total_price AS total_price\n"
    "FROM STREAM(clicks_json);\n";

/* rows: clicks, impressions, datetime, quantity, total_price; a NULL analytics struct in row 2 */
static void fill_input(WBatch *b) {
    static const int clicks[] = {3, 10, 0, 7};
    static const int impr[] = {12, 20, 0, 15};
    static const int64_t ts[] = {1662464400123456LL, 1662464405000000LL, 0, -1000000LL};
    static const int qty[] = {1, 10, 4, 2};
    static const double price[] = {3.9000000000000004, 10.0, 0.5, 7.25};
    for (int r = 0; r < 4; r++) {
        wbatch_begin_row(b);
        WVec *a = wbatch_col(b, 0);
        if (r == 2) wvec_append_null(a);
        else {
            wvec_append_struct(a);
            wvec_append_i32(&a->children[0], clicks[r]);
            wvec_append_i32(&a->children[1], impr[r]);
        }
        if (r == 2) wvec_append_null(wbatch_col(b, 1));
        else wvec_append_i64(wbatch_col(b, 1), ts[r]);
        WVec *s = wbatch_col(b, 2);
        wvec_append_struct(s);
        wvec_append_i32(&s->children[0], qty[r]);
        wvec_append_f64(&s->children[1], price[r]);
    }
}

static void test_task1(void) {
    WScript *s = NULL;
    WErr err;
    werr_init(&err);
    int rc = wsql_compile(TASK1, strlen(TASK1), "task1.sql", &s, &err);
    CHECK_EQ_INT(rc, WEIR_OK);
    if (rc) {
        fprintf(stderr, "%s\n", err.msg);
        return;
    }
    CHECK_EQ_INT(s->n_tables, 2);
    CHECK_EQ_INT(s->n_queries, 1);
    CHECK_EQ_STR(s->time_zone, "UTC");
    CHECK_EQ_STR(s->tables[0].name, "clicks_json");
    CHECK_EQ_STR(s->tables[0].format, "json");
    CHECK_EQ_STR(wopts_get(&s->tables[0].opts, "maxFilesPerTrigger"), "5");
    CHECK_EQ_STR(wopts_get(&s->tables[0].opts, "path"), "data/json_files");
    CHECK_EQ_STR(wopts_get(&s->tables[1].opts, "header"), "true");
    CHECK_EQ_STR(wopts_get(&s->tables[1].opts, "checkpointLocation"), "data/checkpoint");
    const WQueryPlan *q = &s->queries[0];
    CHECK_EQ_STR(q->name, "clicks_csv");
    CHECK(q->source == &s->tables[0]);
    CHECK(q->sink == &s->tables[1]);
    CHECK_EQ_INT(s->tables[1].has_schema, 1);
    WBuf ddl;
    wbuf_init(&ddl);
    wtype_to_ddl(&s->tables[1].schema, &ddl, 1);
    CHECK_EQ_STR(wbuf_cstr(&ddl), "datetime TIMESTAMP, clicks INT, impressions INT, quantity INT, total_price DOUBLE");
    wbuf_reset(&ddl);
    wtype_to_ddl(&q->select->out_schema, &ddl, 1);
    CHECK_EQ_STR(wbuf_cstr(&ddl), "datetime TIMESTAMP, clicks INT, impressions INT, quantity INT, total_price DOUBLE");
    wbuf_reset(&ddl);
    CHECK_EQ_INT(wsql_explain(s, &ddl), WEIR_OK);
    CHECK(strstr(wbuf_cstr(&ddl), "query clicks_csv: STREAM(clicks_json) -> clicks_csv") != NULL);
    CHECK(strstr(wbuf_cstr(&ddl), "project clicks = analytics.clicks") != NULL);
    wbuf_fini(&ddl);

    WBatch in, out;
    wbatch_init(&in, &s->tables[0].schema);
    fill_input(&in);
    wbatch_init(&out, &q->select->out_schema);
    WProject *p = NULL;
    CHECK_EQ_INT(wproject_open(q->select, s->time_zone, &p, &err), WEIR_OK);
    CHECK_EQ_INT(wproject_run(p, &in, &out, &err), WEIR_OK);
    CHECK_EQ_INT(wbatch_rows(&out), 4);
    CHECK_EQ_INT(wvec_i64(wbatch_col(&out, 0), 0), 1662464400123456LL);
    CHECK_EQ_INT(wvec_i64(wbatch_col(&out, 0), 3), -1000000LL);
    CHECK(wvec_is_null(wbatch_col(&out, 0), 2));
    CHECK_EQ_INT(wvec_i32(wbatch_col(&out, 1), 0), 3);
    CHECK_EQ_INT(wvec_i32(wbatch_col(&out, 1), 1), 10);
    CHECK(wvec_is_null(wbatch_col(&out, 1), 2));
    CHECK(wvec_is_null(wbatch_col(&out, 2), 2));
    CHECK_EQ_INT(wvec_i32(wbatch_col(&out, 2), 3), 15);
    CHECK_EQ_INT(wvec_i32(wbatch_col(&out, 3), 2), 4);
    CHECK(wvec_f64(wbatch_col(&out, 4), 0) == 3.9000000000000004);
    CHECK(wvec_f64(wbatch_col(&out, 4), 3) == 7.25);
    /* a second batch appends */
    CHECK_EQ_INT(wproject_run(p, &in, &out, &err), WEIR_OK);
    CHECK_EQ_INT(wbatch_rows(&out), 8);
    CHECK_EQ_INT(wvec_i32(wbatch_col(&out, 1), 5), 10);
    CHECK_EQ_INT(wbatch_col(&out, 4)->len, 8);
    wproject_close(p);
    wbatch_fini(&out);
    wbatch_fini(&in);
    wsql_script_free(s);
}

static const char *SRC =
    "CREATE TABLE t (analytics STRUCT<clicks: INT, impressions: INT>, datetime TIMESTAMP, "
    "sales STRUCT<quantity: INT, total_price: DOUBLE>) USING json OPTIONS (path 'in');\n";

/* Compiles SRC + query; runs it over fill_input's rows; returns the output as text rows "a|b|c\n". */
static int run_query(const char *query, char *out_text, size_t cap, char *ddl_out, size_t ddl_cap) {
    char script[4096];
    snprintf(script, sizeof script, "%s%s", SRC, query);
    WScript *s = NULL;
    WErr err;
    werr_init(&err);
    int rc = wsql_compile(script, strlen(script), "q.sql", &s, &err);
    if (rc) {
        snprintf(out_text, cap, "%s", err.msg);
        return rc;
    }
    const WQueryPlan *q = &s->queries[0];
    WBuf b;
    wbuf_init(&b);
    wtype_to_ddl(&q->select->out_schema, &b, 1);
    snprintf(ddl_out, ddl_cap, "%s", wbuf_cstr(&b));
    wbuf_reset(&b);
    WBatch in, out;
    wbatch_init(&in, &s->tables[0].schema);
    fill_input(&in);
    wbatch_init(&out, &q->select->out_schema);
    WProject *p = NULL;
    rc = wproject_open(q->select, s->time_zone, &p, &err);
    if (!rc) rc = wproject_run_at(p, &in, &out, 0, &err);
    for (int64_t r = 0; !rc && r < wbatch_rows(&out); r++) {
        for (int c = 0; c < out.root.n_children; c++) {
            const WVec *v = wbatch_col(&out, c);
            if (c) wbuf_putc(&b, '|');
            if (wvec_is_null(v, r)) {
                wbuf_puts(&b, "NULL");
                continue;
            }
            switch (v->type->id) {
            case WT_INT: wbuf_printf(&b, "%d", wvec_i32(v, r)); break;
            case WT_BIGINT: case WT_TIMESTAMP: wbuf_printf(&b, "%lld", (long long)wvec_i64(v, r)); break;
            case WT_DOUBLE: wbuf_printf(&b, "%g", wvec_f64(v, r)); break;
            case WT_BOOLEAN: wbuf_puts(&b, wvec_bool(v, r) ? "true" : "false"); break;
            case WT_STRING: {
                size_t n;
                const char *t = wvec_str(v, r, &n);
                wbuf_append(&b, t, n);
                break;
            }
            case WT_STRUCT: wbuf_puts(&b, "{struct}"); break;
            default: wbuf_puts(&b, "?"); break;
            }
        }
        wbuf_putc(&b, '\n');
    }
    snprintf(out_text, cap, "%s", rc ? err.msg : wbuf_cstr(&b));
    wbuf_fini(&b);
    wproject_close(p);
    wbatch_fini(&out);
    wbatch_fini(&in);
    wsql_script_free(s);
    return rc;
}

static void test_queries(void) {
    char out[4096], ddl[1024];
    CHECK_EQ_INT(run_query("SELECT * FROM STREAM(t);", out, sizeof out, ddl, sizeof ddl), 0);
    CHECK_EQ_STR(ddl, "analytics STRUCT<clicks: INT, impressions: INT>, datetime TIMESTAMP, "
                      "sales STRUCT<quantity: INT, total_price: DOUBLE>");
    CHECK_EQ_STR(out, "{struct}|1662464400123456|{struct}\n{struct}|1662464405000000|{struct}\n"
                      "NULL|NULL|{struct}\n{struct}|-1000000|{struct}\n");
    CHECK_EQ_INT(run_query("SELECT sales.*, analytics.* FROM STREAM(t) WHERE sales.quantity > 1;", out, sizeof out,
                           ddl, sizeof ddl), 0);
    CHECK_EQ_STR(ddl, "quantity INT, total_price DOUBLE, clicks INT, impressions INT");
    CHECK_EQ_STR(out, "10|10|10|20\n4|0.5|NULL|NULL\n2|7.25|7|15\n");
    /* qualified names, implicit alias, a t.* star, WHERE with three-valued logic (NULL row dropped) */
    CHECK_EQ_INT(run_query("SELECT x.analytics.clicks c, x.sales.quantity * 2 AS q2 FROM STREAM(t) x "
                           "WHERE analytics.clicks >= 3 AND NOT analytics.impressions = 20;",
                           out, sizeof out, ddl, sizeof ddl), 0);
    CHECK_EQ_STR(ddl, "c INT, q2 INT");
    CHECK_EQ_STR(out, "3|2\n7|4\n");
    CHECK_EQ_INT(run_query("SELECT t.* FROM STREAM(t) WHERE datetime < TIMESTAMP '2022-09-06 11:40:01';", out,
                           sizeof out, ddl, sizeof ddl), 0);
    CHECK_EQ_STR(out, "{struct}|1662464400123456|{struct}\n{struct}|-1000000|{struct}\n");
    /* IS NULL of a whole STRUCT; a STRUCT column kept by a filter */
    CHECK_EQ_INT(run_query("SELECT analytics IS NULL AS n, sales FROM STREAM(t) WHERE sales.quantity <> 10;", out,
                           sizeof out, ddl, sizeof ddl), 0);
    CHECK_EQ_STR(ddl, "n BOOLEAN, sales STRUCT<quantity: INT, total_price: DOUBLE>");
    CHECK_EQ_STR(out, "false|{struct}\ntrue|{struct}\nfalse|{struct}\n");
    /* Spark's default names */
    CHECK_EQ_INT(run_query("SELECT analytics.clicks + 1, sales.total_price, DateTime FROM STREAM(t) WHERE false;",
                           out, sizeof out, ddl, sizeof ddl), 0);
    CHECK_EQ_STR(ddl, "`(analytics.clicks + 1)` INT, total_price DOUBLE, datetime TIMESTAMP");
    CHECK_EQ_STR(out, "");
}

static void expect_error(const char *script, int code, const char *needle) {
    WScript *s = NULL;
    WErr err;
    werr_init(&err);
    int rc = wsql_compile(script, strlen(script), "e.sql", &s, &err);
    CHECK_EQ_INT(rc, code);
    if (!strstr(err.msg, needle)) {
        fprintf(stderr, "message:\n%s\nexpected to contain: %s\n", err.msg, needle);
        CHECK(0);
    } else {
        CHECK(1);
    }
    wsql_script_free(s);
}

static void test_errors(void) {
    expect_error("CREATE TABLE a (x INT) USING json;\nINSERT INTO b SELECT x FROM STREAM(a);", WEIR_SQL,
                 "e.sql:2:13: unknown table b");
    expect_error("CREATE TABLE a (x INT) USING json;\nSELECT y FROM STREAM(a);", WEIR_SQL,
                 "e.sql:2:8: unknown column 'y'; the input columns are: x\n  SELECT y FROM STREAM(a);\n         ^");
    expect_error("CREATE TABLE a (x INT) USING json;\nSELECT x FROM a;", WEIR_SQL, "e.sql:2:15: expected STREAM(a)");
    expect_error("CREATE TABLE a USING json;\nSELECT x FROM STREAM(a);", WEIR_SQL, "table a has no columns");
    /* Spark's output-mode rules (UnsupportedOperationChecker) */
    expect_error("CREATE TABLE a (x INT) USING json;\nSELECT count(x) FROM STREAM(a);", WEIR_SQL,
                 "2:8: Append output mode not supported when there are streaming aggregations without watermark");
    expect_error("CREATE TABLE a (x INT) USING json;\nSELECT x FROM STREAM(a) GROUP BY x;", WEIR_SQL,
                 "2:34: Append output mode not supported when there are streaming aggregations without watermark");
    expect_error("CREATE TABLE a (x INT, ts TIMESTAMP) USING json;\nSELECT x, count(*) FROM STREAM(a) WATERMARK ts "
                 "DELAY OF INTERVAL 1 SECOND GROUP BY x;", WEIR_SQL,
                 "append with an aggregation needs a watermark on the window's column");
    expect_error("CREATE TABLE a (x INT, ts TIMESTAMP, u TIMESTAMP) USING json;\nSELECT count(*) FROM STREAM(a) "
                 "WATERMARK ts DELAY OF INTERVAL 1 SECOND GROUP BY window(u, '1 minute');", WEIR_SQL,
                 "GROUP BY has no window() or session_window() over the WATERMARK's expression");
    expect_error("CREATE TABLE a (x INT) USING json OPTIONS (path 'a');\nCREATE TABLE b USING csv OPTIONS (path 'b', "
                 "outputMode 'complete');\nINSERT INTO b SELECT x FROM STREAM(a);", WEIR_SQL,
                 "Complete output mode not supported when there are no streaming aggregations");
    expect_error("CREATE TABLE a (x INT) USING json OPTIONS (path 'a');\nCREATE TABLE b USING csv OPTIONS (path 'b', "
                 "outputMode 'upsert');\nINSERT INTO b SELECT x FROM STREAM(a);", WEIR_SQL,
                 "unknown outputMode 'upsert' for query b: expected append, update or complete");
    /* what may and may not stand in an aggregation */
    expect_error("SET weir.outputMode = 'update';\nCREATE TABLE a (x INT, y INT) USING json;\n"
                 "SELECT x, y, count(*) FROM STREAM(a) GROUP BY x;", WEIR_SQL,
                 "3:11: column y is neither in GROUP BY nor inside an aggregate function");
    expect_error("SET weir.outputMode = 'update';\nCREATE TABLE a (x INT, y INT) USING json;\n"
                 "SELECT sum(count(y)) FROM STREAM(a) GROUP BY x;", WEIR_SQL,
                 "3:12: an aggregate function cannot be inside another (sum)");
    expect_error("SET weir.outputMode = 'update';\nCREATE TABLE a (x INT, f BOOLEAN) USING json;\n"
                 "SELECT sum(f) FROM STREAM(a) GROUP BY x;", WEIR_SQL, "type mismatch: sum() expects a number, found boolean");
    expect_error("SET weir.outputMode = 'update';\nCREATE TABLE a (x INT, ts TIMESTAMP) USING json;\n"
                 "SELECT count(*) FROM STREAM(a) GROUP BY window(ts, '10 seconds', '20 seconds');", WEIR_SQL,
                 "the slide of window() must be positive and at most its size");
    expect_error("SET weir.outputMode = 'update';\nCREATE TABLE a (x INT, ts TIMESTAMP) USING json;\n"
                 "SELECT count(*) FROM STREAM(a) GROUP BY window(ts, '1 month');", WEIR_SQL,
                 "window(): a window duration cannot be given in months");
    expect_error("SET weir.outputMode = 'update';\nCREATE TABLE a (x INT, ts TIMESTAMP) USING json;\n"
                 "SELECT * FROM STREAM(a) GROUP BY x;", WEIR_SQL, "'*' cannot be selected in an aggregation");
    expect_error("SET weir.outputMode = 'update';\nCREATE TABLE a (x INT) USING json;\n"
                 "SELECT stddev(x) FROM STREAM(a) GROUP BY x;", WEIR_UNSUPPORTED, "the aggregate function stddev()");
    expect_error("CREATE TABLE a (x TIMESTAMP) USING json;\nSELECT window(x, '10 seconds') FROM STREAM(a);",
                 WEIR_SQL, "window() belongs in GROUP BY");
    expect_error("SET spark.sql.session.timeZone = 'Mars/Olympus';", WEIR_SQL, "unknown time zone 'Mars/Olympus'");
    expect_error("CREATE TABLE a (x INT) USING json;\nCREATE TABLE a (y INT) USING csv;", WEIR_SQL,
                 "2:14: table a is already defined");
    expect_error("CREATE TABLE a (x INT) USING json;\nCREATE TABLE b (y INT, z INT) USING csv;\n"
                 "INSERT INTO b SELECT x FROM STREAM(a);", WEIR_SQL, "table b has 2 columns but the query gives 1");
}

/* The output schema of an aggregation: Spark's result types and default names. */
static void expect_schema(const char *script, const char *want) {
    WScript *s = NULL;
    WErr err;
    werr_init(&err);
    int rc = wsql_compile(script, strlen(script), "a.sql", &s, &err);
    CHECK_EQ_INT(rc, 0);
    if (rc) {
        fprintf(stderr, "%s\n", err.msg);
        return;
    }
    WBuf b;
    wbuf_init(&b);
    CHECK_EQ_INT(wtype_to_ddl(&s->queries[s->n_queries - 1].select->out_schema, &b, 1), 0);
    CHECK_EQ_INT(wbuf_putc(&b, 0), 0);
    CHECK_EQ_STR(b.data ? b.data : "", want);
    CHECK(s->queries[s->n_queries - 1].agg != NULL);
    wbuf_fini(&b);
    wsql_script_free(s);
}

static void test_aggregation_schema(void) {
    const char *t = "CREATE TABLE t (datetime TIMESTAMP, clicks INT, k STRING, price DOUBLE, s STRING, big BIGINT) "
                    "USING csv;\n";
    char sc[2048];
    snprintf(sc, sizeof sc, "%sSELECT sum(clicks) AS Clicks, sum(price), window.start AS Start, window.`end`, "
             "count(*), count(k), avg(clicks), min(k), max(price), first(big), last(datetime), "
             "approx_count_distinct(k), sum(big), sum(s) FROM STREAM(t) WATERMARK datetime DELAY OF INTERVAL 10 SECONDS "
             "GROUP BY window(datetime, '30 seconds');", t);
    expect_schema(sc, "Clicks BIGINT, `sum(price)` DOUBLE, Start TIMESTAMP, end TIMESTAMP, `count(1)` BIGINT, "
                      "`count(k)` BIGINT, `avg(clicks)` DOUBLE, `min(k)` STRING, `max(price)` DOUBLE, `first(big)` "
                      "BIGINT, `last(datetime)` TIMESTAMP, `approx_count_distinct(k)` BIGINT, `sum(big)` BIGINT, "
                      "`sum(s)` DOUBLE");
    /* keys by name and as expressions, HAVING, an aggregate inside arithmetic, the window as a struct */
    snprintf(sc, sizeof sc, "SET weir.outputMode = 'update';\n%sSELECT k, upper(k), sum(clicks) * 2 AS dbl, window "
             "FROM STREAM(t) GROUP BY K, window(datetime, '1 minute', '30 seconds') HAVING count(*) > 1;", t);
    expect_schema(sc, "k STRING, `upper(k)` STRING, dbl BIGINT, window STRUCT<start: TIMESTAMP, end: TIMESTAMP>");
    snprintf(sc, sizeof sc, "SET weir.outputMode = 'complete';\n%sSELECT lower(k) AS lk, count(DISTINCT clicks) AS n "
             "FROM STREAM(t) WHERE clicks > 0 GROUP BY lower(k);", t);
    expect_schema(sc, "lk STRING, n BIGINT");
    /* WATERMARK expr AS name: the name is a column of the query */
    expect_schema("CREATE TABLE r (s STRING, n INT) USING json;\nSELECT session_window.start AS s0, sum(n) AS total "
                  "FROM STREAM(r) WATERMARK to_timestamp(s) AS ts DELAY OF INTERVAL 5 SECONDS "
                  "GROUP BY session_window(ts, '10 seconds');", "s0 TIMESTAMP, total BIGINT");
}

static void test_settings_and_chain(void) {
    const char *sc = "SET spark.sql.session.timeZone = 'Europe/Paris';\nSET weir.checkpointRoot = 'ck';\n"
                     "CREATE TABLE a (x INT, ts TIMESTAMP) USING json OPTIONS (path 'a');\n"
                     "CREATE TABLE b USING csv OPTIONS (path 'b');\n"
                     "CREATE TABLE c (y BIGINT, h INT) USING csv OPTIONS (path 'c');\n"
                     "INSERT INTO b SELECT x, ts FROM STREAM(a) WATERMARK ts DELAY OF INTERVAL 10 SECONDS;\n"
                     "INSERT INTO c SELECT x, hour(ts) FROM STREAM(b);\n"
                     "SELECT x FROM STREAM(a);\n";
    WScript *s = NULL;
    WErr err;
    werr_init(&err);
    int rc = wsql_compile(sc, strlen(sc), "c.sql", &s, &err);
    CHECK_EQ_INT(rc, WEIR_OK);
    if (rc) {
        fprintf(stderr, "%s\n", err.msg);
        return;
    }
    CHECK_EQ_STR(s->time_zone, "Europe/Paris");
    CHECK_EQ_STR(wopts_get(&s->settings, "weir.checkpointRoot"), "ck");
    CHECK_EQ_INT(s->n_queries, 3);
    CHECK(s->queries[0].select->watermark != NULL);
    CHECK_EQ_INT(s->queries[0].select->wm_delay_micros, 10000000);
    CHECK(s->queries[1].source == &s->tables[1]);
    WBuf b;
    wbuf_init(&b);
    wtype_to_ddl(&s->queries[1].select->out_schema, &b, 1);
    CHECK_EQ_STR(wbuf_cstr(&b), "y BIGINT, h INT"); /* INSERT into declared columns: by position, cast */
    wbuf_fini(&b);
    CHECK(s->queries[2].sink == NULL);
    {
        /* event-time statistics of the WATERMARK expression, NULL times skipped, WHERE ignored */
        WBatch in;
        wbatch_init(&in, &s->tables[0].schema);
        static const int64_t T[] = {3000000, -1, 1000000, 8000000};
        for (int r = 0; r < 4; r++) {
            wbatch_begin_row(&in);
            wvec_append_i32(wbatch_col(&in, 0), r);
            if (T[r] < 0) wvec_append_null(wbatch_col(&in, 1));
            else wvec_append_i64(wbatch_col(&in, 1), T[r]);
        }
        WProject *p = NULL;
        WEventTimeStats st;
        CHECK_EQ_INT(wproject_open(s->queries[0].select, s->time_zone, &p, &err), WEIR_OK);
        CHECK_EQ_INT(wproject_event_time(p, &in, &st, &err), WEIR_OK);
        CHECK_EQ_INT(st.has_watermark, 1);
        CHECK_EQ_INT(st.rows, 3);
        CHECK_EQ_INT(st.min_us, 1000000);
        CHECK_EQ_INT(st.max_us, 8000000);
        CHECK(st.avg_us == 4000000.0);
        wproject_close(p);
        CHECK_EQ_INT(wproject_open(s->queries[2].select, s->time_zone, &p, &err), WEIR_OK);
        CHECK_EQ_INT(wproject_event_time(p, &in, &st, &err), WEIR_OK);
        CHECK_EQ_INT(st.has_watermark, 0);
        CHECK_EQ_INT(st.rows, 0);
        wproject_close(p);
        wbatch_fini(&in);
    }
    CHECK_EQ_STR(s->queries[2].name, "console_3");
    wsql_script_free(s);
}

/* A table and one query over it, compiled, with its projection open and an input and an output batch. */
typedef struct One {
    WScript *s;
    WBatch in, out;
    WProject *p;
    WErr err;
} One;

/* 0 when the script does not compile; one_close frees what one_open made. */
static int one_open(One *o, const char *sc) {
    memset(o, 0, sizeof *o);
    werr_init(&o->err);
    CHECK_EQ_INT(wsql_compile(sc, strlen(sc), "one.sql", &o->s, &o->err), WEIR_OK);
    if (!o->s) return 0;
    const WBoundSelect *sel = o->s->queries[0].select;
    wbatch_init(&o->in, &o->s->tables[0].schema);
    wbatch_init(&o->out, &sel->out_schema);
    CHECK_EQ_INT(wproject_open(sel, NULL, &o->p, &o->err), WEIR_OK);
    return 1;
}

static void one_close(One *o) {
    wproject_close(o->p);
    wbatch_fini(&o->out);
    wbatch_fini(&o->in);
    wsql_script_free(o->s);
}

/* Batches of different sizes through one operator (literal vectors are kept between batches), a filter
 * appending after rows already in the output, NULLs on both sides of the typed arithmetic loops. */
static void test_batches(void) {
    const char *sc = "CREATE TABLE a (x INT, y BIGINT, z DOUBLE) USING json;\n"
                     "SELECT x + 1 AS p, y * 2 AS q, z / 0.5 AS r, 'k' AS k FROM STREAM(a) WHERE x > 1 OR y < 0;";
    One o;
    if (!one_open(&o, sc)) return;
    static const int sizes[] = {4, 2, 7};
    int64_t want_rows = 0;
    WBuf want, got;
    wbuf_init(&want);
    wbuf_init(&got);
    for (int k = 0; k < 3; k++) {
        wbatch_reset(&o.in);
        for (int r = 0; r < sizes[k]; r++) {
            int x = r + k, xnull = (r + k) % 5 == 3;
            long long y = (r % 3 == 0) ? -1 - r : r * 10;
            double z = r * 1.5;
            wbatch_begin_row(&o.in);
            if (xnull) wvec_append_null(wbatch_col(&o.in, 0));
            else wvec_append_i32(wbatch_col(&o.in, 0), x);
            if (r == 1) wvec_append_null(wbatch_col(&o.in, 1));
            else wvec_append_i64(wbatch_col(&o.in, 1), y);
            wvec_append_f64(wbatch_col(&o.in, 2), z);
            /* WHERE x > 1 OR y < 0, three-valued: kept when either side is true */
            int xt = !xnull && x > 1, yt = r != 1 && y < 0;
            if (!(xt || yt)) continue;
            want_rows++;
            if (xnull) wbuf_puts(&want, "NULL,");
            else wbuf_printf(&want, "%d,", x + 1);
            if (r == 1) wbuf_puts(&want, "NULL,");
            else wbuf_printf(&want, "%lld,", y * 2);
            wbuf_printf(&want, "%g,k\n", z / 0.5);
        }
        CHECK_EQ_INT(wproject_run_at(o.p, &o.in, &o.out, 0, &o.err), WEIR_OK);
    }
    CHECK_EQ_INT(wbatch_rows(&o.out), want_rows);
    for (int64_t r = 0; r < wbatch_rows(&o.out); r++) {
        const WVec *c0 = wbatch_col(&o.out, 0), *c1 = wbatch_col(&o.out, 1), *c2 = wbatch_col(&o.out, 2),
                   *c3 = wbatch_col(&o.out, 3);
        if (wvec_is_null(c0, r)) wbuf_puts(&got, "NULL,");
        else wbuf_printf(&got, "%d,", wvec_i32(c0, r));
        if (wvec_is_null(c1, r)) wbuf_puts(&got, "NULL,");
        else wbuf_printf(&got, "%lld,", (long long)wvec_i64(c1, r));
        size_t n;
        const char *t = wvec_str(c3, r, &n);
        wbuf_printf(&got, "%g,%.*s\n", wvec_f64(c2, r), (int)n, t);
    }
    CHECK_EQ_STR(wbuf_cstr(&got), wbuf_cstr(&want));
    int64_t nulls = 0;
    for (const char *q = wbuf_cstr(&want); (q = strstr(q, "NULL")) != NULL; q += 4) nulls++;
    CHECK_EQ_INT(wbatch_col(&o.out, 0)->null_count + wbatch_col(&o.out, 1)->null_count, nulls);
    CHECK(nulls > 0);
    wbuf_fini(&want);
    wbuf_fini(&got);
    one_close(&o);
}

/* Columns copied whole (no WHERE) into an output that already holds rows, so that the validity bits land
 * at every bit offset: batches of 1 to 200 rows, NULLs at random in a top-level column, a struct, and
 * the struct's fields; every value and NULL, and the NULL counts, compared with the input rows. */
static void test_copy_runs(void) {
    const char *sc = "CREATE TABLE t (a STRUCT<c: INT, d: DOUBLE>, ts TIMESTAMP) USING json;\n"
                     "SELECT a, a.c AS c, ts FROM STREAM(t);";
    One o;
    if (!one_open(&o, sc)) return;
    enum { MAXROWS = 4000 };
    static int anull[MAXROWS], cnull[MAXROWS], tnull[MAXROWS], cval[MAXROWS];
    int64_t total = 0, want_nulls[3] = {0, 0, 0};
    uint64_t seed = 12345;
    static const int sizes[] = {3, 130, 64, 200, 1, 77, 128, 5, 190, 63, 65};
    for (size_t k = 0; k < sizeof sizes / sizeof sizes[0]; k++) {
        wbatch_reset(&o.in);
        for (int r = 0; r < sizes[k]; r++, total++) {
            seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
            unsigned bits = (unsigned)(seed >> 40);
            anull[total] = bits % 7 == 0;
            cnull[total] = anull[total] || (bits >> 4) % 5 == 0;
            tnull[total] = (bits >> 8) % 3 == 0;
            cval[total] = (int)(bits >> 12 & 0xffff);
            want_nulls[0] += anull[total];
            want_nulls[1] += cnull[total];
            want_nulls[2] += tnull[total];
            wbatch_begin_row(&o.in);
            WVec *a = wbatch_col(&o.in, 0);
            if (anull[total]) wvec_append_null(a);
            else {
                wvec_append_struct(a);
                if (cnull[total]) wvec_append_null(&a->children[0]);
                else wvec_append_i32(&a->children[0], cval[total]);
                wvec_append_f64(&a->children[1], cval[total] / 4.0);
            }
            if (tnull[total]) wvec_append_null(wbatch_col(&o.in, 1));
            else wvec_append_i64(wbatch_col(&o.in, 1), (int64_t)cval[total] * 1000);
        }
        CHECK_EQ_INT(wproject_run_at(o.p, &o.in, &o.out, 0, &o.err), WEIR_OK);
    }
    CHECK_EQ_INT(wbatch_rows(&o.out), total);
    const WVec *a = wbatch_col(&o.out, 0), *c = wbatch_col(&o.out, 1), *t = wbatch_col(&o.out, 2);
    long bad = 0;
    for (int64_t r = 0; r < total; r++) {
        bad += wvec_is_null(a, r) != anull[r] || wvec_is_null(c, r) != cnull[r] || wvec_is_null(t, r) != tnull[r];
        bad += wvec_is_null(&a->children[0], r) != cnull[r];
        if (!cnull[r]) bad += wvec_i32(c, r) != cval[r] || wvec_i32(&a->children[0], r) != cval[r];
        if (!anull[r]) bad += wvec_is_null(&a->children[1], r) || wvec_f64(&a->children[1], r) != cval[r] / 4.0;
        if (!tnull[r]) bad += wvec_i64(t, r) != (int64_t)cval[r] * 1000;
    }
    CHECK_EQ_INT(bad, 0);
    CHECK_EQ_INT(a->null_count, want_nulls[0]);
    CHECK_EQ_INT(c->null_count, want_nulls[1]);
    CHECK_EQ_INT(t->null_count, want_nulls[2]);
    CHECK(want_nulls[0] > 0 && want_nulls[1] > want_nulls[0] && want_nulls[2] > 0);
    one_close(&o);
}

int main(void) {
    test_batches();
    test_copy_runs();
    test_task1();
    test_queries();
    test_errors();
    test_settings_and_chain();
    test_aggregation_schema();
    return check_summary();
}
