/*
 * sink_exec.c - the "exec" sink: `USING exec OPTIONS (command '...', format 'parquet' | 'csv' | 'jsonl')`.
 * For each micro-batch with rows, the rows are written whole to one file under the checkpoint,
 * <checkpoint>/exec/batch-<N>.<ext> (formats/batchfile.c, the writer weir_batch_write uses), and the command
 * runs through /bin/sh -c with WEIR_BATCH_ID, WEIR_BATCH_PATH and WEIR_QUERY_NAME in its environment (its
 * stdout and stderr are weir's). Exit status 0 commits the batch; anything else fails it, the error naming
 * the command, the status and the batch, and the driver writes no commits/N, so a restart runs the command
 * again on the same rows. The batch file is removed afterwards either way.
 *
 * Exactly once as far as weir can tell: after the command succeeds for N, <checkpoint>/exec/committed holds
 * N (written atomically), and begin(N) of a re-run after a crash between that and the driver's commits/N
 * skips. A crash while the command runs re-runs it, so a command that must not act twice keys its effect by
 * WEIR_BATCH_ID. Other table options (header, sep, compression, ...) go to the file writer.
 */
#include <errno.h>
#include <inttypes.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/fs.h"
#include "formats/batchfile.h"
#include "stream/sink.h"

extern char **environ;

struct WSink {
    char *command;
    char *format;        /* parquet, csv or jsonl */
    char *query_name;
    char dir[4200];      /* <checkpoint>/exec */
    WOpts wopts;         /* writer options */
    WBatch rows;
    int rows_init;
};

static const char *const own_opts[] = {"command", "format", "checkpointLocation", "trigger", "path", NULL};

static void exec_close(WSink *s) {
    if (!s) return;
    if (s->rows_init) wbatch_fini(&s->rows);
    wopts_fini(&s->wopts);
    free(s->command);
    free(s->format);
    free(s->query_name);
    free(s);
}

static int exec_open(const WSinkConfig *cfg, WSink **out, WErr *err) {
    WSink *s = calloc(1, sizeof *s);
    if (!s) return werr_msg(err, WEIR_NOMEM, "out of memory");
    wopts_init(&s->wopts);
    int rc = WEIR_OK;
    const char *cmd = wopts_get(cfg->opts, "command"), *fmt = wopts_get(cfg->opts, "format");
    if (!fmt) fmt = "parquet";
    if (!cmd || !*cmd) rc = werr_msg(err, WEIR_MISUSE, "an exec sink needs OPTIONS (command '...')");
    else if (strcasecmp(fmt, "parquet") && strcasecmp(fmt, "csv") && strcasecmp(fmt, "jsonl") && strcasecmp(fmt, "json"))
        rc = werr_msg(err, WEIR_MISUSE, "option format of an exec sink: '%s' is not parquet, csv or jsonl", fmt);
    else if (!cfg->checkpoint_dir || !*cfg->checkpoint_dir)
        rc = werr_msg(err, WEIR_MISUSE, "an exec sink needs a checkpoint");
    if (!rc) {
        s->command = strdup(cmd);
        s->format = strdup(!strcasecmp(fmt, "json") ? "jsonl" : fmt);
        s->query_name = strdup(cfg->query_name ? cfg->query_name : "");
        if (!s->command || !s->format || !s->query_name) rc = werr_msg(err, WEIR_NOMEM, "out of memory");
        for (char *p = s->format; !rc && *p; p++) *p = (char)(*p | 0x20); /* ASCII lower case */
    }
    for (int i = 0; !rc && i < cfg->opts->n; i++) {
        const WOpt *o = &cfg->opts->items[i];
        int own = 0;
        for (int k = 0; own_opts[k]; k++) own |= !strcasecmp(o->name, own_opts[k]);
        if (!own && wopts_set(&s->wopts, o->name, o->value)) rc = werr_msg(err, WEIR_NOMEM, "out of memory");
    }
    if (!rc) {
        snprintf(s->dir, sizeof s->dir, "%s/exec", cfg->checkpoint_dir);
        rc = wfs_mkdirs(s->dir, err);
    }
    if (!rc && wbatch_init(&s->rows, cfg->schema)) rc = werr_msg(err, WEIR_NOMEM, "out of memory");
    if (!rc) s->rows_init = 1;
    if (!rc) {
        /* the writer options are checked now, by writing the empty batch once, not at the first batch */
        char probe[4300];
        snprintf(probe, sizeof probe, "%s/options-check.%s", s->dir, s->format);
        rc = wfmt_write_batch_file(&s->rows, probe, s->format, &s->wopts, err);
        unlink(probe);
    }
    if (rc) {
        exec_close(s);
        return rc;
    }
    *out = s;
    return WEIR_OK;
}

/* The last batch whose command succeeded, or -1. */
static int64_t last_done(WSink *s, WErr *err, int *rc) {
    char path[4300];
    snprintf(path, sizeof path, "%s/committed", s->dir);
    WBuf b;
    wbuf_init(&b);
    int missing = 0;
    int64_t n = -1;
    *rc = wfs_read_file(path, &b, &missing, err);
    if (!*rc && !missing && b.len > 0) {
        char tmp[32];
        snprintf(tmp, sizeof tmp, "%.*s", (int)(b.len < 31 ? b.len : 31), b.data);
        n = strtoll(tmp, NULL, 10);
    }
    wbuf_fini(&b);
    return n;
}

static int exec_begin(WSink *s, int64_t batch_id, int *skip, WErr *err) {
    int rc;
    int64_t done = last_done(s, err, &rc);
    *skip = !rc && done >= batch_id;
    wbatch_reset(&s->rows);
    return rc;
}

static int exec_write(WSink *s, int64_t batch_id, const WBatch *rows, WErr *err) {
    (void)batch_id;
    int64_t n = wbatch_rows(rows);
    if (wvec_reserve(&s->rows.root, n)) return werr_msg(err, WEIR_NOMEM, "out of memory");
    for (int64_t r = 0; r < n; r++)
        if (wvec_append_from(&s->rows.root, &rows->root, r)) return werr_msg(err, WEIR_NOMEM, "out of memory");
    return WEIR_OK;
}

/* Runs the command with the batch's variables added to the environment; *status as waitpid gives it. */
static int run_command(WSink *s, int64_t batch_id, const char *path, int *status, WErr *err) {
    size_t n_env = 0;
    while (environ[n_env]) n_env++;
    char **envp = calloc(n_env + 4, sizeof *envp);
    char v_id[64], *v_path = NULL, *v_name = NULL;
    int rc = WEIR_OK;
    snprintf(v_id, sizeof v_id, "WEIR_BATCH_ID=%" PRId64, batch_id);
    if (asprintf(&v_path, "WEIR_BATCH_PATH=%s", path) < 0) v_path = NULL;
    if (asprintf(&v_name, "WEIR_QUERY_NAME=%s", s->query_name) < 0) v_name = NULL;
    if (!envp || !v_path || !v_name) rc = werr_msg(err, WEIR_NOMEM, "out of memory");
    if (!rc) {
        size_t k = 0;
        for (size_t i = 0; i < n_env; i++)
            if (strncmp(environ[i], "WEIR_BATCH_ID=", 14) && strncmp(environ[i], "WEIR_BATCH_PATH=", 16) &&
                strncmp(environ[i], "WEIR_QUERY_NAME=", 16))
                envp[k++] = environ[i];
        envp[k++] = v_id;
        envp[k++] = v_path;
        envp[k++] = v_name;
        envp[k] = NULL;
        char *argv[] = {"sh", "-c", s->command, NULL};
        pid_t pid;
        int e = posix_spawn(&pid, "/bin/sh", NULL, NULL, argv, envp);
        if (e) rc = werr_msg(err, WEIR_IO, "exec sink: cannot run /bin/sh: %s", strerror(e));
        while (!rc && waitpid(pid, status, 0) < 0)
            if (errno != EINTR) rc = werr_msg(err, WEIR_IO, "exec sink: waitpid: %s", strerror(errno));
    }
    free(envp);
    free(v_path);
    free(v_name);
    return rc;
}

static int exec_commit(WSink *s, int64_t batch_id, WSinkStats *stats, WErr *err) {
    int64_t n = wbatch_rows(&s->rows);
    if (n == 0) return WEIR_OK; /* no rows: no file, no command */
    char path[4400];
    snprintf(path, sizeof path, "%s/batch-%" PRId64 ".%s", s->dir, batch_id, s->format);
    int rc = wfmt_write_batch_file(&s->rows, path, s->format, &s->wopts, err);
    int status = 0;
    if (!rc) rc = run_command(s, batch_id, path, &status, err);
    unlink(path);
    if (!rc && !(WIFEXITED(status) && WEXITSTATUS(status) == 0)) {
        if (WIFEXITED(status))
            rc = werr_msg(err, WEIR_ABORT, "exec sink: command '%.300s' exited with status %d at batch %" PRId64
                          ": the batch is not committed, a restart runs it again", s->command, WEXITSTATUS(status),
                          batch_id);
        else
            rc = werr_msg(err, WEIR_ABORT, "exec sink: command '%.300s' was killed by signal %d at batch %" PRId64
                          ": the batch is not committed, a restart runs it again", s->command,
                          WIFSIGNALED(status) ? WTERMSIG(status) : -1, batch_id);
    }
    if (!rc) {
        char mark[4300], num[32];
        snprintf(mark, sizeof mark, "%s/committed", s->dir);
        int len = snprintf(num, sizeof num, "%" PRId64 "\n", batch_id);
        rc = wfs_write_atomic(mark, num, (size_t)len, err);
    }
    if (!rc) stats->rows = n;
    wbatch_reset(&s->rows);
    return rc;
}

static void exec_abort(WSink *s, int64_t batch_id) {
    (void)batch_id;
    wbatch_reset(&s->rows);
}

const WSinkOps wsink_exec_ops = {"exec", exec_open, exec_begin, exec_write, exec_commit, exec_abort, exec_close,
                                   NULL, NULL, NULL, NULL, NULL};
