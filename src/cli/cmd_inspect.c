/*
 * cmd_inspect.c - `weir inspect CHECKPOINT`: what a streaming query's checkpoint says - its id, the batches
 * retained and whether each is committed, the watermark, the files each batch took, the rows it read (from
 * the progress log) - and whether the checkpoint is clean (every planned batch committed).
 *
 * Exit status: 0 when the checkpoint reads back (clean or with one batch to re-run), 1 when it is damaged,
 * 2 on bad usage.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cmd.h"
#include "core/buf.h"
#include "core/time.h"
#include "stream/ckpt.h"
#include "stream/logjson.h"
#include "stream/source_file.h"

typedef struct BatchInfo {
    int64_t files;
    int64_t bytes;
    int64_t rows;      /* -1 unknown */
} BatchInfo;

typedef struct Ctx {
    int64_t lo, hi;    /* batches shown */
    BatchInfo *b;
    int64_t total_files;
    int64_t total_bytes;
    int verbose;
} Ctx;

static int on_file(void *user, const WSrcFile *f) {
    Ctx *c = user;
    c->total_files++;
    c->total_bytes += f->end - f->start;
    if (f->batch >= c->lo && f->batch <= c->hi) {
        BatchInfo *b = &c->b[f->batch - c->lo];
        b->files++;
        b->bytes += f->end - f->start;
        if (c->verbose) printf("  batch %" PRId64 "  %s  [%" PRId64 ", %" PRId64 ")\n", f->batch, f->name, f->start, f->end);
    }
    return 0;
}

static void fmt_ms(int64_t ms, char *buf) {
    if (ms <= 0) {
        strcpy(buf, "none");
        return;
    }
    wtime_format_timestamp(ms * 1000, NULL, buf);
}

int cmd_inspect(int argc, char **argv) {
    const char *dir = NULL;
    int verbose = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            printf("usage: weir inspect CHECKPOINT [--files]\n\nShows a streaming query's checkpoint: batches, "
                   "files taken, watermark, and whether every planned batch is committed.\n");
            return 0;
        }
        if (!strcmp(argv[i], "--files")) verbose = 1;
        else if (argv[i][0] == '-') {
            fprintf(stderr, "weir inspect: unknown option '%s'\n", argv[i]);
            return 2;
        } else if (!dir) dir = argv[i];
        else {
            fprintf(stderr, "weir inspect: one checkpoint folder expected\n");
            return 2;
        }
    }
    if (!dir) {
        fprintf(stderr, "usage: weir inspect CHECKPOINT [--files]\n");
        return 2;
    }
    WErr err;
    werr_init(&err);
    WCkpt *c = NULL;
    int rc = wckpt_open_readonly(dir, &c, &err);
    if (rc) {
        fprintf(stderr, "weir inspect: %s\n", err.msg);
        return 1;
    }
    int64_t lp = wckpt_last_planned(c), lcm = wckpt_last_committed(c), lo = wckpt_oldest_retained(c);
    printf("checkpoint   %s\nquery id     %s\n", dir, wckpt_id(c));
    Ctx ctx = {lo < 0 ? 0 : lo, lp, NULL, 0, 0, verbose};
    int64_t nb = lp >= 0 && lo >= 0 ? lp - lo + 1 : 0;
    ctx.b = calloc((size_t)(nb ? nb : 1), sizeof *ctx.b);
    for (int64_t i = 0; i < nb; i++) ctx.b[i].rows = -1;
    /* every retained entry must read back */
    int64_t wm_next = 0;
    for (int64_t n = ctx.lo; n <= lp && !rc; n++) {
        WOffsetsEntry e;
        wckpt_offsets_init(&e);
        rc = wckpt_read_offsets(c, n, &e, &err);
        wckpt_offsets_fini(&e);
        if (!rc && n <= lcm) rc = wckpt_read_commit(c, n, &wm_next, &err);
    }
    if (verbose && !rc) printf("files:\n");
    if (!rc) rc = wsrc_log_read(c, on_file, &ctx, &err);
    /* rows per batch from the progress log (a report: absent lines are shown as '-') */
    WBuf prog;
    wbuf_init(&prog);
    if (!rc) {
        WErr e2;
        werr_init(&e2);
        wckpt_read_progress(c, &prog, &e2);
        const char *p = prog.data ? prog.data : "", *end = p + prog.len;
        while (p < end) {
            const char *nl = memchr(p, '\n', (size_t)(end - p));
            size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p);
            WLogObj o;
            const char *what;
            size_t at;
            int64_t b, rows;
            if (wlogj_parse(p, len, &o, &what, &at) == 0 && !wlogj_get_i64(&o, "batchId", &b) &&
                !wlogj_get_i64(&o, "numInputRows", &rows) && b >= ctx.lo && b <= lp)
                ctx.b[b - ctx.lo].rows = rows;
            wlogj_fini(&o);
            p = nl ? nl + 1 : end;
        }
    }
    if (rc) {
        fprintf(stderr, "weir inspect: %s\n", err.msg);
        free(ctx.b);
        wbuf_fini(&prog);
        wckpt_close(c);
        return 1;
    }
    char wm[64];
    fmt_ms(wm_next, wm);
    if (lp < 0) printf("batches      none yet\n");
    else printf("batches      %" PRId64 " .. %" PRId64 " retained (older ones removed: minBatchesToRetain, 100 by default)\n", ctx.lo, lp);
    printf("last commit  %s%" PRId64 "\n", lcm < 0 ? "none " : "", lcm);
    printf("watermark    %s\n", wm);
    printf("files taken  %" PRId64 " (%" PRId64 " bytes) in the source's log (files past maxFileAge leave it)\n",
           ctx.total_files, ctx.total_bytes);
    if (nb > 0) {
        printf("\n%8s  %-9s  %6s  %10s  %8s\n", "batch", "state", "files", "bytes", "rows");
        int64_t first = nb > 20 && !verbose ? nb - 20 : 0;
        if (first) printf("%8s  (%" PRId64 " earlier batches not shown)\n", "...", first);
        for (int64_t i = first; i < nb; i++) {
            char rows[32];
            if (ctx.b[i].rows < 0) strcpy(rows, "-");
            else snprintf(rows, sizeof rows, "%" PRId64, ctx.b[i].rows);
            printf("%8" PRId64 "  %-9s  %6" PRId64 "  %10" PRId64 "  %8s\n", ctx.lo + i,
                   ctx.lo + i <= lcm ? "committed" : "planned", ctx.b[i].files, ctx.b[i].bytes, rows);
        }
    }
    if (lp == lcm) printf("\nstate        clean: every planned batch is committed\n");
    else printf("\nstate        batch %" PRId64 " is planned but not committed: it runs again, with the same "
                "input, when the query restarts\n", lp);
    free(ctx.b);
    wbuf_fini(&prog);
    wckpt_close(c);
    return 0;
}
