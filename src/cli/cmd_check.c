/*
 * cmd_check.c - `weir check FILE.sql`: parses, resolves and plans a SQL script without running it, and
 * prints the plan (tables with their schemas and options, settings, each query's output columns and
 * expressions with the implicit casts made visible). FILE may be `-` for standard input.
 *
 * Exit status: 0 when the script is valid; 2 for a SQL error (printed as file:line:col, the source line
 * and a caret) or bad usage; 1 when the file cannot be read.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cmd.h"
#include "core/buf.h"
#include "sql/plan.h"
#include "weir.h"

static void usage(FILE *f) {
    fprintf(f, "usage: weir check FILE.sql\n\n"
               "Parses and plans the SQL script FILE (or - for standard input) and prints the plan.\n"
               "Exit status: 0 valid, 2 SQL error or bad usage, 1 the file cannot be read.\n");
}

static int read_all(FILE *f, WBuf *out) {
    char chunk[65536];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        if (wbuf_append(out, chunk, n)) return WEIR_NOMEM;
    return ferror(f) ? WEIR_IO : WEIR_OK;
}

int cmd_check(int argc, char **argv) {
    const char *path = NULL;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            usage(stdout);
            return 0;
        }
        if (argv[i][0] == '-' && argv[i][1]) {
            fprintf(stderr, "weir check: unknown option '%s'\n", argv[i]);
            usage(stderr);
            return 2;
        }
        if (path) {
            fprintf(stderr, "weir check: one script at a time ('%s' and '%s')\n", path, argv[i]);
            return 2;
        }
        path = argv[i];
    }
    if (!path) {
        usage(stderr);
        return 2;
    }
    WBuf text;
    wbuf_init(&text);
    FILE *f = strcmp(path, "-") ? fopen(path, "rb") : stdin;
    if (!f) {
        fprintf(stderr, "weir check: cannot open %s: %s\n", path, strerror(errno));
        return 1;
    }
    int rc = read_all(f, &text);
    if (f != stdin) fclose(f);
    if (rc) {
        fprintf(stderr, "weir check: cannot read %s\n", path);
        wbuf_fini(&text);
        return 1;
    }
    WScript *s = NULL;
    WErr err;
    werr_init(&err);
    rc = wsql_compile(text.data ? text.data : "", text.len, strcmp(path, "-") ? path : "<stdin>", &s, &err);
    wbuf_fini(&text);
    if (rc) {
        fprintf(stderr, "%s\n", err.msg);
        return rc == WEIR_NOMEM ? 1 : 2;
    }
    WBuf out;
    wbuf_init(&out);
    rc = wsql_explain(s, &out);
    if (!rc) fwrite(out.data ? out.data : "", 1, out.len, stdout);
    wbuf_fini(&out);
    wsql_script_free(s);
    return rc ? 1 : 0;
}
