/*
 * test_schema.c - Spark DDL schema parsing: both spellings, aliases, nesting, errors that point at the column.
 */
#include "check.h"
#include "core/schema.h"

static void roundtrip(const char *ddl, const char *want) {
    WType t;
    WErr err;
    werr_init(&err);
    int rc = wschema_parse(ddl, strlen(ddl), &t, &err);
    CHECK_EQ_INT(rc, WEIR_OK);
    if (rc) {
        fprintf(stderr, "  %s\n", err.msg);
        return;
    }
    WBuf b;
    wbuf_init(&b);
    wtype_to_ddl(&t, &b, 1);
    CHECK_EQ_STR(wbuf_cstr(&b), want);
    wbuf_fini(&b);
    wtype_fini(&t);
}

static void bad(const char *ddl, const char *must_contain, int64_t offset) {
    WType t;
    WErr err;
    werr_init(&err);
    CHECK_EQ_INT(wschema_parse(ddl, strlen(ddl), &t, &err), WEIR_PARSE);
    CHECK(strstr(err.msg, must_contain) != NULL);
    if (!strstr(err.msg, must_contain)) fprintf(stderr, "  message was: %s\n", err.msg);
    CHECK_EQ_INT(err.offset, offset);
}

int main(void) {
    const char *seed_want = "analytics STRUCT<clicks: INT, impressions: INT>, datetime TIMESTAMP, "
                            "sales STRUCT<quantity: INT, total_price: DOUBLE>";
    roundtrip("analytics STRUCT<clicks: INT, impressions: INT>, datetime TIMESTAMP, "
              "sales STRUCT<quantity INT, total_price DOUBLE>", seed_want);
    roundtrip("analytics struct<clicks int,impressions integer>,datetime timestamp,"
              "sales Struct<quantity:Int,total_price:Double>", seed_want);
    roundtrip("a LONG, b FLOAT, c REAL, d BOOL, e BOOLEAN, f VARCHAR(10), g CHAR(3), h TEXT, i DATE, j BIGINT",
              "a BIGINT, b DOUBLE, c DOUBLE, d BOOLEAN, e BOOLEAN, f STRING, g STRING, h STRING, i DATE, j BIGINT");
    roundtrip("`weird name` INT NOT NULL COMMENT 'x, y', `a``b` STRING", "`weird name` INT, `a``b` STRING");
    roundtrip("a STRUCT<b: STRUCT<c: STRUCT<d: INT>>>", "a STRUCT<b: STRUCT<c: STRUCT<d: INT>>>");
    roundtrip("  x int  ", "x INT");

    /* Nested field lookup and structure. */
    WType t;
    WErr err;
    werr_init(&err);
    const char *ddl = "analytics STRUCT<clicks: INT, impressions: INT>, datetime TIMESTAMP";
    CHECK_EQ_INT(wschema_parse(ddl, strlen(ddl), &t, &err), WEIR_OK);
    CHECK_EQ_INT(t.n_fields, 2);
    CHECK_EQ_INT(t.fields[0].type.id, WT_STRUCT);
    CHECK_EQ_INT(t.fields[0].type.fields[1].type.id, WT_INT);
    CHECK_EQ_INT(wtype_field_index(&t, "datetime", 8), 1);
    CHECK_EQ_INT(wtype_field_index(&t, "DateTime", 8), -1);
    CHECK_EQ_INT(wtype_field_index_ci(&t, "DateTime", 8), 1);
    WType c;
    CHECK_EQ_INT(wtype_copy(&c, &t), WEIR_OK);
    CHECK(wtype_equal(&c, &t));
    wtype_fini(&c);
    wtype_fini(&t);

    bad("a INT, b DOUBEL", "column `b`: unknown type 'DOUBEL'", 9);
    bad("a INT, b STRUCT<c INT, d FOO>", "column `d`: unknown type", 25);
    bad("a INT,", "expected a column name", 6);
    bad("a INT b", "expected ',' or the end", 6);
    bad("a STRUCT<c INT", "column `a`: expected '>'", 14);
    bad("", "empty schema", 0);
    bad("a INT, A STRING", "duplicate column name", 15);
    bad("`a INT", "unterminated", 6);
    { /* a NUL inside a quoted name (found by fuzz_schema): an error at the NUL, not a name cut short */
        static const char ddl[] = "`a\0b` INT";
        WType t;
        WErr err;
        werr_init(&err);
        CHECK_EQ_INT(wschema_parse(ddl, sizeof ddl - 1, &t, &err), WEIR_PARSE);
        CHECK(strstr(err.msg, "NUL byte") != NULL);
        CHECK_EQ_INT(err.offset, 2);
    }
    return check_summary();
}
