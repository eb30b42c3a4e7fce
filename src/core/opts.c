/*
 * opts.c - case-insensitive option lists (see opts.h).
 */
#include "core/opts.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

void wopts_init(WOpts *o) { o->n = 0; o->items = NULL; }

void wopts_fini(WOpts *o) {
    for (int i = 0; i < o->n; i++) {
        free(o->items[i].name);
        free(o->items[i].value);
    }
    free(o->items);
    wopts_init(o);
}

static WOpt *find(WOpts *o, const char *name) {
    for (int i = 0; i < o->n; i++)
        if (!strcasecmp(o->items[i].name, name)) return &o->items[i];
    return NULL;
}

int wopts_set(WOpts *o, const char *name, const char *value) {
    char *v = strdup(value);
    if (!v) return WEIR_NOMEM;
    WOpt *it = find(o, name);
    if (it) {
        free(it->value);
        it->value = v;
        return WEIR_OK;
    }
    WOpt *items = realloc(o->items, sizeof *items * (size_t)(o->n + 1));
    char *n = strdup(name);
    if (!items || !n) {
        if (items) o->items = items;
        free(v);
        free(n);
        return WEIR_NOMEM;
    }
    o->items = items;
    items[o->n].name = n;
    items[o->n].value = v;
    atomic_init(&items[o->n].used, 0);
    o->n++;
    return WEIR_OK;
}

int wopts_set_pair(WOpts *o, const char *pair, WErr *err) {
    const char *eq = strchr(pair, '=');
    if (!eq || eq == pair) return werr_msg(err, WEIR_MISUSE, "option '%s' is not name=value", pair);
    char name[256];
    size_t n = (size_t)(eq - pair);
    if (n >= sizeof name) return werr_msg(err, WEIR_MISUSE, "option name too long");
    memcpy(name, pair, n);
    name[n] = 0;
    if (wopts_set(o, name, eq + 1)) return werr_msg(err, WEIR_NOMEM, "out of memory");
    return WEIR_OK;
}

const char *wopts_get(WOpts *o, const char *name) {
    WOpt *it = find(o, name);
    if (!it) return NULL;
    atomic_store_explicit(&it->used, 1, memory_order_relaxed);
    return it->value;
}

int wopts_get_str(WOpts *o, const char *name, const char *def, const char **out) {
    const char *v = wopts_get(o, name);
    *out = v ? v : def;
    return WEIR_OK;
}

int wopts_get_bool(WOpts *o, const char *name, int def, int *out, WErr *err) {
    const char *v = wopts_get(o, name);
    if (!v) { *out = def; return WEIR_OK; }
    if (!strcasecmp(v, "true") || !strcmp(v, "1")) { *out = 1; return WEIR_OK; }
    if (!strcasecmp(v, "false") || !strcmp(v, "0")) { *out = 0; return WEIR_OK; }
    return werr_msg(err, WEIR_MISUSE, "option %s: '%s' is not true or false", name, v);
}

int wopts_get_int(WOpts *o, const char *name, int64_t def, int64_t *out, WErr *err) {
    const char *v = wopts_get(o, name);
    if (!v) { *out = def; return WEIR_OK; }
    char *end;
    errno = 0;
    long long x = strtoll(v, &end, 10);
    if (errno || end == v || *end) return werr_msg(err, WEIR_MISUSE, "option %s: '%s' is not an integer", name, v);
    *out = x;
    return WEIR_OK;
}

int wopts_get_char(WOpts *o, const char *name, int def, int *out, WErr *err) {
    const char *v = wopts_get(o, name);
    if (!v) { *out = def; return WEIR_OK; }
    if (!v[0]) { *out = 0; return WEIR_OK; }
    if (!v[1]) { *out = (unsigned char)v[0]; return WEIR_OK; }
    if (v[0] == '\\' && !v[2]) {
        switch (v[1]) {
        case 't': *out = '\t'; return WEIR_OK;
        case 'n': *out = '\n'; return WEIR_OK;
        case 'r': *out = '\r'; return WEIR_OK;
        case '\\': *out = '\\'; return WEIR_OK;
        case '0': *out = 0; return WEIR_OK;
        default: break;
        }
    }
    return werr_msg(err, WEIR_MISUSE, "option %s: '%s' must be a single character", name, v);
}

const char *wopts_first_unused(const WOpts *o) {
    for (int i = 0; i < o->n; i++)
        if (!atomic_load_explicit(&o->items[i].used, memory_order_relaxed)) return o->items[i].name;
    return NULL;
}
