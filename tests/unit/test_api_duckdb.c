/*
 * test_api_duckdb.c - round trip of weir_batch_to_arrow through DuckDB: the test batch of apitest.h is
 * exported through the Arrow C Data Interface, wrapped in an ArrowArrayStream and registered with
 * DuckDB's duckdb_arrow_scan; DuckDB then computes counts, sums and NULL counts that are compared with
 * the same figures computed here from apitest.h's hand-written arrays.
 *
 * DuckDB is loaded at run time with dlopen from npm's @duckdb/node-bindings-linux-x64 (tests/oracle),
 * so weir has no link dependency on it; the few C API functions used are declared below from DuckDB's
 * documented C API. Without the library the test says "skipped: ..." and counts nothing.
 */
#include <dlfcn.h>
#include <stdbool.h>

#include "check.h"
#include "apitest.h"

/* ArrowArrayStream, as the Arrow C Stream Interface defines it. */
struct ArrowArrayStream {
    int (*get_schema)(struct ArrowArrayStream *, struct ArrowSchema *out);
    int (*get_next)(struct ArrowArrayStream *, struct ArrowArray *out);
    const char *(*get_last_error)(struct ArrowArrayStream *);
    void (*release)(struct ArrowArrayStream *);
    void *private_data;
};

/* DuckDB C API: handles are pointers; duckdb_state 0 is success; duckdb_result is a struct of six
 * pointer-sized fields that the caller allocates. */
typedef uint64_t idx_t;
typedef void *duckdb_database;
typedef void *duckdb_connection;
typedef struct duckdb_result {
    idx_t column_count, row_count, rows_changed;
    void *columns;
    char *error_message;
    void *internal_data;
} duckdb_result;
typedef int (*open_fn)(const char *path, duckdb_database *out);
typedef int (*connect_fn)(duckdb_database db, duckdb_connection *out);
typedef int (*query_fn)(duckdb_connection c, const char *sql, duckdb_result *out);
typedef int (*arrow_scan_fn)(duckdb_connection c, const char *table, struct ArrowArrayStream *stream);
typedef int64_t (*value_int64_fn)(duckdb_result *r, idx_t col, idx_t row);
typedef double (*value_double_fn)(duckdb_result *r, idx_t col, idx_t row);
typedef bool (*value_is_null_fn)(duckdb_result *r, idx_t col, idx_t row);
typedef const char *(*result_error_fn)(duckdb_result *r);
typedef void (*destroy_result_fn)(duckdb_result *r);
typedef void (*disconnect_fn)(duckdb_connection *c);
typedef void (*close_fn)(duckdb_database *db);

/* A stream of one batch: get_next gives it once, then end of stream (an array with release NULL).
 * get_schema hands out a view of a schema the stream owns (its release only marks it released):
 * this DuckDB build does not release the schema it asks for in duckdb_arrow_scan, which would
 * otherwise show as a leak under LeakSanitizer. */
typedef struct OneBatch {
    const weir_batch *batch;
    struct ArrowSchema schema; /* owned, released with the stream */
    int given;
    int releases;
} OneBatch;

static void view_release(struct ArrowSchema *s) { s->release = NULL; }

static int s_get_schema(struct ArrowArrayStream *s, struct ArrowSchema *out) {
    OneBatch *o = s->private_data;
    *out = o->schema;
    out->private_data = NULL;
    out->release = view_release;
    return 0;
}

static int s_get_next(struct ArrowArrayStream *s, struct ArrowArray *out) {
    OneBatch *o = s->private_data;
    if (o->given) {
        memset(out, 0, sizeof *out);
        return 0;
    }
    struct ArrowSchema sch;
    if (weir_batch_to_arrow(o->batch, out, &sch)) return 12;
    sch.release(&sch);
    o->given = 1;
    return 0;
}

static const char *s_last_error(struct ArrowArrayStream *s) {
    (void)s;
    return NULL;
}

static void s_release(struct ArrowArrayStream *s) {
    OneBatch *o = s->private_data;
    o->releases++;
    if (o->schema.release) o->schema.release(&o->schema);
    s->release = NULL;
}

int main(void) {
    const char *lib = getenv("WEIR_DUCKDB_LIB");
    if (!lib) lib = "tests/oracle/node_modules/@duckdb/node-bindings-linux-x64/libduckdb.so";
    void *h = dlopen(lib, RTLD_NOW | RTLD_LOCAL);
    if (!h) {
        printf("skipped: DuckDB's C library not loadable (%s); run npm ci in tests/oracle\n", dlerror());
        return check_summary();
    }
#define SYM(type, name) type name = (type)dlsym(h, #name)
    SYM(open_fn, duckdb_open);
    SYM(connect_fn, duckdb_connect);
    SYM(query_fn, duckdb_query);
    SYM(arrow_scan_fn, duckdb_arrow_scan);
    SYM(value_int64_fn, duckdb_value_int64);
    SYM(value_double_fn, duckdb_value_double);
    SYM(value_is_null_fn, duckdb_value_is_null);
    SYM(result_error_fn, duckdb_result_error);
    SYM(destroy_result_fn, duckdb_destroy_result);
    SYM(disconnect_fn, duckdb_disconnect);
    SYM(close_fn, duckdb_close);
    CHECK(duckdb_open && duckdb_connect && duckdb_query && duckdb_arrow_scan && duckdb_value_int64 &&
          duckdb_value_double && duckdb_value_is_null && duckdb_result_error && duckdb_destroy_result &&
          duckdb_disconnect && duckdb_close);
    if (!(duckdb_open && duckdb_connect && duckdb_query && duckdb_arrow_scan && duckdb_value_int64 &&
          duckdb_value_double && duckdb_value_is_null && duckdb_result_error && duckdb_destroy_result &&
          duckdb_disconnect && duckdb_close))
        return check_summary();

    /* Expected figures from the hand-written arrays. */
    int64_t n_b = 0, sum_b = 0, sum_i = 0, sum_l = 0, n_s = 0, bytes_s = 0, sum_dt = 0, sum_ts = 0;
    int64_t n_st = 0, sum_x = 0, n_inner = 0, n_y = 0, bytes_y = 0, n_i_null = 0;
    double sum_d = 0;
    for (int r = 0; r < AT_ROWS; r++) {
        const int *n = at_null[r];
        if (!n[0]) n_b++, sum_b += at_b[r];
        if (!n[1]) sum_i += at_i[r];
        else n_i_null++;
        if (!n[2]) sum_l += at_l[r];
        if (!n[3]) sum_d += at_d[r];
        if (!n[4]) n_s++, bytes_s += (int64_t)strlen(at_s[r]);
        if (!n[5]) sum_dt += at_dt[r];
        if (!n[6]) sum_ts += at_ts[r];
        if (!n[7]) n_st++;
        if (!at_x_null[r]) sum_x += at_x[r];
        if (!n[8]) n_inner++;
        if (!n[9]) n_y++, bytes_y += (int64_t)strlen(at_y[r]);
    }
    int64_t want[] = {AT_ROWS, n_b, sum_b, sum_i, n_i_null, sum_l, n_s, bytes_s, sum_dt, sum_ts, n_st, sum_x, n_inner, n_y, bytes_y};
    const char *sql =
        "SELECT count(*), count(b), sum(b::INTEGER), sum(i), count(*) FILTER (WHERE i IS NULL), sum(l), count(s), "
        "sum(strlen(s)), sum(dt - DATE '1970-01-01'), sum(epoch_us(ts)), count(st), sum(st.x), count(st.inner), "
        "count(st.inner.y), sum(strlen(st.inner.y)), sum(d) FROM weir_batch";
    int ncols = (int)(sizeof want / sizeof want[0]);

    int freed;
    weir_batch *b = at_make(AT_ROWS, &freed);
    OneBatch one = {b, {0}, 0, 0};
    struct ArrowArray unused;
    CHECK_EQ_INT(weir_batch_to_arrow(b, &unused, &one.schema), WEIR_OK);
    unused.release(&unused);
    struct ArrowArrayStream stream = {s_get_schema, s_get_next, s_last_error, s_release, &one};
    duckdb_database db = NULL;
    duckdb_connection con = NULL;
    CHECK_EQ_INT(duckdb_open(NULL, &db), 0);
    CHECK_EQ_INT(duckdb_connect(db, &con), 0);
    CHECK_EQ_INT(duckdb_arrow_scan(con, "weir_batch", &stream), 0);
    duckdb_result res;
    memset(&res, 0, sizeof res);
    int qrc = duckdb_query(con, sql, &res);
    CHECK_EQ_INT(qrc, 0);
    if (qrc) fprintf(stderr, "duckdb: %s\n", duckdb_result_error(&res));
    else {
        for (int c = 0; c < ncols; c++) {
            CHECK(!duckdb_value_is_null(&res, (idx_t)c, 0));
            int64_t got = duckdb_value_int64(&res, (idx_t)c, 0);
            if (got != want[c]) fprintf(stderr, "column %d of: %s\n", c, sql);
            CHECK_EQ_INT(got, want[c]);
        }
        CHECK(duckdb_value_double(&res, (idx_t)ncols, 0) == sum_d);
    }
    duckdb_destroy_result(&res);
    duckdb_disconnect(&con);
    duckdb_close(&db);
    if (stream.release) stream.release(&stream);
    CHECK_EQ_INT(one.releases, 1);
    CHECK_EQ_INT(one.given, 1);
    /* DuckDB released every array and schema it took: only our reference is left. */
    CHECK_EQ_INT(freed, 0);
    weir_batch_release(b);
    CHECK_EQ_INT(freed, 1);
    dlclose(h);
    return check_summary();
}
