/*
 * test_sql_parse.c - the SQL lexer, parser and printer (sql/parse.h): canonical forms worked out by hand
 * (precedence, literals, every clause), print -> parse -> print round trips, and error messages with
 * line:column, the source line and a caret, saying what was expected.
 */
#include <stdlib.h>

#include "check.h"
#include "core/buf.h"
#include "sql/parse.h"

/* Canonical text of every statement of src, joined with "; " (or "ERROR:<msg>"). */
static const char *canon(const char *src) {
    static char res[4096];
    WSqlScript *s = NULL;
    WErr err;
    werr_init(&err);
    if (wsql_parse(src, strlen(src), &s, &err)) {
        snprintf(res, sizeof res, "ERROR:%s", err.msg);
        return res;
    }
    WBuf b;
    wbuf_init(&b);
    for (int i = 0; i < s->n_stmts; i++) {
        if (i) wbuf_puts(&b, "; ");
        wsql_print_stmt(s->stmts[i], &b);
    }
    snprintf(res, sizeof res, "%s", wbuf_cstr(&b));
    wbuf_fini(&b);
    wsql_ast_free(s);
    return res;
}

/* Spark's default column name of the first select item. */
static const char *name_of(const char *src) {
    static char res[512];
    WSqlScript *s = NULL;
    WErr err;
    werr_init(&err);
    if (wsql_parse(src, strlen(src), &s, &err)) return "ERROR";
    WBuf b;
    wbuf_init(&b);
    wsql_print_expr(s->stmts[0]->select->items[0].expr, WSQL_PRINT_NAME, &b);
    snprintf(res, sizeof res, "%s", wbuf_cstr(&b));
    wbuf_fini(&b);
    wsql_ast_free(s);
    return res;
}

static void round_trip(const char *src) {
    char first[4096];
    snprintf(first, sizeof first, "%s", canon(src));
    CHECK(strncmp(first, "ERROR:", 6) != 0);
    CHECK_EQ_STR(canon(first), first);
}

#define CANON(src, want)                   \
    do {                                   \
        CHECK_EQ_STR(canon(src), want);    \
        round_trip(src);                   \
    } while (0)

static void test_canonical(void) {
    CANON("select a+b*c from stream(t)", "SELECT (a + (b * c)) FROM STREAM(t)");
    CANON("SELECT a - b - c, a / b % c, a DIV b FROM t", "SELECT ((a - b) - c), ((a / b) % c), (a div b) FROM t");
    CANON("SELECT NOT a = b AND c OR d FROM t", "SELECT (((NOT (a = b)) AND c) OR d) FROM t");
    CANON("SELECT a OR b AND c FROM t", "SELECT (a OR (b AND c)) FROM t");
    CANON("SELECT a BETWEEN 1 AND 2 AND b FROM t", "SELECT ((a BETWEEN 1 AND 2) AND b) FROM t");
    CANON("SELECT a NOT BETWEEN 1 AND 2 FROM t", "SELECT (NOT (a BETWEEN 1 AND 2)) FROM t");
    CANON("SELECT a || b || 'c' FROM t", "SELECT ((a || b) || 'c') FROM t");
    CANON("SELECT a < b = true, a <=> NULL, a <> b, a != b, a == b FROM t",
          "SELECT ((a < b) = true), (a <=> NULL), (a != b), (a != b), (a = b) FROM t");
    CANON("SELECT -5, - x, -(-2), +3, ~a FROM t", "SELECT -5, (- x), (- -2), (+ 3), (~ a) FROM t");
    CANON("SELECT 2147483647, 2147483648, -2147483648, 7L, 1.5, 1e3, .5 FROM t",
          "SELECT 2147483647, 2147483648L, -2147483648, 7L, 1.5, 1e3, .5 FROM t");
    CANON("SELECT 'it''s', 'a\\nb', \"dq\", 'x' 'y' FROM t", "SELECT 'it\\'s', 'a\\nb', 'dq', 'xy' FROM t");
    CANON("SELECT a IS NULL, b IS NOT NULL, c IN (1, 2), d NOT IN ('x') FROM t",
          "SELECT (a IS NULL), (b IS NOT NULL), (c IN (1, 2)), (NOT (d IN ('x'))) FROM t");
    CANON("SELECT a LIKE 'x%', a NOT LIKE '_' , a LIKE 'a!%' ESCAPE '!' FROM t",
          "SELECT (a LIKE 'x%'), (NOT (a LIKE '_')), (a LIKE 'a!%' ESCAPE '!') FROM t");
    CANON("SELECT CASE WHEN a > 1 THEN 'x' ELSE 'y' END, CASE a WHEN 1 THEN 2 END FROM t",
          "SELECT CASE WHEN (a > 1) THEN 'x' ELSE 'y' END, CASE a WHEN 1 THEN 2 END FROM t");
    CANON("SELECT CAST(a AS int), cast(b as VARCHAR(10)), CAST(c AS STRUCT<x: INT>) FROM t",
          "SELECT CAST(a AS INT), CAST(b AS STRING), CAST(c AS STRUCT<x: INT>) FROM t");
    CANON("SELECT TIMESTAMP '2022-09-06 11:40:00', DATE '2022-09-06', timestamp FROM t",
          "SELECT TIMESTAMP '2022-09-06 11:40:00', DATE '2022-09-06', `timestamp` FROM t");
    CANON("SELECT `select`, `As`, `interval`, `date`.`from` FROM t", "SELECT `select`, `As`, `interval`, `date`.`from` FROM t");
    CANON("SELECT INTERVAL 10 SECONDS, INTERVAL 1 MINUTE 30 SECONDS, INTERVAL '2 hours', INTERVAL '1.5' SECOND, "
          "INTERVAL 1 MONTH FROM t",
          "SELECT INTERVAL '10 seconds', INTERVAL '90 seconds', INTERVAL '7200 seconds', INTERVAL '1.5 seconds', "
          "INTERVAL '1 months' FROM t");
    CANON("SELECT `my col`, `a``b`, a.b.c, a.*, * FROM t", "SELECT `my col`, `a``b`, a.b.c, a.*, * FROM t");
    CANON("SELECT lower(a), COALESCE(a, b, 'z'), count(*), count(DISTINCT a), current_timestamp() FROM t",
          "SELECT lower(a), coalesce(a, b, 'z'), count(*), count(DISTINCT a), current_timestamp() FROM t");
    CANON("SELECT window(ts, '10 seconds').start FROM t", "SELECT window(ts, '10 seconds').start FROM t");
    CANON("SELECT a AS x, b y, c `z z` FROM STREAM(src) AS s WHERE a > 0",
          "SELECT a AS x, b AS y, c AS `z z` FROM STREAM(src) AS s WHERE (a > 0)");
    CANON("SELECT a FROM STREAM t s WATERMARK ts DELAY OF INTERVAL 10 SECONDS WHERE a GROUP BY a, b HAVING a > 1",
          "SELECT a FROM STREAM(t) AS s WATERMARK ts DELAY OF INTERVAL '10 seconds' WHERE a GROUP BY a, b HAVING (a > 1)");
    CANON("-- a comment\nSELECT /* inside */ a -- trailing\nFROM t; ;", "SELECT a FROM t");
    CANON("CREATE TABLE clicks_json (\n analytics STRUCT<clicks: INT, impressions: INT>,\n datetime TIMESTAMP\n) "
          "USING JSON OPTIONS (path 'data/json_files', maxFilesPerTrigger 5, header true, 'a.b' = 'c', x.y -1)",
          "CREATE TABLE clicks_json (analytics STRUCT<clicks: INT, impressions: INT>, datetime TIMESTAMP) USING json "
          "OPTIONS (path 'data/json_files', maxFilesPerTrigger '5', header 'true', a.b 'c', x.y '-1')");
    CANON("create table if not exists db.out using csv", "CREATE TABLE IF NOT EXISTS out USING csv");
    CANON("SET spark.sql.session.timeZone = 'Europe/Paris'; set timezone = UTC; SET TIME ZONE '+02:00'",
          "SET spark.sql.session.timeZone = 'Europe/Paris'; SET timezone = 'UTC'; "
          "SET spark.sql.session.timeZone = '+02:00'");
    CANON("INSERT INTO out SELECT * FROM STREAM(src)", "INSERT INTO out SELECT * FROM STREAM(src)");
    CANON("insert into table out select a from stream(src)", "INSERT INTO out SELECT a FROM STREAM(src)");
}

static void test_names(void) {
    CHECK_EQ_STR(name_of("SELECT a + 1 FROM t"), "(a + 1)");
    CHECK_EQ_STR(name_of("SELECT analytics.clicks FROM t"), "analytics.clicks");
    CHECK_EQ_STR(name_of("SELECT 'x' FROM t"), "x");
    CHECK_EQ_STR(name_of("SELECT a || b FROM t"), "concat(a, b)");
    CHECK_EQ_STR(name_of("SELECT a != b FROM t"), "(NOT (a = b))");
    CHECK_EQ_STR(name_of("SELECT count(*) FROM t"), "count(1)");
    CHECK_EQ_STR(name_of("SELECT a LIKE 'x' FROM t"), "a LIKE x");
    CHECK_EQ_STR(name_of("SELECT lower(`my col`) FROM t"), "lower(my col)");
}

static void expect_error(const char *src, const char *want) {
    const char *got = canon(src);
    if (strncmp(got, "ERROR:", 6) || !strstr(got, want)) {
        fprintf(stderr, "source: %s\ngot: %s\nwant: %s\n", src, got, want);
        CHECK(0);
    } else {
        CHECK(1);
    }
}

static void test_errors(void) {
    expect_error("SELECT a FORM t", "1:10: expected FROM, found 'FORM'\n  SELECT a FORM t\n           ^");
    expect_error("SELECT a FROM t WHERE", "1:22: expected an expression, found end of input");
    expect_error("SELECT (a + 1 FROM t", "1:15: expected ')', found 'FROM'\n  SELECT (a + 1 FROM t\n                ^");
    expect_error("SELECT a,\n  b +\nFROM t", "3:1: expected an expression, found 'FROM'\n  FROM t\n  ^");
    expect_error("SELECT 'abc FROM t", "1:8: unterminated string");
    expect_error("SELECT a FROM t /* open", "1:17: unterminated comment: expected '*/'");
    expect_error("SELECT a, FROM t", "1:11: expected an expression after ','");
    expect_error("SELECT FROM t", "1:8: expected an expression, found 'FROM'");
    expect_error("SELECT a FROM", "1:14: expected a table name or STREAM(table), found end of input");
    expect_error("SELECT a b c FROM t", "1:10: expected ',' or FROM, found 'b'");
    expect_error("SELECT CASE a END FROM t", "1:15: expected WHEN, found 'END'");
    expect_error("SELECT CAST(a AS INTEGR) FROM t", "1:18: type:");
    expect_error("SELECT a IS b FROM t", "1:13: expected NULL or NOT NULL after IS, found 'b'");
    expect_error("SELECT a NOT b FROM t", "1:14: expected IN, BETWEEN or LIKE after NOT, found 'b'");
    expect_error("SELECT INTERVAL 3 PARSECS FROM t", "1:19: expected an interval unit such as SECONDS, found 'PARSECS'");
    expect_error("SELECT * AS x FROM t", "1:8: '*' cannot have an alias");
    expect_error("CREATE TABLE t (a INT) USING json OPTIONS (path)", "1:48: expected an option value");
    expect_error("CREATE TABLE t (a INT, b) USING json", "1:25:");
    expect_error("CREATE TABLE t USING", "1:21: expected a format (json, csv, parquet), found end of input");
    expect_error("DROP TABLE t", "1:1: expected CREATE, INSERT, SELECT or SET, found 'DROP'");
    expect_error("SELECT a FROM t SELECT b FROM t", "1:17: expected ';' or the end of the script, found 'SELECT'");
    expect_error("INSERT OVERWRITE t SELECT a FROM t", "INSERT OVERWRITE is not supported");
    expect_error("SELECT a FROM t WHERE a RLIKE 'x'", "RLIKE is not supported; use LIKE");
    expect_error("SET x", "1:6: expected '=', found end of input");
    expect_error("SELECT 'é' + FROM t", "1:14: expected an expression, found 'FROM'\n  SELECT 'é' + FROM t\n               ^");
    /* deep nesting is an error, not a stack overflow */
    char deep[5000];
    size_t n = 0;
    n += (size_t)snprintf(deep, sizeof deep, "SELECT ");
    for (int i = 0; i < 1000; i++) deep[n++] = '(';
    deep[n++] = '1';
    for (int i = 0; i < 1000; i++) deep[n++] = ')';
    snprintf(deep + n, sizeof deep - n, " FROM t");
    expect_error(deep, "expression nested too deeply");
    /* a long left-deep chain: bounded too, so that later passes cannot run out of stack */
    static char chain[20000];
    n = (size_t)snprintf(chain, sizeof chain, "SELECT 1");
    for (int i = 0; i < 1500; i++) n += (size_t)snprintf(chain + n, sizeof chain - n, "+1");
    snprintf(chain + n, sizeof chain - n, " FROM t");
    expect_error(chain, "1:8: expression too complex (over 1000 levels of operators)");
    n = (size_t)snprintf(chain, sizeof chain, "SELECT 1");
    for (int i = 0; i < 990; i++) n += (size_t)snprintf(chain + n, sizeof chain - n, "+1");
    snprintf(chain + n, sizeof chain - n, " FROM t");
    CHECK(strncmp(canon(chain), "ERROR", 5) != 0);
}

static void test_interval_text(void) {
    int32_t mo;
    int64_t us;
    CHECK_EQ_INT(wsql_parse_interval("10 seconds", 10, &mo, &us), WEIR_OK);
    CHECK_EQ_INT(us, 10000000);
    CHECK_EQ_INT(wsql_parse_interval("interval 1 minute 30 s", 22, &mo, &us), WEIR_OK);
    CHECK_EQ_INT(us, 90000000);
    CHECK_EQ_INT(wsql_parse_interval("1.5 ms", 6, &mo, &us), WEIR_OK);
    CHECK_EQ_INT(us, 1500);
    CHECK_EQ_INT(wsql_parse_interval("2 years 1 month", 15, &mo, &us), WEIR_OK);
    CHECK_EQ_INT(mo, 25);
    CHECK_EQ_INT(us, 0);
    CHECK_EQ_INT(wsql_parse_interval("-5 days", 7, &mo, &us), WEIR_OK);
    CHECK_EQ_INT(us, -432000000000LL);
    CHECK_EQ_INT(wsql_parse_interval("10", 2, &mo, &us), WEIR_PARSE);
    CHECK_EQ_INT(wsql_parse_interval("ten seconds", 11, &mo, &us), WEIR_PARSE);
    CHECK_EQ_INT(wsql_parse_interval("", 0, &mo, &us), WEIR_PARSE);
    CHECK_EQ_INT(wsql_parse_interval("1.5 months", 10, &mo, &us), WEIR_PARSE);
}

int main(void) {
    test_canonical();
    test_names();
    test_errors();
    test_interval_text();
    return check_summary();
}
