/*
 * engine.c - weir_engine and weir_query (include/weir.h) on top of the SQL compiler and the stream driver.
 *
 * An engine keeps the text of every CREATE TABLE / SET statement it accepted (its "session script"). A
 * statement is checked, and a query compiled, by compiling "session script + new text" with wsql_compile;
 * an error whose offset falls in the new text is re-pointed (line:column, caret) into that text, so the
 * message speaks of what the caller passed. A query owns its compiled script and runs it with wdriver_run
 * on its own thread; weir_query_stop writes to a pipe the driver polls (WRunOptions.stop_fd), and the
 * driver's on_progress hook keeps the last progress object. Nothing here is global: engines and queries
 * share no state.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "api/sink_callback.h"
#include "core/buf.h"
#include "sql/lex.h"
#include "sql/plan.h"
#include "stream/driver.h"
#include "stream/sink.h"
#include "stream/trigger.h"
#include "weir.h"

struct weir_engine {
    WBuf script;          /* accepted statements, each followed by "\n;\n" */
    char *ckpt_root;      /* engine option checkpointRoot, or NULL */
    char errmsg[WERR_MSG_MAX];
};

struct weir_query {
    WScript *script;
    WRunOptions ro;
    WTrigger trigger;
    WApiCallback cb;
    char ckpt[4096];
    int stop_pipe[2];
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    weir_query_state status;
    int stop_asked;
    char *progress;       /* last progress object, NUL-terminated */
    char errmsg[WERR_MSG_MAX];
};

/* ---------------------------------------------------------------- options */

/* Checks a NULL-terminated name/value array: every name known (case-insensitive) and with a value. */
static int check_pairs(const char *const *o, const char *const *known, WErr *err) {
    for (size_t i = 0; o && o[i]; i += 2) {
        if (!o[i + 1]) return werr_msg(err, WEIR_MISUSE, "option '%s' has no value (options are name, value pairs)", o[i]);
        int ok = 0;
        for (size_t k = 0; known[k]; k++)
            if (!strcasecmp(o[i], known[k])) ok = 1;
        if (!ok) return werr_msg(err, WEIR_MISUSE, "unknown option '%s'", o[i]);
    }
    return WEIR_OK;
}

/* The value of `name` in such an array (the last one wins), or NULL. */
static const char *pair(const char *const *o, const char *name) {
    const char *v = NULL;
    for (size_t i = 0; o && o[i] && o[i + 1]; i += 2)
        if (!strcasecmp(o[i], name)) v = o[i + 1]; /* the last one wins */
    return v;
}

static char *dup_msg(const WErr *err, int rc) { return strdup(err->msg[0] ? err->msg : weir_errstr(rc)); }

/* ---------------------------------------------------------------- engine */

int weir_engine_open(const char *const *options, weir_engine **out_engine, char **errmsg) {
    WErr err;
    werr_init(&err);
    if (errmsg) *errmsg = NULL;
    static const char *const known[] = {"checkpointRoot", "timeZone", NULL};
    int rc = out_engine ? WEIR_OK : werr_msg(&err, WEIR_MISUSE, "weir_engine_open: out_engine must not be NULL");
    if (!rc) rc = check_pairs(options, known, &err);
    weir_engine *e = NULL;
    if (!rc && !(e = calloc(1, sizeof *e))) rc = werr_msg(&err, WEIR_NOMEM, "out of memory");
    if (!rc) wbuf_init(&e->script);
    const char *root = pair(options, "checkpointRoot"), *tz = pair(options, "timeZone");
    if (!rc && root && !*root) rc = werr_msg(&err, WEIR_MISUSE, "option checkpointRoot: must not be empty");
    if (!rc && root && !(e->ckpt_root = strdup(root))) rc = werr_msg(&err, WEIR_NOMEM, "out of memory");
    if (!rc && tz) {
        /* the session zone is a SET at the head of the session script, checked by the compiler */
        if (strpbrk(tz, "'\\\n")) rc = werr_msg(&err, WEIR_MISUSE, "option timeZone: '%s' is not a time zone", tz);
        if (!rc && wbuf_printf(&e->script, "SET spark.sql.session.timeZone = '%s'\n;\n", tz))
            rc = werr_msg(&err, WEIR_NOMEM, "out of memory");
        WScript *s = NULL;
        if (!rc && wsql_compile(e->script.data, e->script.len, NULL, &s, &err))
            rc = werr_msg(&err, WEIR_MISUSE, "option timeZone: '%s'", tz);
        wsql_script_free(s);
    }
    if (rc) {
        weir_engine_close(e);
        if (errmsg) *errmsg = dup_msg(&err, rc);
        return rc;
    }
    *out_engine = e;
    return WEIR_OK;
}

void weir_engine_close(weir_engine *e) {
    if (!e) return;
    wbuf_fini(&e->script);
    free(e->ckpt_root);
    free(e);
}

const char *weir_engine_errmsg(const weir_engine *e) { return e ? e->errmsg : "weir_engine_errmsg: NULL engine"; }

static int fail(weir_engine *e, int rc, const WErr *err) {
    snprintf(e->errmsg, sizeof e->errmsg, "%s", err->msg[0] ? err->msg : weir_errstr(rc));
    return rc;
}

/* Compiles the session script followed by `sql`. A SQL error inside `sql` is re-pointed into it. */
/* Compiles the engine's statements, then `extra` (settings of this call only), then sql. */
static int compile(weir_engine *e, const char *extra, const char *sql, WScript **out, WErr *err) {
    size_t base = e->script.len + strlen(extra), n = strlen(sql);
    WBuf all;
    wbuf_init(&all);
    if (wbuf_append(&all, e->script.data ? e->script.data : "", e->script.len) || wbuf_puts(&all, extra) ||
        wbuf_append(&all, sql, n) ||
        wbuf_puts(&all, "\n")) {
        wbuf_fini(&all);
        return werr_msg(err, WEIR_NOMEM, "out of memory");
    }
    int rc = wsql_compile(all.data, all.len, NULL, out, err);
    wbuf_fini(&all);
    if (rc != WEIR_SQL || err->offset < 0) return rc;
    if ((size_t)err->offset < base) {
        char tmp[WERR_MSG_MAX];
        snprintf(tmp, sizeof tmp, "in a statement run earlier on this engine: %.960s", err->msg);
        snprintf(err->msg, sizeof err->msg, "%s", tmp);
        return rc;
    }
    /* the message is "L:C: what\n  line\n  caret": keep `what`, point at the same text in `sql` */
    const char *m = err->msg;
    while (isdigit((unsigned char)*m) || *m == ':') m++;
    if (*m == ' ') m++;
    char what[WERR_MSG_MAX];
    size_t wl = strcspn(m, "\n");
    snprintf(what, sizeof what, "%.*s", (int)wl, m);
    size_t off = (size_t)err->offset - base;
    werr_init(err);
    return wsql_error_at(err, sql, n, off, "%s", what);
}

int weir_engine_exec(weir_engine *e, const char *sql) {
    if (!e) return WEIR_MISUSE;
    WErr err;
    werr_init(&err);
    e->errmsg[0] = 0;
    if (!sql) return fail(e, werr_msg(&err, WEIR_MISUSE, "weir_engine_exec: sql must not be NULL"), &err);
    WScript *s = NULL;
    int rc = compile(e, "", sql, &s, &err);
    if (!rc && s->n_queries > 0)
        rc = werr_msg(&err, WEIR_MISUSE, "weir_engine_exec runs CREATE TABLE and SET statements; start the query "
                      "'%s' with weir_query_start", s->queries[0].name);
    wsql_script_free(s);
    if (rc) return fail(e, rc, &err);
    size_t keep = e->script.len;
    if (wbuf_puts(&e->script, sql) || wbuf_puts(&e->script, "\n;\n")) {
        e->script.len = keep;
        return fail(e, werr_msg(&err, WEIR_NOMEM, "out of memory"), &err);
    }
    return WEIR_OK;
}

/* ---------------------------------------------------------------- queries */

static void on_progress(void *user, const char *json, size_t n) {
    weir_query *q = user;
    char *p = malloc(n + 1);
    if (!p) return;
    memcpy(p, json, n);
    p[n] = 0;
    pthread_mutex_lock(&q->mu);
    free(q->progress);
    q->progress = p;
    pthread_mutex_unlock(&q->mu);
}

static void *query_main(void *arg) {
    weir_query *q = arg;
    WErr err;
    werr_init(&err);
    int rc = wdriver_run(q->script, &q->ro, &err);
    pthread_mutex_lock(&q->mu);
    if (rc) {
        snprintf(q->errmsg, sizeof q->errmsg, "%s", err.msg[0] ? err.msg : weir_errstr(rc));
        q->status = WEIR_QUERY_FAILED;
    } else {
        q->status = q->stop_asked ? WEIR_QUERY_STOPPED : WEIR_QUERY_FINISHED;
    }
    pthread_cond_broadcast(&q->cv);
    pthread_mutex_unlock(&q->mu);
    return NULL;
}

static void query_destroy(weir_query *q) {
    if (q->stop_pipe[0] >= 0) close(q->stop_pipe[0]);
    if (q->stop_pipe[1] >= 0) close(q->stop_pipe[1]);
    pthread_mutex_destroy(&q->mu);
    pthread_cond_destroy(&q->cv);
    wsql_script_free(q->script);
    free(q->progress);
    free(q);
}

/* Picks the query's name and checkpoint folder (see weir.h) into q. */
static int configure(weir_engine *e, weir_query *q, const char *const *options, WErr *err) {
    WQueryPlan *p = &q->script->queries[0];
    const char *name = pair(options, "queryName"), *loc = pair(options, "checkpointLocation");
    if (name) {
        if (!*name) return werr_msg(err, WEIR_MISUSE, "option queryName: must not be empty");
        char *dup = strdup(name);
        if (!dup) return werr_msg(err, WEIR_NOMEM, "out of memory");
        free(p->name);
        p->name = dup;
    }
    const char *tloc = p->sink ? wopts_get((WOpts *)&p->sink->opts, "checkpointLocation") : NULL;
    int is_temp = 0, rc = WEIR_OK;
    if (q->cb.fn && !name && !(loc && *loc))
        return werr_msg(err, WEIR_MISUSE, "a callback query needs a checkpoint to deliver each batch exactly once: "
                        "pass the option checkpointLocation, or a queryName (its checkpoint is then "
                        "<checkpoint root>/<queryName>)");
    if (loc && *loc) snprintf(q->ckpt, sizeof q->ckpt, "%s", loc);
    else if (tloc && *tloc) snprintf(q->ckpt, sizeof q->ckpt, "%s", tloc);
    else if (e->ckpt_root) snprintf(q->ckpt, sizeof q->ckpt, "%s/%s", e->ckpt_root, p->name);
    else {
        rc = wdriver_checkpoint_dir(q->script, p, q->ckpt, sizeof q->ckpt, &is_temp, err);
        if (!rc && is_temp && q->cb.fn)
            rc = werr_msg(err, WEIR_MISUSE, "a callback query needs a checkpoint to deliver each batch exactly once: "
                          "pass the option checkpointLocation, or a queryName with a checkpoint root (engine option "
                          "checkpointRoot or SET weir.checkpointRoot)");
    }
    if (!rc && !is_temp) q->ro.checkpoint_dir = q->ckpt;
    const char *trig = pair(options, "trigger");
    if (!rc && trig) {
        rc = wtrigger_parse(trig, &q->trigger, err);
        if (!rc) q->ro.trigger = &q->trigger;
    }
    return rc;
}

int weir_query_start(weir_engine *e, const char *sql, const char *const *options, weir_batch_fn fn, void *user,
                     weir_query **out_query) {
    if (!e) return WEIR_MISUSE;
    WErr err;
    werr_init(&err);
    e->errmsg[0] = 0;
    if (!sql || !out_query)
        return fail(e, werr_msg(&err, WEIR_MISUSE, "weir_query_start: sql and out_query must not be NULL"), &err);
    *out_query = NULL;
    static const char *const known[] = {"queryName", "checkpointLocation", "trigger", "outputMode", NULL};
    int rc = check_pairs(options, known, &err);
    if (rc) return fail(e, rc, &err);
    /* outputMode: for a callback query, which has no sink table to carry the option */
    const char *mode = pair(options, "outputMode");
    char extra[64] = "";
    if (mode) {
        if (strcasecmp(mode, "append") && strcasecmp(mode, "update") && strcasecmp(mode, "complete"))
            return fail(e, werr_msg(&err, WEIR_MISUSE, "option outputMode: '%s' is not append, update or complete", mode),
                        &err);
        snprintf(extra, sizeof extra, "SET weir.outputMode = '%s';\n", mode);
    }
    weir_query *q = calloc(1, sizeof *q);
    if (!q) return fail(e, werr_msg(&err, WEIR_NOMEM, "out of memory"), &err);
    q->stop_pipe[0] = q->stop_pipe[1] = -1;
    pthread_mutex_init(&q->mu, NULL);
    pthread_cond_init(&q->cv, NULL);
    q->cb.fn = fn;
    q->cb.user = user;
    rc = compile(e, extra, sql, &q->script, &err);
    if (!rc && q->script->n_queries != 1)
        rc = werr_msg(&err, WEIR_MISUSE, "weir_query_start takes one query statement (INSERT INTO t SELECT ... FROM "
                      "STREAM(s), or SELECT ... FROM STREAM(s) with a callback), not %d", q->script->n_queries);
    if (!rc && fn && q->script->queries[0].sink)
        rc = werr_msg(&err, WEIR_MISUSE, "query '%s' writes into table '%s': a callback goes with a bare SELECT ... "
                      "FROM STREAM(...)", q->script->queries[0].name, q->script->queries[0].sink->name);
    if (!rc) rc = configure(e, q, options, &err);
    if (!rc && pipe2(q->stop_pipe, O_CLOEXEC) != 0)
        rc = werr_msg(&err, WEIR_IO, "cannot make a pipe: %s", strerror(errno));
    if (!rc) {
        q->ro.stop_fd = q->stop_pipe[0];
        q->ro.progress = WPROGRESS_OFF;
        q->ro.sink_lookup = wsink_lookup;
        if (fn) {
            q->ro.sink_ops = &wapi_callback_sink_ops;
            q->ro.sink_user = &q->cb;
        }
        q->ro.on_progress = on_progress;
        q->ro.progress_user = q;
        q->status = WEIR_QUERY_RUNNING;
        if (pthread_create(&q->thread, NULL, query_main, q) != 0)
            rc = werr_msg(&err, WEIR_IO, "cannot start the query's thread");
    }
    if (rc) {
        query_destroy(q);
        return fail(e, rc, &err);
    }
    *out_query = q;
    return WEIR_OK;
}

void weir_query_stop(weir_query *q) {
    if (!q) return;
    pthread_mutex_lock(&q->mu);
    int first = !q->stop_asked;
    q->stop_asked = 1;
    pthread_mutex_unlock(&q->mu);
    if (first) {
        ssize_t w;
        do w = write(q->stop_pipe[1], "x", 1);
        while (w < 0 && errno == EINTR);
    }
}

weir_query_state weir_query_wait(weir_query *q, int64_t timeout_ms) {
    if (!q) return WEIR_QUERY_FAILED;
    struct timespec dl;
    clock_gettime(CLOCK_REALTIME, &dl);
    if (timeout_ms > 0) {
        dl.tv_sec += (time_t)(timeout_ms / 1000);
        dl.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
        if (dl.tv_nsec >= 1000000000L) {
            dl.tv_sec++;
            dl.tv_nsec -= 1000000000L;
        }
    }
    pthread_mutex_lock(&q->mu);
    while (q->status == WEIR_QUERY_RUNNING && timeout_ms != 0) {
        if (timeout_ms < 0) pthread_cond_wait(&q->cv, &q->mu);
        else if (pthread_cond_timedwait(&q->cv, &q->mu, &dl) == ETIMEDOUT) break;
    }
    weir_query_state st = q->status;
    pthread_mutex_unlock(&q->mu);
    return st;
}

weir_query_state weir_query_status(weir_query *q) { return weir_query_wait(q, 0); }

char *weir_query_last_progress(weir_query *q) {
    if (!q) return NULL;
    pthread_mutex_lock(&q->mu);
    char *p = q->progress ? strdup(q->progress) : NULL;
    pthread_mutex_unlock(&q->mu);
    return p;
}

const char *weir_query_errmsg(weir_query *q) {
    if (!q) return "weir_query_errmsg: NULL query";
    pthread_mutex_lock(&q->mu);
    const char *m = q->status == WEIR_QUERY_FAILED ? q->errmsg : "";
    pthread_mutex_unlock(&q->mu);
    return m;
}

void weir_query_free(weir_query *q) {
    if (!q) return;
    weir_query_stop(q);
    pthread_join(q->thread, NULL);
    query_destroy(q);
}
