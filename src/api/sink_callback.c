/*
 * sink_callback.c - the foreach-batch sink (see sink_callback.h). The driver may hand a batch's output in
 * several chunks; they are gathered into one heap WBatch (with its own copy of the schema), which commit
 * wraps as a weir_batch and passes to the callback, so the user may retain it past the call and past the
 * query. The callback's verdict is the commit: non-zero fails the batch (the driver then writes no
 * commits/N, so a restart delivers it again). The sink keeps nothing durable of its own: begin never
 * skips, because a batch the driver has not committed has not been acknowledged as done.
 */
#include <inttypes.h>
#include <stdlib.h>

#include "api/batch_int.h"
#include "api/sink_callback.h"

typedef struct Held {
    WType schema;
    WBatch b;
} Held;

struct WSink {
    const WType *schema;
    WApiCallback cb;
    Held *cur; /* rows of the batch being run, NULL until its first chunk */
};

static void held_free(void *user) {
    Held *h = user;
    wbatch_fini(&h->b);
    wtype_fini(&h->schema);
    free(h);
}

static int cb_open(const WSinkConfig *cfg, WSink **out, WErr *err) {
    const WApiCallback *cb = cfg->user;
    if (!cb || !cb->fn) return werr_msg(err, WEIR_MISUSE, "the foreach-batch sink needs a callback");
    WSink *s = calloc(1, sizeof *s);
    if (!s) return werr_msg(err, WEIR_NOMEM, "out of memory");
    s->schema = cfg->schema;
    s->cb = *cb;
    *out = s;
    return WEIR_OK;
}

static void drop(WSink *s) {
    if (s->cur) held_free(s->cur);
    s->cur = NULL;
}

static int cb_begin(WSink *s, int64_t batch_id, int *skip, WErr *err) {
    (void)batch_id;
    (void)err;
    drop(s);
    *skip = 0;
    return WEIR_OK;
}

static int cb_write(WSink *s, int64_t batch_id, const WBatch *rows, WErr *err) {
    (void)batch_id;
    if (!s->cur) {
        Held *h = calloc(1, sizeof *h);
        if (!h) return werr_msg(err, WEIR_NOMEM, "out of memory");
        if (wtype_copy(&h->schema, s->schema)) {
            free(h);
            return werr_msg(err, WEIR_NOMEM, "out of memory");
        }
        if (wbatch_init(&h->b, &h->schema)) {
            wtype_fini(&h->schema);
            free(h);
            return werr_msg(err, WEIR_NOMEM, "out of memory");
        }
        s->cur = h;
    }
    int64_t n = wbatch_rows(rows);
    if (wvec_reserve(&s->cur->b.root, n)) return werr_msg(err, WEIR_NOMEM, "out of memory");
    for (int64_t r = 0; r < n; r++)
        if (wvec_append_from(&s->cur->b.root, &rows->root, r)) return werr_msg(err, WEIR_NOMEM, "out of memory");
    return WEIR_OK;
}

static int cb_commit(WSink *s, int64_t batch_id, WSinkStats *stats, WErr *err) {
    Held *h = s->cur;
    s->cur = NULL;
    if (!h) return WEIR_OK; /* no rows: no call */
    int64_t n = wbatch_rows(&h->b);
    if (n == 0) {
        held_free(h);
        return WEIR_OK;
    }
    weir_batch *wb = wapi_batch_wrap(&h->b, held_free, h);
    if (!wb) {
        held_free(h);
        return werr_msg(err, WEIR_NOMEM, "out of memory");
    }
    int ret = s->cb.fn(wb, batch_id, s->cb.user);
    weir_batch_release(wb);
    if (ret != 0)
        return werr_msg(err, WEIR_ABORT, "the foreach-batch callback returned %d at batch %" PRId64 ": the batch is "
                        "not committed, a restart with the same checkpoint delivers it again", ret, batch_id);
    stats->rows = n;
    return WEIR_OK;
}

static void cb_abort(WSink *s, int64_t batch_id) {
    (void)batch_id;
    drop(s);
}

static void cb_close(WSink *s) {
    if (!s) return;
    drop(s);
    free(s);
}

const WSinkOps wapi_callback_sink_ops = {"foreachBatch", cb_open, cb_begin, cb_write, cb_commit, cb_abort, cb_close,
                                            NULL, NULL, NULL, NULL, NULL};
