/*
 * duckdb_batch.c - hands each micro-batch of a weir query to DuckDB without copying, through the Arrow C
 * Data Interface (weir_batch_to_arrow + DuckDB's duckdb_arrow_scan), and checks there that DuckDB sees
 * the same rows: per batch, count and sums of clicks, impressions, quantity and total_price computed by
 * DuckDB against the same figures computed here in C with weir's getters. A mismatch fails the batch.
 *
 *   cc duckdb_batch.c $(pkg-config --cflags --libs weir) -ldl -o duckdb_batch
 *   ./duckdb_batch CSV_DIR CHECKPOINT_DIR [LIBDUCKDB_SO]
 *
 * CSV_DIR holds the seed's flattened click-stream CSV (what Task_1 writes). The query runs with trigger
 * availableNow: everything present at start, then it ends and prints the totals. DuckDB's C library is
 * loaded with dlopen (default: $WEIR_DUCKDB_LIB, else npm's @duckdb/node-bindings-linux-x64 under
 * tests/oracle); without it the program prints "skipped: ..." and exits 0. The few DuckDB C API functions
 * used are declared below as DuckDB's C API documents them.
 */
#include <dlfcn.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <weir.h>

/* The Arrow C Stream Interface. */
struct ArrowArrayStream {
    int (*get_schema)(struct ArrowArrayStream *, struct ArrowSchema *out);
    int (*get_next)(struct ArrowArrayStream *, struct ArrowArray *out);
    const char *(*get_last_error)(struct ArrowArrayStream *);
    void (*release)(struct ArrowArrayStream *);
    void *private_data;
};

/* DuckDB's C API: handles are pointers, state 0 is success, duckdb_result is six pointer-sized fields. */
typedef void *duckdb_database;
typedef void *duckdb_connection;
typedef struct duckdb_result {
    uint64_t column_count, row_count, rows_changed;
    void *columns;
    char *error_message;
    void *internal_data;
} duckdb_result;

typedef struct Duck {
    int (*open)(const char *path, duckdb_database *out);
    int (*connect)(duckdb_database db, duckdb_connection *out);
    int (*query)(duckdb_connection c, const char *sql, duckdb_result *out);
    int (*arrow_scan)(duckdb_connection c, const char *table, struct ArrowArrayStream *stream);
    int64_t (*value_int64)(duckdb_result *r, uint64_t col, uint64_t row);
    double (*value_double)(duckdb_result *r, uint64_t col, uint64_t row);
    const char *(*result_error)(duckdb_result *r);
    void (*destroy_result)(duckdb_result *r);
    void (*disconnect)(duckdb_connection *c);
    void (*close)(duckdb_database *db);
    duckdb_database db;
    duckdb_connection con;
    int64_t batches, rows;
} Duck;

/* A stream that yields one weir batch, then the end. The schema it hands DuckDB is a view of one the
 * stream owns (DuckDB does not release the schema it asks for here), released with the stream. */
typedef struct OneBatch {
    const weir_batch *batch;
    struct ArrowSchema schema;
    int given;
} OneBatch;

static void view_release(struct ArrowSchema *s) { s->release = NULL; }

static int get_schema(struct ArrowArrayStream *st, struct ArrowSchema *out) {
    OneBatch *o = st->private_data;
    *out = o->schema;
    out->private_data = NULL;
    out->release = view_release;
    return 0;
}

static int get_next(struct ArrowArrayStream *st, struct ArrowArray *out) {
    OneBatch *o = st->private_data;
    memset(out, 0, sizeof *out); /* release == NULL: end of stream */
    if (o->given) return 0;
    struct ArrowSchema unused;
    if (weir_batch_to_arrow(o->batch, out, &unused) != WEIR_OK) return 12; /* ENOMEM */
    unused.release(&unused);
    o->given = 1;
    return 0;
}

static const char *last_error(struct ArrowArrayStream *st) {
    (void)st;
    return NULL;
}

static void stream_release(struct ArrowArrayStream *st) {
    OneBatch *o = st->private_data;
    if (o->schema.release) o->schema.release(&o->schema);
    st->release = NULL;
}

static int check_batch(const weir_batch *b, int64_t batch_id, void *user) {
    Duck *d = user;
    /* the figures in C */
    const weir_column *clicks = weir_batch_column_by_name(b, "clicks"), *imp = weir_batch_column_by_name(b, "impressions");
    const weir_column *qty = weir_batch_column_by_name(b, "quantity"), *price = weir_batch_column_by_name(b, "total_price");
    int64_t n = weir_batch_num_rows(b), want[4] = {n, 0, 0, 0};
    double want_price = 0;
    for (int64_t r = 0; r < n; r++) {
        want[1] += weir_column_int32(clicks, r);
        want[2] += weir_column_int32(imp, r);
        want[3] += weir_column_int32(qty, r);
        want_price += weir_column_double(price, r);
    }
    /* the same in DuckDB, reading the batch's buffers in place */
    OneBatch one = {b, {0}, 0};
    struct ArrowArray unused;
    if (weir_batch_to_arrow(b, &unused, &one.schema) != WEIR_OK) return 1;
    unused.release(&unused);
    struct ArrowArrayStream stream = {get_schema, get_next, last_error, stream_release, &one};
    char view[64], sql[512];
    snprintf(view, sizeof view, "batch_%lld", (long long)batch_id);
    int bad = d->arrow_scan(d->con, view, &stream) != 0;
    duckdb_result res;
    memset(&res, 0, sizeof res);
    snprintf(sql, sizeof sql, "SELECT count(*), sum(clicks), sum(impressions), sum(quantity), sum(total_price) "
             "FROM %s", view);
    if (!bad && d->query(d->con, sql, &res) != 0) {
        fprintf(stderr, "duckdb_batch: batch %lld: %s\n", (long long)batch_id, d->result_error(&res));
        bad = 1;
    }
    for (int c = 0; !bad && c < 4; c++)
        if (d->value_int64(&res, (uint64_t)c, 0) != want[c]) {
            fprintf(stderr, "duckdb_batch: batch %lld, column %d: DuckDB %lld, C %lld\n", (long long)batch_id, c,
                    (long long)d->value_int64(&res, (uint64_t)c, 0), (long long)want[c]);
            bad = 1;
        }
    double got_price = bad ? 0 : d->value_double(&res, 4, 0);
    if (!bad && fabs(got_price - want_price) > 1e-9 * (fabs(want_price) + 1)) {
        fprintf(stderr, "duckdb_batch: batch %lld: sum(total_price) DuckDB %.17g, C %.17g\n", (long long)batch_id,
                got_price, want_price);
        bad = 1;
    }
    d->destroy_result(&res);
    snprintf(sql, sizeof sql, "DROP VIEW IF EXISTS %s", view);
    memset(&res, 0, sizeof res);
    d->query(d->con, sql, &res);
    d->destroy_result(&res);
    if (stream.release) stream.release(&stream);
    if (bad) return 1; /* fails the batch: the query stops, the batch is not committed */
    printf("batch %lld: %lld rows, DuckDB and C agree (clicks %lld, impressions %lld, quantity %lld, "
           "total_price %.2f)\n", (long long)batch_id, (long long)n, (long long)want[1], (long long)want[2],
           (long long)want[3], want_price);
    d->batches++;
    d->rows += n;
    return 0;
}

int main(int argc, char **argv) {
    if (argc < 3 || argc > 4) {
        fprintf(stderr, "usage: %s CSV_DIR CHECKPOINT_DIR [LIBDUCKDB_SO]\n", argv[0]);
        return 2;
    }
    const char *lib = argc == 4 ? argv[3] : getenv("WEIR_DUCKDB_LIB");
    if (!lib) lib = "tests/oracle/node_modules/@duckdb/node-bindings-linux-x64/libduckdb.so";
    void *h = dlopen(lib, RTLD_NOW | RTLD_LOCAL);
    if (!h) {
        printf("skipped: DuckDB's C library is not loadable (%s)\n", dlerror());
        return 0;
    }
    Duck d;
    memset(&d, 0, sizeof d);
    *(void **)&d.open = dlsym(h, "duckdb_open");
    *(void **)&d.connect = dlsym(h, "duckdb_connect");
    *(void **)&d.query = dlsym(h, "duckdb_query");
    *(void **)&d.arrow_scan = dlsym(h, "duckdb_arrow_scan");
    *(void **)&d.value_int64 = dlsym(h, "duckdb_value_int64");
    *(void **)&d.value_double = dlsym(h, "duckdb_value_double");
    *(void **)&d.result_error = dlsym(h, "duckdb_result_error");
    *(void **)&d.destroy_result = dlsym(h, "duckdb_destroy_result");
    *(void **)&d.disconnect = dlsym(h, "duckdb_disconnect");
    *(void **)&d.close = dlsym(h, "duckdb_close");
    if (!d.open || !d.connect || !d.query || !d.arrow_scan || !d.value_int64 || !d.value_double ||
        !d.result_error || !d.destroy_result || !d.disconnect || !d.close || d.open(NULL, &d.db) ||
        d.connect(d.db, &d.con)) {
        fprintf(stderr, "duckdb_batch: %s lacks the DuckDB C API or cannot open a database\n", lib);
        return 1;
    }
    int rc = 1;
    weir_engine *e = NULL;
    weir_query *q = NULL;
    char *msg = NULL, table[8192];
    snprintf(table, sizeof table, "CREATE TABLE clicks_csv (datetime TIMESTAMP, clicks INT, impressions INT, "
             "quantity INT, total_price DOUBLE) USING csv OPTIONS (path '%s', header true, maxFilesPerTrigger 2)", argv[1]);
    const char *qopts[] = {"queryName", "duckdb_check", "checkpointLocation", argv[2], "trigger", "availableNow", NULL};
    if (weir_engine_open(NULL, &e, &msg) != WEIR_OK) fprintf(stderr, "duckdb_batch: %s\n", msg);
    else if (weir_engine_exec(e, table) != WEIR_OK ||
             weir_query_start(e, "SELECT clicks, impressions, quantity, total_price FROM STREAM(clicks_csv)", qopts,
                              check_batch, &d, &q) != WEIR_OK)
        fprintf(stderr, "duckdb_batch: %s\n", weir_engine_errmsg(e));
    else if (weir_query_wait(q, -1) != WEIR_QUERY_FINISHED)
        fprintf(stderr, "duckdb_batch: %s\n", weir_query_errmsg(q));
    else {
        printf("%lld batches, %lld rows: DuckDB and C agree on every batch\n", (long long)d.batches, (long long)d.rows);
        rc = 0;
    }
    weir_free(msg);
    weir_query_free(q);
    weir_engine_close(e);
    d.disconnect(&d.con);
    d.close(&d.db);
    dlclose(h);
    return rc;
}
