/*
 * test_engine.c - engines and queries of the public API (weir.h), end to end over real CSV folders:
 *   - SQL errors of weir_engine_exec / weir_query_start point line:column into the text passed, not into
 *     the engine's accumulated statements; a query statement in exec, bad options, INSERT with a callback
 *     are refused;
 *   - a callback failing on batch 3 stops the query (status failed, message names the value and batch);
 *     a restart with the same checkpoint delivers batch 3 again (same rows) and nothing before it;
 *   - a batch retained by the callback outlives the query; progress JSON names the last batch;
 *   - a batch with no rows left after WHERE is committed without a call; the engine's timeZone applies;
 *   - weir_query_stop ends a processing-time query (status stopped); a table-sink query with trigger
 *     once finishes and writes its files;
 *   - two engines in one process (same table names, own folders and checkpoints) run queries at the same
 *     time, each getting exactly its own rows;
 *   - a callback aggregation: append without a watermark is refused with Spark's rule, option outputMode
 *     'complete' runs it and the last batch holds every group's count and sum.
 * Expected rows come from the files this test writes: file k holds ids k*10+0 .. k*10+ROWS-1.
 */
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "weir.h"

#define ROWS 4
static char root[] = "/tmp/weir-test-engine-XXXXXX";

static void put_file(const char *dir, int k, int base) {
    char tmp[512], path[512];
    snprintf(tmp, sizeof tmp, "%s/.f%03d.tmp", dir, k);
    snprintf(path, sizeof path, "%s/f%03d.csv", dir, k);
    FILE *f = fopen(tmp, "w");
    fprintf(f, "id,v\n");
    for (int j = 0; j < ROWS; j++) fprintf(f, "%d,%d\n", base + k * 10 + j, j);
    fclose(f);
    rename(tmp, path);
}

static int rm_entry(const char *p, const struct stat *sb, int flag, struct FTW *ftw) {
    (void)sb, (void)flag, (void)ftw;
    return remove(p);
}

static void sleep_ms(int ms) {
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

typedef struct Seen {
    int64_t ids[64];
    int64_t sums[64]; /* sum of id per delivery */
    int n;
    _Atomic int64_t rows; /* polled by the test's thread while the query's thread adds */
    int64_t id_sum;
    int fail_at;      /* return 7 at this batch id; -1 never */
    const weir_batch *kept;
} Seen;

static int on_batch(const weir_batch *b, int64_t batch_id, void *user) {
    Seen *s = user;
    const weir_column *id = weir_batch_column_by_name(b, "id");
    int64_t sum = 0;
    for (int64_t r = 0; r < weir_batch_num_rows(b); r++) sum += weir_column_int32(id, r);
    if (s->n < 64) {
        s->ids[s->n] = batch_id;
        s->sums[s->n] = sum;
        s->n++;
    }
    if (batch_id == s->fail_at) return 7;
    s->rows += weir_batch_num_rows(b);
    s->id_sum += sum;
    if (!s->kept) s->kept = weir_batch_retain(b);
    return 0;
}

static weir_engine *engine(const char *ck) {
    const char *opts[] = {"checkpointRoot", ck, "timeZone", "UTC", NULL};
    weir_engine *e = NULL;
    char *msg = NULL;
    CHECK_EQ_INT(weir_engine_open(opts, &e, &msg), WEIR_OK);
    CHECK(msg == NULL);
    return e;
}

static void test_errors(void) {
    char ck[600];
    snprintf(ck, sizeof ck, "%s/ck-err", root);
    weir_engine *e = engine(ck);
    char *msg = NULL;
    weir_engine *bad = NULL;
    const char *unknown[] = {"nope", "1", NULL};
    CHECK_EQ_INT(weir_engine_open(unknown, &bad, &msg), WEIR_MISUSE);
    CHECK(msg && strstr(msg, "nope"));
    weir_free(msg);
    const char *badtz[] = {"timeZone", "Mars/Olympus", NULL};
    CHECK(weir_engine_open(badtz, &bad, &msg) != WEIR_OK);
    CHECK(bad == NULL);
    weir_free(msg);

    CHECK_EQ_INT(weir_engine_exec(e, "CREATE TABLE t (id INT, v INT) USING csv OPTIONS (path '/nowhere', header true);\n"
                                     "SET a = 1"), WEIR_OK);
    CHECK_EQ_STR(weir_engine_errmsg(e), "");
    /* the error is on line 2, column 8 of this text, whatever came before */
    CHECK_EQ_INT(weir_engine_exec(e, "SET b = 2;\nCREATE TABLE u (x NOTATYPE) USING csv OPTIONS (path 'x')"), WEIR_SQL);
    const char *m = weir_engine_errmsg(e);
    CHECK(!strncmp(m, "2:", 2));
    CHECK(strstr(m, "NOTATYPE") != NULL);
    /* nothing of a failed exec is kept: b was not set, u not created, so u is unknown here */
    weir_query *q = NULL;
    Seen s = {.fail_at = -1};
    CHECK_EQ_INT(weir_query_start(e, "SELECT x FROM STREAM(u)", NULL, on_batch, &s, &q), WEIR_SQL);
    CHECK(!strncmp(weir_engine_errmsg(e), "1:22:", 5));
    CHECK(q == NULL);
    CHECK_EQ_INT(weir_query_start(e, "SELECT id,\n  nope FROM STREAM(t)", NULL, on_batch, &s, &q), WEIR_SQL);
    CHECK(!strncmp(weir_engine_errmsg(e), "2:3:", 4));
    CHECK_EQ_INT(weir_engine_exec(e, "SELECT id FROM STREAM(t)"), WEIR_MISUSE);
    CHECK(strstr(weir_engine_errmsg(e), "weir_query_start") != NULL);
    const char *qbad[] = {"checkpointLocatoin", "x", NULL};
    CHECK_EQ_INT(weir_query_start(e, "SELECT id FROM STREAM(t)", qbad, on_batch, &s, &q), WEIR_MISUSE);
    CHECK(strstr(weir_engine_errmsg(e), "checkpointLocatoin") != NULL);
    /* a callback query without a name has no checkpoint under the root */
    CHECK_EQ_INT(weir_query_start(e, "SELECT id FROM STREAM(t)", NULL, on_batch, &s, &q), WEIR_MISUSE);
    CHECK(strstr(weir_engine_errmsg(e), "checkpoint") != NULL);
    CHECK_EQ_INT(weir_engine_exec(e, "CREATE TABLE o USING csv OPTIONS (path '/tmp/x')"), WEIR_OK);
    CHECK_EQ_INT(weir_query_start(e, "INSERT INTO o SELECT id FROM STREAM(t)", NULL, on_batch, &s, &q), WEIR_MISUSE);
    const char *trig[] = {"queryName", "q", "trigger", "sometimes", NULL};
    CHECK_EQ_INT(weir_query_start(e, "SELECT id FROM STREAM(t)", trig, on_batch, &s, &q), WEIR_MISUSE);
    CHECK(strstr(weir_engine_errmsg(e), "sometimes") != NULL);
    weir_engine_close(e);
}

static const char *table_sql(char *buf, size_t cap, const char *in, int per_trigger) {
    snprintf(buf, cap, "CREATE TABLE clicks (id INT, v INT) USING csv OPTIONS (path '%s', header true, "
             "maxFilesPerTrigger %d)", in, per_trigger);
    return buf;
}

static void test_fail_and_restart(void) {
    char in[600], ck[600], sql[1400];
    snprintf(in, sizeof in, "%s/in-fail", root);
    snprintf(ck, sizeof ck, "%s/ck-fail", root);
    mkdir(in, 0755);
    for (int k = 0; k < 6; k++) put_file(in, k, 0);
    weir_engine *e = engine(ck);
    CHECK_EQ_INT(weir_engine_exec(e, table_sql(sql, sizeof sql, in, 1)), WEIR_OK);
    const char *qo[] = {"queryName", "task2", "trigger", "availableNow", NULL};
    Seen s = {.fail_at = 3};
    weir_query *q = NULL;
    CHECK_EQ_INT(weir_query_start(e, "SELECT id, v FROM STREAM(clicks) WHERE v >= 0", qo, on_batch, &s, &q), WEIR_OK);
    CHECK_EQ_INT(weir_query_wait(q, 20000), WEIR_QUERY_FAILED);
    CHECK_EQ_INT(weir_query_status(q), WEIR_QUERY_FAILED);
    const char *m = weir_query_errmsg(q);
    CHECK(strstr(m, "returned 7 at batch 3") != NULL);
    CHECK_EQ_INT(s.n, 4);
    for (int i = 0; i < s.n && i < 4; i++) CHECK_EQ_INT(s.ids[i], i);
    int64_t sum3 = s.sums[3];
    CHECK_EQ_INT(sum3, 30 + 31 + 32 + 33);
    char *p = weir_query_last_progress(q);
    CHECK(p && strstr(p, "\"batchId\":2,") && strstr(p, "\"name\":\"task2\"") && p[0] == '{');
    weir_free(p);
    weir_query_free(q);
    /* the batch retained in the callback outlives its query */
    CHECK(s.kept && weir_batch_num_rows(s.kept) == ROWS);
    CHECK_EQ_INT(weir_column_int32(weir_batch_column(s.kept, 0), 1), 1);
    weir_batch_release(s.kept);

    /* restart, same checkpoint: batch 3 again, then 4 and 5, nothing before 3 */
    Seen r = {.fail_at = -1};
    CHECK_EQ_INT(weir_query_start(e, "SELECT id, v FROM STREAM(clicks) WHERE v >= 0", qo, on_batch, &r, &q), WEIR_OK);
    CHECK_EQ_INT(weir_query_wait(q, 20000), WEIR_QUERY_FINISHED);
    CHECK_EQ_STR(weir_query_errmsg(q), "");
    CHECK_EQ_INT(r.n, 3);
    for (int i = 0; i < r.n && i < 3; i++) CHECK_EQ_INT(r.ids[i], 3 + i);
    CHECK_EQ_INT(r.sums[0], sum3);
    CHECK_EQ_INT(s.rows + r.rows, 6 * ROWS);
    p = weir_query_last_progress(q);
    CHECK(p && strstr(p, "\"batchId\":5,") && strstr(p, "ForeachBatchSink"));
    weir_free(p);
    weir_query_free(q);
    if (r.kept) weir_batch_release(r.kept);
    weir_engine_close(e);
}

static void test_stop_and_table_sink(void) {
    char in[600], ck[600], out[600], sql[1400];
    snprintf(in, sizeof in, "%s/in-stop", root);
    snprintf(ck, sizeof ck, "%s/ck-stop", root);
    snprintf(out, sizeof out, "%s/out-stop", root);
    mkdir(in, 0755);
    for (int k = 0; k < 3; k++) put_file(in, k, 0);
    weir_engine *e = engine(ck);
    CHECK_EQ_INT(weir_engine_exec(e, table_sql(sql, sizeof sql, in, 100)), WEIR_OK);
    snprintf(sql, sizeof sql, "CREATE TABLE clicks_out USING json OPTIONS (path '%s')", out);
    CHECK_EQ_INT(weir_engine_exec(e, sql), WEIR_OK);
    const char *once[] = {"trigger", "once", NULL};
    weir_query *q = NULL;
    CHECK_EQ_INT(weir_query_start(e, "INSERT INTO clicks_out SELECT id FROM STREAM(clicks)", once, NULL, NULL, &q), WEIR_OK);
    CHECK_EQ_INT(weir_query_wait(q, 20000), WEIR_QUERY_FINISHED);
    weir_query_free(q);
    char f[700];
    snprintf(f, sizeof f, "%s/_weir_metadata/0", out);
    CHECK(access(f, F_OK) == 0);
    snprintf(f, sizeof f, "%s/clicks_out/commits/0", ck);
    CHECK(access(f, F_OK) == 0);

    const char *qo[] = {"queryName", "live", NULL};
    Seen s = {.fail_at = -1};
    CHECK_EQ_INT(weir_query_start(e, "SELECT id FROM STREAM(clicks)", qo, on_batch, &s, &q), WEIR_OK);
    for (int i = 0; i < 200 && s.rows < 3 * ROWS; i++) sleep_ms(20);
    CHECK_EQ_INT(weir_query_wait(q, 50), WEIR_QUERY_RUNNING);
    weir_query_stop(q);
    CHECK_EQ_INT(weir_query_wait(q, 10000), WEIR_QUERY_STOPPED);
    CHECK_EQ_INT(s.rows, 3 * ROWS);
    weir_query_free(q);
    if (s.kept) weir_batch_release(s.kept);
    weir_engine_close(e);
}

/* A batch whose rows are all filtered out is committed without a call; the engine's timeZone is the
 * session zone zone-less CSV timestamps are read in. */
static int64_t first_ts;
static int on_ts(const weir_batch *b, int64_t batch_id, void *user) {
    Seen *s = user;
    if (s->n < 64) s->ids[s->n++] = batch_id;
    s->rows += weir_batch_num_rows(b);
    if (batch_id == 0) first_ts = weir_column_timestamp(weir_batch_column_by_name(b, "t"), 0);
    return 0;
}

static void test_empty_batches_and_zone(void) {
    char in[600], ck[600], sql[1400], f[700];
    snprintf(in, sizeof in, "%s/in-empty", root);
    snprintf(ck, sizeof ck, "%s/ck-empty", root);
    mkdir(in, 0755);
    for (int k = 0; k < 3; k++) {
        snprintf(f, sizeof f, "%s/f%d.csv", in, k);
        FILE *fp = fopen(f, "w");
        fprintf(fp, "id,t\n%d,2022-09-06 11:40:0%d\n", k, k);
        fclose(fp);
    }
    const char *opts[] = {"checkpointRoot", ck, "timeZone", "Europe/Paris", NULL};
    weir_engine *e = NULL;
    CHECK_EQ_INT(weir_engine_open(opts, &e, NULL), WEIR_OK);
    snprintf(sql, sizeof sql, "CREATE TABLE c (id INT, t TIMESTAMP) USING csv OPTIONS (path '%s', header true, "
             "maxFilesPerTrigger 1)", in);
    CHECK_EQ_INT(weir_engine_exec(e, sql), WEIR_OK);
    const char *qo[] = {"queryName", "q", "trigger", "availableNow", NULL};
    Seen s = {.fail_at = -1};
    weir_query *q = NULL;
    CHECK_EQ_INT(weir_query_start(e, "SELECT id, t FROM STREAM(c) WHERE id <> 1", qo, on_ts, &s, &q), WEIR_OK);
    CHECK_EQ_INT(weir_query_wait(q, 20000), WEIR_QUERY_FINISHED);
    weir_query_free(q);
    CHECK_EQ_INT(s.n, 2);
    CHECK_EQ_INT(s.ids[0], 0);
    CHECK_EQ_INT(s.ids[1], 2);
    snprintf(f, sizeof f, "%s/q/commits/1", ck);
    CHECK(access(f, F_OK) == 0);
    /* 2022-09-06 11:40:00 in Paris (UTC+2 in summer) is 09:40:00 UTC */
    CHECK_EQ_INT(first_ts, 1662457200000000LL);
    weir_engine_close(e);
}

static void test_two_engines(void) {
    char in[2][600], ck[2][600], sql[1400];
    weir_engine *e[2];
    weir_query *q[2];
    Seen s[2] = {{.fail_at = -1}, {.fail_at = -1}};
    const char *qo[] = {"queryName", "same_name", NULL};
    for (int i = 0; i < 2; i++) {
        snprintf(in[i], sizeof in[i], "%s/in-two-%d", root, i);
        snprintf(ck[i], sizeof ck[i], "%s/ck-two-%d", root, i);
        mkdir(in[i], 0755);
        e[i] = engine(ck[i]);
        CHECK_EQ_INT(weir_engine_exec(e[i], table_sql(sql, sizeof sql, in[i], 2)), WEIR_OK);
        CHECK_EQ_INT(weir_query_start(e[i], "SELECT id FROM STREAM(clicks)", qo, on_batch, &s[i], &q[i]), WEIR_OK);
    }
    int64_t want[2] = {0, 0};
    for (int k = 0; k < 8; k++)
        for (int i = 0; i < 2; i++) {
            put_file(in[i], k, i * 100000);
            for (int j = 0; j < ROWS; j++) want[i] += i * 100000 + k * 10 + j;
            sleep_ms(15);
        }
    for (int t = 0; t < 500 && (s[0].rows < 8 * ROWS || s[1].rows < 8 * ROWS); t++) sleep_ms(20);
    for (int i = 0; i < 2; i++) {
        CHECK_EQ_INT(weir_query_status(q[i]), WEIR_QUERY_RUNNING);
        weir_query_stop(q[i]);
        CHECK_EQ_INT(weir_query_wait(q[i], 10000), WEIR_QUERY_STOPPED);
        CHECK_EQ_INT(s[i].rows, 8 * ROWS);
        CHECK_EQ_INT(s[i].id_sum, want[i]);
        weir_query_free(q[i]);
        if (s[i].kept) weir_batch_release(s[i].kept);
        weir_engine_close(e[i]);
    }
}

/* GROUP BY from a callback query: the rule on append, then complete mode through the outputMode option. */
typedef struct Groups {
    int64_t last_batch, n_groups, count_sum, v_sum;
} Groups;

static int on_groups(const weir_batch *b, int64_t batch_id, void *user) {
    Groups *g = user;
    g->last_batch = batch_id;
    g->n_groups = weir_batch_num_rows(b);
    g->count_sum = g->v_sum = 0;
    const weir_column *n = weir_batch_column_by_name(b, "n"), *t = weir_batch_column_by_name(b, "total");
    for (int64_t r = 0; r < weir_batch_num_rows(b); r++) {
        g->count_sum += weir_column_int64(n, r);
        g->v_sum += weir_column_int64(t, r);
    }
    return 0;
}

static void test_callback_aggregation(void) {
    char in[600], ck[600], sql[1400];
    snprintf(in, sizeof in, "%s/in-agg", root);
    snprintf(ck, sizeof ck, "%s/ck-agg", root);
    mkdir(in, 0755);
    for (int k = 0; k < 3; k++) put_file(in, k, 0);
    weir_engine *e = engine(ck);
    CHECK_EQ_INT(weir_engine_exec(e, table_sql(sql, sizeof sql, in, 1)), WEIR_OK);
    const char *q_sql = "SELECT v, count(*) AS n, sum(id) AS total FROM STREAM(clicks) GROUP BY v";
    const char *plain[] = {"queryName", "agg", "trigger", "availableNow", NULL};
    Groups g = {-1, 0, 0, 0};
    weir_query *q = NULL;
    CHECK_EQ_INT(weir_query_start(e, q_sql, plain, on_groups, &g, &q), WEIR_SQL);
    CHECK(strstr(weir_engine_errmsg(e), "Append output mode not supported") != NULL);
    const char *bad[] = {"queryName", "agg", "outputMode", "upsert", NULL};
    CHECK_EQ_INT(weir_query_start(e, q_sql, bad, on_groups, &g, &q), WEIR_MISUSE);
    const char *complete[] = {"queryName", "agg", "trigger", "availableNow", "outputMode", "complete", NULL};
    CHECK_EQ_INT(weir_query_start(e, q_sql, complete, on_groups, &g, &q), WEIR_OK);
    CHECK_EQ_INT(weir_query_wait(q, 20000), WEIR_QUERY_FINISHED);
    weir_query_free(q);
    /* 3 files, one a batch (maxFilesPerTrigger 1): the last complete result has all ROWS values of v */
    CHECK_EQ_INT(g.last_batch, 2);
    CHECK_EQ_INT(g.n_groups, ROWS);
    CHECK_EQ_INT(g.count_sum, 3 * ROWS);
    int64_t want = 0;
    for (int k = 0; k < 3; k++)
        for (int j = 0; j < ROWS; j++) want += k * 10 + j;
    CHECK_EQ_INT(g.v_sum, want);
    weir_engine_close(e);
}

int main(void) {
    if (!mkdtemp(root)) return 1;
    test_callback_aggregation();
    test_errors();
    test_fail_and_restart();
    test_stop_and_table_sink();
    test_empty_batches_and_zone();
    test_two_engines();
    nftw(root, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
    return check_summary();
}
