/*
 * cmd_run.c - `weir run FILE.sql [--trigger T] [--progress auto|json|off]`: compiles a script and runs its
 * streaming queries side by side until they end (trigger once / availableNow) or SIGINT / SIGTERM asks
 * them to stop, which they do cleanly between two steps of a batch (exit 0).
 *
 * Exit status: 0 done or stopped, 1 runtime failure, 2 bad usage, SQL or configuration.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cmd.h"
#include "core/buf.h"
#include "core/fs.h"
#include "sql/plan.h"
#include "stream/driver.h"
#include "stream/sink.h"
#include "stream/trigger.h"

static int stop_pipe_w = -1;

static void on_stop_signal(int sig) {
    (void)sig;
    int saved = errno;
    if (stop_pipe_w >= 0) {
        ssize_t r = write(stop_pipe_w, "x", 1);
        (void)r;
    }
    errno = saved;
}

static void usage(FILE *f) {
    fprintf(f, "usage: weir run FILE.sql [--trigger T] [--progress auto|json|off]\n\n"
               "Runs the streaming queries of FILE.sql side by side until they end or Ctrl-C.\n"
               "  --trigger T     once | availableNow | an interval such as '1 second' | 0 (default: as soon\n"
               "                  as a file lands); overrides each sink table's `trigger` option\n"
               "  --progress M    json: one StreamingQueryProgress object per batch on stdout;\n"
               "                  auto (default): a live one-line summary when stdout is a terminal; off\n");
}

int cmd_run(int argc, char **argv) {
    const char *file = NULL, *trig_text = NULL, *prog = "auto";
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            usage(stdout);
            return 0;
        }
        if (!strcmp(a, "--trigger") && i + 1 < argc) trig_text = argv[++i];
        else if (!strncmp(a, "--trigger=", 10)) trig_text = a + 10;
        else if (!strcmp(a, "--progress") && i + 1 < argc) prog = argv[++i];
        else if (!strncmp(a, "--progress=", 11)) prog = a + 11;
        else if (a[0] == '-' && a[1]) {
            fprintf(stderr, "weir run: unknown or incomplete option '%s'\n", a);
            usage(stderr);
            return 2;
        } else if (!file) file = a;
        else {
            fprintf(stderr, "weir run: one script expected, got '%s' and '%s'\n", file, a);
            return 2;
        }
    }
    if (!file) {
        usage(stderr);
        return 2;
    }
    WErr err;
    werr_init(&err);
    WTrigger trig;
    if (trig_text && wtrigger_parse(trig_text, &trig, &err)) {
        fprintf(stderr, "weir run: %s\n", err.msg);
        return 2;
    }
    WRunOptions ro;
    memset(&ro, 0, sizeof ro);
    ro.trigger = trig_text ? &trig : NULL;
    if (!strcmp(prog, "json")) ro.progress = WPROGRESS_JSON;
    else if (!strcmp(prog, "off")) ro.progress = WPROGRESS_OFF;
    else if (!strcmp(prog, "auto")) ro.progress = isatty(STDOUT_FILENO) ? WPROGRESS_LIVE : WPROGRESS_OFF;
    else {
        fprintf(stderr, "weir run: --progress takes auto, json or off, not '%s'\n", prog);
        return 2;
    }
    WBuf text;
    wbuf_init(&text);
    if (wfs_read_file(file, &text, NULL, &err)) {
        fprintf(stderr, "weir run: %s\n", err.msg);
        wbuf_fini(&text);
        return 2;
    }
    WScript *s = NULL;
    int rc = wsql_compile(text.data ? text.data : "", text.len, file, &s, &err);
    wbuf_fini(&text);
    if (rc) {
        fprintf(stderr, "%s\n", err.msg);
        return 2;
    }
    /* configuration problems (no checkpoint for a file sink) are usage errors, found before anything runs */
    for (int i = 0; i < s->n_queries; i++) {
        char dir[4096];
        int tmp;
        if (wdriver_checkpoint_dir(s, &s->queries[i], dir, sizeof dir, &tmp, &err)) {
            fprintf(stderr, "weir run: %s\n", err.msg);
            wsql_script_free(s);
            return 2;
        }
    }
    int pfd[2];
    if (pipe2(pfd, O_CLOEXEC | O_NONBLOCK) != 0) {
        fprintf(stderr, "weir run: pipe: %s\n", strerror(errno));
        wsql_script_free(s);
        return 1;
    }
    stop_pipe_w = pfd[1];
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_stop_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
    ro.stop_fd = pfd[0];
    ro.sink_lookup = wsink_lookup;
    rc = wdriver_run(s, &ro, &err);
    sa.sa_handler = SIG_DFL;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    stop_pipe_w = -1;
    close(pfd[0]);
    close(pfd[1]);
    wsql_script_free(s);
    if (rc) {
        fprintf(stderr, "weir run: %s\n", err.msg);
        return rc == WEIR_MISUSE || rc == WEIR_SQL ? 2 : 1;
    }
    return 0;
}
