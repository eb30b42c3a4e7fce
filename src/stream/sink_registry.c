/*
 * sink_registry.c - the one table of streaming sinks: a new sink is one file plus one line here.
 */
#include <stddef.h>
#include <strings.h>

#include "stream/sink.h"

extern const WSinkOps wsink_csv_ops, wsink_json_ops, wsink_parquet_ops, wsink_console_ops, wsink_exec_ops;

static const WSinkOps *const sinks[] = {&wsink_csv_ops, &wsink_json_ops, &wsink_parquet_ops, &wsink_console_ops,
                                          &wsink_exec_ops};

const WSinkOps *wsink_lookup(const char *format) {
    if (!format) return NULL;
    for (size_t i = 0; i < sizeof sinks / sizeof *sinks; i++)
        if (!strcasecmp(sinks[i]->format, format)) return sinks[i];
    return NULL;
}
