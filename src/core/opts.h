/*
 * opts.h - WOpts, an ordered list of name = value options with Spark's case-insensitive names
 * (`maxFilesPerTrigger`, `header`, `timestampFormat`...), and typed getters that report bad values.
 *
 * Setting a name twice replaces the value. Getters return the default when the option is absent and
 * fail with WEIR_MISUSE (naming the option and the value) when it cannot be read as the asked type.
 */
#ifndef WEIR_CORE_OPTS_H
#define WEIR_CORE_OPTS_H

#include <stdatomic.h>
#include <stdint.h>

#include "core/err.h"

typedef struct WOpt {
    char *name;
    char *value;
    _Atomic int used; /* set by getters, so callers can report options nobody read; atomic: the queries
                       * of one script read a shared table's options from their own threads */
} WOpt;

typedef struct WOpts {
    int n;
    WOpt *items;
} WOpts;

void wopts_init(WOpts *o);
void wopts_fini(WOpts *o);
int wopts_set(WOpts *o, const char *name, const char *value);
/* Parses "name=value" (as given to --option on the command line). */
int wopts_set_pair(WOpts *o, const char *pair, WErr *err);
const char *wopts_get(WOpts *o, const char *name); /* NULL when absent */
int wopts_get_str(WOpts *o, const char *name, const char *def, const char **out);
int wopts_get_bool(WOpts *o, const char *name, int def, int *out, WErr *err);
int wopts_get_int(WOpts *o, const char *name, int64_t def, int64_t *out, WErr *err);
/* Reads the single character option (sep, quote, escape); "" means none (returns 0), "\t" escapes allowed. */
int wopts_get_char(WOpts *o, const char *name, int def, int *out, WErr *err);
/* The first option no getter has read, or NULL: for "unknown option" messages. */
const char *wopts_first_unused(const WOpts *o);

#endif
