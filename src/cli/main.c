/*
 * main.c - the `weir` program: finds the sub-command and runs it.
 */
#include <stdio.h>
#include <string.h>

#include "cli/cmd.h"
#include "weir.h"

static int cmd_version(int argc, char **argv) {
    (void)argc;
    (void)argv;
    printf("weir %s\n", weir_version());
    return 0;
}

static const WCommand commands[] = {
    {"version", cmd_version, "print the version"},
    {"cat", cmd_cat, "print a Parquet file's rows, schema or metadata"},
    {"run", cmd_run, "run the streaming queries of a SQL script"},
    {"inspect", cmd_inspect, "show a streaming query's checkpoint: batches, files, watermark"},
    {"gen", cmd_gen, "generate the seed's click-stream JSON files"},
    {"validate", cmd_validate, "check that JSON or CSV files are well-formed (and match a schema)"},
    {"convert", cmd_convert, "convert JSON, CSV and Parquet files (optionally flattening structs)"},
    {"check", cmd_check, "parse and plan a SQL script, print the plan"},
};

static void usage(FILE *f) {
    fprintf(f, "usage: weir COMMAND [ARGS...]\n\ncommands:\n");
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        fprintf(f, "  %-10s %s\n", commands[i].name, commands[i].summary);
    fprintf(f, "\n`weir COMMAND --help` describes one command.\n");
}

int main(int argc, char **argv) {
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
        usage(stdout);
        return 0;
    }
    if (!strcmp(argv[1], "--version")) return cmd_version(0, NULL);
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (!strcmp(argv[1], commands[i].name)) return commands[i].run(argc - 1, argv + 1);
    fprintf(stderr, "weir: unknown command '%s'\n", argv[1]);
    usage(stderr);
    return 2;
}
