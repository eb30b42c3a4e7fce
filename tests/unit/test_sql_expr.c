/*
 * test_sql_expr.c - SQL expressions evaluated by weir (sql/resolve.h + exec/expr.h), checked against
 * Spark's answers worked out by hand: result types, NULL rules, non-ANSI overflow and casts, HALF_UP
 * rounding, string functions on UTF-8, time functions in UTC and in Europe/Paris.
 *
 * With SQL_EXPR_ORACLE=dir it instead reads dir/rows.jsonl and dir/exprs.txt (one expression a line),
 * evaluates every expression over every row and writes dir/weir.tsv ("expr<TAB>row<TAB>type<TAB>value"), which
 * tests/cli/sql_expr.sh compares with DuckDB and with Spark's rules coded in tests/oracle/sql_expr.mjs.
 */
#include <stdlib.h>

#include "check.h"
#include "core/buf.h"
#include "core/num.h"
#include "core/vec.h"
#include "exec/expr.h"
#include "exec/project.h"
#include "formats/json.h"
#include "sql/plan.h"
#include "sql/resolve.h"

static void put_value(WBuf *b, const WVec *v, int64_t r) {
    if (wvec_is_null(v, r)) {
        wbuf_puts(b, "NULL");
        return;
    }
    char t[64];
    switch (v->type->id) {
    case WT_BOOLEAN: wbuf_puts(b, wvec_bool(v, r) ? "true" : "false"); break;
    case WT_INT: case WT_DATE: wbuf_printf(b, "%d", wvec_i32(v, r)); break;
    case WT_BIGINT: case WT_TIMESTAMP: wbuf_printf(b, "%lld", (long long)wvec_i64(v, r)); break;
    case WT_DOUBLE:
        wnum_format_double(wvec_f64(v, r), t);
        wbuf_puts(b, t);
        break;
    case WT_STRING: {
        size_t n;
        const char *s = wvec_str(v, r, &n);
        for (size_t i = 0; i < n; i++) {
            if (s[i] == '\t') wbuf_puts(b, "\\t");
            else if (s[i] == '\n') wbuf_puts(b, "\\n");
            else if (s[i] == '\\') wbuf_puts(b, "\\\\");
            else wbuf_putc(b, s[i]);
        }
        break;
    }
    default: wbuf_puts(b, "?"); break;
    }
}

/* Evaluates `expr` over one row (x INT = 7) in time zone tz; "type:value" or "ERROR:<message>". */
static const char *eval1(const char *tz, const char *expr) {
    static char res[2048];
    static char script[65536];
    snprintf(script, sizeof script, "%s%s%sCREATE TABLE t (x INT) USING json;\nSELECT %s FROM STREAM(t);",
             tz ? "SET timezone = '" : "", tz ? tz : "", tz ? "';\n" : "", expr);
    WScript *s = NULL;
    WErr err;
    werr_init(&err);
    int rc = wsql_compile(script, strlen(script), "", &s, &err);
    if (rc) {
        snprintf(res, sizeof res, "ERROR:%s", err.msg);
        return res;
    }
    const WQueryPlan *q = &s->queries[0];
    WBatch in, out;
    wbatch_init(&in, &s->tables[0].schema);
    wbatch_begin_row(&in);
    wvec_append_i32(wbatch_col(&in, 0), 7);
    wbatch_init(&out, &q->select->out_schema);
    WProject *p = NULL;
    rc = wproject_open(q->select, s->time_zone, &p, &err);
    /* current_timestamp: 2024-03-31T00:59:59.5Z, half a second before Paris moves to summer time */
    if (!rc) rc = wproject_run_at(p, &in, &out, 1711846799500000LL, &err);
    if (rc) {
        snprintf(res, sizeof res, "ERROR:%s", err.msg);
    } else {
        WBuf b;
        wbuf_init(&b);
        wbuf_printf(&b, "%s:", wtype_name(q->select->out_schema.fields[0].type.id));
        put_value(&b, wbatch_col(&out, 0), 0);
        snprintf(res, sizeof res, "%s", wbuf_cstr(&b));
        wbuf_fini(&b);
    }
    wproject_close(p);
    wbatch_fini(&out);
    wbatch_fini(&in);
    wsql_script_free(s);
    return res;
}

#define EXPECT(expr, want) CHECK_EQ_STR(eval1(NULL, expr), want)
#define EXPECT_TZ(tz, expr, want) CHECK_EQ_STR(eval1(tz, expr), want)

static void test_arithmetic(void) {
    EXPECT("1 + 2", "int:3");
    EXPECT("2147483647 + 1", "int:-2147483648");          /* INT overflow wraps (non-ANSI) */
    EXPECT("9223372036854775807 + 1", "bigint:-9223372036854775808");
    EXPECT("-2147483648", "int:-2147483648");              /* a literal, not -(2147483648) */
    EXPECT("2147483648", "bigint:2147483648");
    EXPECT("x * 1000000000", "int:-1589934592");           /* 7e9 mod 2^32 as int32 */
    EXPECT("7 / 2", "double:3.5");                         /* '/' is always a DOUBLE division */
    EXPECT("7 / 0", "double:NULL");                        /* division by zero is NULL */
    EXPECT("7.0 / 0", "double:NULL");
    EXPECT("7 div 2", "bigint:3");
    EXPECT("-7 div 2", "bigint:-3");
    EXPECT("7 div 0", "bigint:NULL");
    EXPECT("-7 % 3", "int:-1");                            /* sign of the dividend, as Java */
    EXPECT("7 % -3", "int:1");
    EXPECT("7 % 0", "int:NULL");
    EXPECT("-2147483648 % -1", "int:0");
    EXPECT("5.5 % 2", "double:1.5");
    EXPECT("1 + 2L", "bigint:3");
    EXPECT("1 + 0.5", "double:1.5");
    EXPECT("'1' + 1", "double:2.0");                       /* strings in arithmetic become DOUBLE */
    EXPECT("'abc' + 1", "double:NULL");
    EXPECT("NULL + 1", "int:NULL");
    EXPECT("-x", "int:-7");
    EXPECT("-(-2147483647 - 1)", "int:-2147483648");
    EXPECT("abs(-2147483647 - 1)", "int:-2147483648");     /* Math.abs wraps too */
    EXPECT("abs(-2.5)", "double:2.5");
    EXPECT("~5", "int:-6");
    EXPECT("0.1 + 0.2", "double:0.30000000000000004");
}

static void test_logic(void) {
    EXPECT("NULL AND false", "boolean:false");
    EXPECT("NULL AND true", "boolean:NULL");
    EXPECT("NULL OR true", "boolean:true");
    EXPECT("NULL OR false", "boolean:NULL");
    EXPECT("NOT NULL", "boolean:NULL");
    EXPECT("NULL = NULL", "boolean:NULL");
    EXPECT("NULL <=> NULL", "boolean:true");
    EXPECT("1 <=> NULL", "boolean:false");
    EXPECT("x IS NULL", "boolean:false");
    EXPECT("NULL IS NULL", "boolean:true");
    EXPECT("x IN (1, 7)", "boolean:true");
    EXPECT("x IN (1, NULL)", "boolean:NULL");
    EXPECT("x NOT IN (1, NULL)", "boolean:NULL");
    EXPECT("x IN (7, NULL)", "boolean:true");
    {
        /* 3000 values: the ORs form a balanced tree */
        static char in[40000];
        size_t n = (size_t)snprintf(in, sizeof in, "x IN (");
        for (int i = 0; i < 3000; i++) n += (size_t)snprintf(in + n, sizeof in - n, "%s%d", i ? ", " : "", 1000 - i);
        snprintf(in + n, sizeof in - n, ")");
        EXPECT(in, "boolean:true");
        n = (size_t)snprintf(in, sizeof in, "x + 10000 IN (");
        for (int i = 0; i < 3000; i++) n += (size_t)snprintf(in + n, sizeof in - n, "%s%d", i ? ", " : "", 1000 - i);
        snprintf(in + n, sizeof in - n, ", NULL)");
        EXPECT(in, "boolean:NULL"); /* 10007 is not listed, and NULL is */
    }
    EXPECT("x BETWEEN 1 AND 10", "boolean:true");
    EXPECT("x NOT BETWEEN 1 AND 10", "boolean:false");
    EXPECT("x BETWEEN NULL AND 5", "boolean:false");       /* NULL AND false */
    EXPECT("x != 7", "boolean:false");
    EXPECT("x <> 8", "boolean:true");
    EXPECT("'7' = x", "boolean:true");                     /* string cast to the int side */
    EXPECT("'7.9' = x", "boolean:true");                   /* '7.9' as INT is 7 in Spark */
    EXPECT("'abc' < 'abd'", "boolean:true");
    EXPECT("'é' > 'z'", "boolean:true");                   /* UTF-8 byte order */
    EXPECT("cast('NaN' as double) = cast('NaN' as double)", "boolean:true");
    EXPECT("cast('NaN' as double) > 1e308", "boolean:true");
    EXPECT("-0.0 = 0.0", "boolean:true");
    EXPECT("'true' AND true", "boolean:true");
    EXPECT("CASE WHEN x > 5 THEN 'big' WHEN x > 0 THEN 'small' END", "string:big");
    EXPECT("CASE WHEN x > 50 THEN 'big' END", "string:NULL");
    EXPECT("CASE x WHEN 1 THEN 'one' WHEN 7 THEN 'seven' ELSE 'other' END", "string:seven");
    EXPECT("CASE WHEN NULL THEN 1 ELSE 2 END", "int:2");
    EXPECT("CASE WHEN true THEN 1 ELSE 2.5 END", "double:1.0");
    EXPECT("CASE WHEN true THEN 1 ELSE 'a' END", "string:1");
    EXPECT("'abc' LIKE 'a%'", "boolean:true");
    EXPECT("'abc' LIKE '_b_'", "boolean:true");
    EXPECT("'äbc' LIKE '_bc'", "boolean:true");            /* '_' is one character, not one byte */
    EXPECT("'a%c' LIKE 'a\\%c'", "boolean:true");
    EXPECT("'abc' LIKE 'a\\%c'", "boolean:false");
    EXPECT("'a%c' LIKE 'a!%c' ESCAPE '!'", "boolean:true");
    EXPECT("'abc' NOT LIKE '%z%'", "boolean:true");
    EXPECT("NULL LIKE 'a'", "boolean:NULL");
    EXPECT("x LIKE '7'", "boolean:true");
}

static void test_casts(void) {
    EXPECT("cast(' 42 ' as int)", "int:42");
    EXPECT("cast('4.9' as int)", "int:4");
    EXPECT("cast('-4.9' as bigint)", "bigint:-4");
    EXPECT("cast('2147483648' as int)", "int:NULL");
    EXPECT("cast('1e3' as int)", "int:NULL");
    EXPECT("cast('' as int)", "int:NULL");
    EXPECT("cast('12a' as int)", "int:NULL");
    EXPECT("cast(3.99 as int)", "int:3");
    EXPECT("cast(-3.99 as int)", "int:-3");
    EXPECT("cast(1e20 as int)", "int:2147483647");         /* Java's saturating (int) */
    EXPECT("cast(cast('NaN' as double) as bigint)", "bigint:0");
    EXPECT("cast(4294967297 as int)", "int:1");            /* BIGINT to INT keeps the low 32 bits */
    EXPECT("cast(' 1.5 ' as double)", "double:1.5");
    EXPECT("cast('1.5d' as double)", "double:1.5");
    EXPECT("cast('-Infinity' as double)", "double:-Infinity");
    EXPECT("cast('x' as double)", "double:NULL");
    EXPECT("cast('yes' as boolean)", "boolean:true");
    EXPECT("cast(' F ' as boolean)", "boolean:false");
    EXPECT("cast('maybe' as boolean)", "boolean:NULL");
    EXPECT("cast(0.0 as boolean)", "boolean:false");
    EXPECT("cast(true as int)", "int:1");
    EXPECT("cast(1.0 as string)", "string:1.0");
    EXPECT("cast(1e7 as string)", "string:1.0E7");         /* Java's Double.toString */
    EXPECT("cast(123456.5 as string)", "string:123456.5");
    EXPECT("cast(0.001 as string)", "string:0.001");
    EXPECT("cast(0.0001 as string)", "string:1.0E-4");
    EXPECT("cast(-1.25e-10 as string)", "string:-1.25E-10");
    EXPECT("cast(3.9000000000000004 as string)", "string:3.9000000000000004");
    EXPECT("cast(true as string)", "string:true");
    EXPECT("cast(TIMESTAMP '2022-09-06 11:40:00.123400' as string)", "string:2022-09-06 11:40:00.1234");
    EXPECT("cast(TIMESTAMP '2022-09-06T11:40:00' as string)", "string:2022-09-06 11:40:00");
    EXPECT("cast(TIMESTAMP '2022-09-06 11:40:00' as bigint)", "bigint:1662464400");
    EXPECT("cast(TIMESTAMP '1969-12-31 23:59:59.5' as bigint)", "bigint:-1");  /* floor, not truncation */
    EXPECT("cast(TIMESTAMP '1969-12-31 23:59:59.5' as double)", "double:-0.5");
    EXPECT("cast(1662464400 as timestamp)", "timestamp:1662464400000000");
    EXPECT("cast(1.5 as timestamp)", "timestamp:1500000");
    EXPECT("cast('2022-09-06' as date)", "date:19241");
    EXPECT("cast(DATE '2022-09-06' as string)", "string:2022-09-06");
    EXPECT("cast(TIMESTAMP '2022-09-06 23:59:59' as date)", "date:19241");
    EXPECT("cast('2022-09-06 11:40' as timestamp)", "timestamp:1662464400000000");
    EXPECT("cast('not a time' as timestamp)", "timestamp:NULL");
    EXPECT("DATE '2022-09-06' + 1", "date:19242");
    EXPECT("cast(NULL as string)", "string:NULL");
    EXPECT("NULL", "string:NULL");
}

static void test_strings(void) {
    EXPECT("concat('a', 'b', 'c')", "string:abc");
    EXPECT("concat('a', NULL)", "string:NULL");            /* Spark: NULL if any argument is NULL */
    EXPECT("'a' || x || true", "string:a7true");
    EXPECT("concat()", "string:");
    EXPECT("lower('ÀÉÎ Straße ΑΒΓ Привет')", "string:àéî straße αβγ привет");
    EXPECT("upper('àéî straße σας привет ÿ')", "string:ÀÉÎ STRASSE ΣΑΣ ПРИВЕТ Ÿ"); /* ß -> SS as Java */
    EXPECT("upper(NULL)", "string:NULL");
    /* Java's final sigma: ΟΔΟΣ -> οδος with ς at the end of a word only (Σ alone stays σ) */
    EXPECT("lower('ΟΔΟΣ ΣΟΦΙΑ ΚΟΣΜΟΣ. Σ')", "string:οδος σοφια κοσμος. σ");
    EXPECT("length('日本語')", "int:3");
    EXPECT("length('')", "int:0");
    EXPECT("length(x * 100)", "int:3");
    EXPECT("substring('Spark SQL', 5)", "string:k SQL");
    EXPECT("substring('Spark SQL', -3)", "string:SQL");
    EXPECT("substring('Spark SQL', 5, 1)", "string:k");
    EXPECT("substring('Spark SQL', 0, 2)", "string:Sp");   /* position 0 counts as 1 */
    EXPECT("substring('Spark SQL', -20, 22)", "string:Spark SQL"); /* end = -11 + 22 before clamping */
    EXPECT("substring('Spark SQL', -12, 5)", "string:Sp");
    EXPECT("substring('Spark SQL', 3, -1)", "string:");
    EXPECT("substring('Spark SQL', 100)", "string:");
    EXPECT("substr('日本語テキスト', 2, 3)", "string:本語テ");
    EXPECT("substring('abc', NULL)", "string:NULL");
    EXPECT("trim('  a b  ')", "string:a b");
    EXPECT("trim('\\ta ')", "string:\\ta");                /* only spaces are trimmed */
    EXPECT("ltrim('  a  ')", "string:a  ");
    EXPECT("rtrim('  a  ')", "string:  a");
    EXPECT("coalesce(NULL, NULL, 'z')", "string:z");
    EXPECT("coalesce(NULL, 1, 2L)", "bigint:1");
    EXPECT("coalesce(NULL, x, 2.5)", "double:7.0");
    EXPECT("coalesce(NULL)", "string:NULL");
    EXPECT("nvl(NULL, 3)", "int:3");
}

static void test_round(void) {
    EXPECT("round(2.5)", "double:3.0");                    /* HALF_UP, not banker's */
    EXPECT("round(-2.5)", "double:-3.0");
    EXPECT("round(1.005, 2)", "double:1.01");              /* decided on the decimal text 1.005 */
    EXPECT("round(0.125, 2)", "double:0.13");
    EXPECT("round(3.9000000000000004, 1)", "double:3.9");
    EXPECT("round(-0.4)", "double:0.0");
    EXPECT("round(1234.5678, -2)", "double:1200.0");
    EXPECT("round(9.99, 1)", "double:10.0");
    EXPECT("round(1e300, 2)", "double:1e300");
    EXPECT("round(15, -1)", "int:20");
    EXPECT("round(-15, -1)", "int:-20");
    EXPECT("round(14, -1)", "int:10");
    EXPECT("round(x, 2)", "int:7");
    EXPECT("round(NULL, 1)", "double:NULL");
    EXPECT("round('2.5')", "double:3.0");
}

static void test_time(void) {
    const char *ts = "TIMESTAMP '2024-03-31 01:30:45.25'";
    char e[256];
#define T(fmt, want)                                  \
    do {                                              \
        snprintf(e, sizeof e, fmt, ts);               \
        EXPECT(e, want);                              \
    } while (0)
    T("year(%s)", "int:2024");
    T("month(%s)", "int:3");
    T("day(%s)", "int:31");
    T("hour(%s)", "int:1");
    T("minute(%s)", "int:30");
    T("second(%s)", "int:45");
    T("cast(date_trunc('hour', %s) as string)", "string:2024-03-31 01:00:00");
    T("cast(date_trunc('DAY', %s) as string)", "string:2024-03-31 00:00:00");
    T("cast(date_trunc('week', %s) as string)", "string:2024-03-25 00:00:00"); /* a Monday */
    T("cast(date_trunc('quarter', %s) as string)", "string:2024-01-01 00:00:00");
    T("cast(date_trunc('month', %s) as string)", "string:2024-03-01 00:00:00");
    T("cast(date_trunc('yyyy', %s) as string)", "string:2024-01-01 00:00:00");
    T("cast(date_trunc('second', %s) as string)", "string:2024-03-31 01:30:45");
    T("cast(%s + INTERVAL 1 MONTH as string)", "string:2024-04-30 01:30:45.25"); /* clamped to the month's end */
    T("cast(%s - INTERVAL 1 DAY 2 HOURS as string)", "string:2024-03-29 23:30:45.25");
    T("cast(%s + INTERVAL '10 seconds' as string)", "string:2024-03-31 01:30:55.25");
    EXPECT("year('2022-09-06')", "int:2022");
    EXPECT("month(DATE '2022-09-06')", "int:9");
    EXPECT("hour('2022-09-06 17:05:00')", "int:17");
    EXPECT("hour(NULL)", "int:NULL");
    EXPECT("cast(to_timestamp('2022-09-06 11:40:00.5') as string)", "string:2022-09-06 11:40:00.5");
    EXPECT("to_timestamp('06/09/2022 11:40', 'dd/MM/yyyy HH:mm')", "timestamp:1662464400000000");
    EXPECT("to_timestamp('garbage')", "timestamp:NULL");
    EXPECT("date_format(TIMESTAMP '2022-09-06 11:40:00.5', 'yyyy/MM/dd HH:mm:ss.SSS')", "string:2022/09/06 11:40:00.500");
    EXPECT("date_format('2022-09-06', 'dd.MM.yy')", "string:06.09.22");
    EXPECT("date_format(NULL, 'yyyy')", "string:NULL");
    EXPECT_TZ("Europe/Paris", "date_format(cast(1662464400 as timestamp), 'HH:mm XXX')", "string:13:40 +02:00");
    EXPECT("to_date('06/09/2022', 'dd/MM/yyyy')", "date:19241");
    EXPECT("to_date('2022-09-06 23:59:59')", "date:19241");
    EXPECT("to_date('6 Sept')", "date:NULL");
    EXPECT_TZ("Europe/Paris", "to_date(cast(1662415199 as timestamp))", "date:19240"); /* 23:59:59 local, Sept 5 */
    /* the ends of the range: seconds beyond it saturate, then stay put (294247-01-10T04:00:54.775807Z) */
    EXPECT("cast(9223372036854775807 as timestamp)", "timestamp:9223372036854775807");
    EXPECT("year(cast(9223372036854775807 as timestamp))", "int:294247");
    EXPECT("hour(cast(9223372036854775807 as timestamp))", "int:4");
    EXPECT("date_trunc('second', cast(-9223372036854775808 as timestamp))", "timestamp:-9223372036854775808");
    EXPECT_TZ("Europe/Paris", "year(cast(-9223372036854775808 as timestamp))", "int:-290308");
    EXPECT("to_timestamp('2022-13-01', 'yyyy-MM-dd')", "timestamp:NULL");
    EXPECT("current_timestamp()", "timestamp:1711846799500000");
    EXPECT("current_timestamp", "timestamp:1711846799500000");
    EXPECT("current_date()", "date:19813");
    /* Europe/Paris: 2024-03-31 01:59:59 CET is followed by 03:00:00 CEST */
    EXPECT_TZ("Europe/Paris", "cast(current_timestamp() as string)", "string:2024-03-31 01:59:59.5");
    EXPECT_TZ("Europe/Paris", "hour(current_timestamp())", "int:1");
    EXPECT_TZ("Europe/Paris", "hour(current_timestamp() + INTERVAL 1 SECOND)", "int:3");
    EXPECT_TZ("Europe/Paris", "cast(TIMESTAMP '2022-09-06 11:40:00' as bigint)", "bigint:1662457200");
    EXPECT_TZ("Europe/Paris", "cast(date_trunc('day', TIMESTAMP '2022-09-06 00:30:00') as bigint)",
              "bigint:1662415200");
    EXPECT_TZ("Europe/Paris", "day(cast(1662415200 as timestamp))", "int:6");   /* 2022-09-06T00:00+02:00 */
    EXPECT_TZ("Europe/Paris", "day(cast(1662415199 as timestamp))", "int:5");
    EXPECT_TZ("Europe/Paris", "cast(cast('2022-09-06' as date) as timestamp)", "timestamp:1662415200000000");
    EXPECT_TZ("+05:30", "minute(TIMESTAMP '2022-09-06 11:40:00Z')", "int:10");
    EXPECT_TZ("Europe/Paris", "cast(TIMESTAMP '2022-01-31 10:00:00' + INTERVAL 1 MONTH as string)",
              "string:2022-02-28 10:00:00");
}

static void expect_err(const char *expr, const char *needle) {
    const char *r = eval1(NULL, expr);
    if (strncmp(r, "ERROR:", 6) || !strstr(r, needle)) {
        fprintf(stderr, "%s -> %s\nexpected an error with: %s\n", expr, r, needle);
        CHECK(0);
    } else {
        CHECK(1);
    }
}

static void test_errors(void) {
    expect_err("nosuch(x)", "2:8: unknown function nosuch()");
    expect_err("lower(x, x)", "wrong number of arguments: lower() takes 1, found 2");
    expect_err("substring('a')", "substring() takes 2 to 3, found 1");
    expect_err("true + 1", "type mismatch: '+' expects numbers, found boolean");
    expect_err("x AND true", "type mismatch: AND expects boolean, found int");
    expect_err("y + 1", "unknown column 'y'; the input columns are: x");
    expect_err("x.y", "cannot take field 'y' of x");
    expect_err("x = TIMESTAMP '2022-01-01'", "cannot compare int with timestamp");
    expect_err("TIMESTAMP 'yesterday'", "cannot read TIMESTAMP 'yesterday'");
    expect_err("date_trunc('hours', current_timestamp())", "unknown unit 'hours'");
    expect_err("round(2.5, x)", "the scale must be an integer literal");
    expect_err("INTERVAL 1 DAY", "an INTERVAL can only be added to or subtracted from a timestamp");
    expect_err("x + INTERVAL 1 DAY", "an INTERVAL can be added to a timestamp, not to int");
    expect_err("sum(x)", "Append output mode not supported when there are streaming aggregations without watermark");
    expect_err("x + 1 IN (sum(x))", "2:8: column x is neither in GROUP BY nor inside an aggregate function");
    expect_err("stddev(x)", "the aggregate function stddev() (weir has count, sum, avg");
    expect_err("cast(x as date)", "cannot CAST int to date");
    expect_err("CASE WHEN x THEN 1 END", "WHEN expects a boolean condition, found int");
    expect_err("coalesce(x, true)", "have no common type (int and boolean)");
    expect_err("abs('a' || 'b') + abs(true)", "abs() expects a number, found boolean");
    expect_err("to_timestamp('x', 'yyyy-qq')", "to_timestamp(): bad format");
    expect_err("date_format(x, 'yyyy')", "date_format() expects a timestamp, found int");
    expect_err("date_format(current_timestamp(), x)", "date_format(): the format must be a string literal");
    expect_err("to_date(1.5)", "to_date() expects a string or timestamp, found double");
    /* the caret sits under the offending call, on its line */
    const char *r = eval1(NULL, "x,\n  lower(x, x)");
    CHECK(strstr(r, "3:3: wrong number of arguments") != NULL);
    CHECK(strstr(r, "\n    lower(x, x) FROM STREAM(t);\n    ^") != NULL);
}

/* ---- oracle mode ---- */

static char *slurp(const char *path, size_t *n) {
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    long sz = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *d = malloc((size_t)sz + 1);
    if (d && fread(d, 1, (size_t)sz, f) != (size_t)sz) {
        free(d);
        d = NULL;
    }
    fclose(f);
    if (d) d[sz] = 0;
    *n = (size_t)sz;
    return d;
}

static int oracle(const char *dir) {
    static const char *DDL = "id INT, i INT, i2 INT, b BIGINT, d DOUBLE, d2 DOUBLE, s STRING, s2 STRING, "
                             "t TIMESTAMP, flag BOOLEAN";
    char path[1024];
    size_t rows_n, ex_n;
    snprintf(path, sizeof path, "%s/rows.jsonl", dir);
    char *rows = slurp(path, &rows_n);
    snprintf(path, sizeof path, "%s/exprs.txt", dir);
    char *exprs = slurp(path, &ex_n);
    const char *tz = getenv("SQL_EXPR_TZ");
    if (!rows || !exprs) {
        fprintf(stderr, "cannot read %s/rows.jsonl or exprs.txt\n", dir);
        return 1;
    }
    WErr err;
    werr_init(&err);
    WType schema;
    if (wschema_parse(DDL, strlen(DDL), &schema, &err)) return 1;
    WOpts o;
    wopts_init(&o);
    WJsonReader *jr = NULL;
    WBatch in;
    wbatch_init(&in, &schema);
    if (wjson_reader_open(&schema, &o, &jr, &err)) return 1;
    wjson_begin(jr, "rows.jsonl", rows, rows_n);
    int done = 0;
    while (!done)
        if (wjson_next(jr, &in, 1 << 20, &done, &err)) {
            fprintf(stderr, "%s\n", err.msg);
            return 1;
        }
    snprintf(path, sizeof path, "%s/weir.tsv", dir);
    FILE *out = fopen(path, "w");
    if (!out) return 1;
    WBuf b;
    wbuf_init(&b);
    int k = 0, failures = 0;
    for (char *line = strtok(exprs, "\n"); line; line = strtok(NULL, "\n"), k++) {
        char script[4096];
        snprintf(script, sizeof script, "%s%s%sCREATE TABLE r (%s) USING json;\nSELECT %s FROM STREAM(r);",
                 tz ? "SET timezone = '" : "", tz ? tz : "", tz ? "';\n" : "", DDL, line);
        WScript *s = NULL;
        werr_init(&err);
        WProject *p = NULL;
        WBatch ob;
        int have_out = 0;
        int rc = wsql_compile(script, strlen(script), "expr", &s, &err);
        if (!rc) {
            wbatch_init(&ob, &s->queries[0].select->out_schema);
            have_out = 1;
            rc = wproject_open(s->queries[0].select, s->time_zone, &p, &err);
        }
        if (!rc) rc = wproject_run_at(p, &in, &ob, 0, &err);
        if (rc) {
            fprintf(out, "%d\t-1\terror\t", k);
            for (char *c = err.msg; *c; c++) fputc(*c == '\n' || *c == '\t' ? ' ' : *c, out);
            fputc('\n', out);
            failures++;
        } else {
            const WVec *v = wbatch_col(&ob, 0);
            const char *ty = wtype_name(v->type->id);
            for (int64_t r = 0; r < wbatch_rows(&ob); r++) {
                wbuf_reset(&b);
                put_value(&b, v, r);
                fprintf(out, "%d\t%lld\t%s\t%s\n", k, (long long)r, ty, wbuf_cstr(&b));
            }
        }
        wproject_close(p);
        if (have_out) wbatch_fini(&ob);
        wsql_script_free(s);
    }
    fclose(out);
    wbuf_fini(&b);
    long long n_rows = (long long)wbatch_rows(&in);
    wjson_reader_close(jr);
    wbatch_fini(&in);
    wtype_fini(&schema);
    wopts_fini(&o);
    free(rows);
    free(exprs);
    printf("%d expressions evaluated over %lld rows, %d failed to compile\n", k, n_rows, failures);
    return 0;
}

int main(void) {
    const char *dir = getenv("SQL_EXPR_ORACLE");
    if (dir) return oracle(dir);
    test_arithmetic();
    test_logic();
    test_casts();
    test_strings();
    test_round();
    test_time();
    test_errors();
    return check_summary();
}
