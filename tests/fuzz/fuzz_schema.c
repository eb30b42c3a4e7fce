/*
 * fuzz_schema.c - libFuzzer target for the Spark DDL schema parser (core/schema.h).
 *
 * Any bytes: wschema_parse must return WEIR_OK or WEIR_PARSE (never crash, leak or read past the
 * text). When it parses, the schema printed back as DDL must parse again to an equal type, a copy must
 * be equal, and every field must be found again by its name.
 */
#include <stdlib.h>
#include <string.h>

#include "core/schema.h"

static void check_names(const WType *t) {
    for (int i = 0; i < t->n_fields; i++) {
        const WField *f = &t->fields[i];
        int at = wtype_field_index(t, f->name, strlen(f->name));
        if (at < 0 || at > i) abort();
        if (f->type.id == WT_STRUCT) check_names(&f->type);
    }
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size) {
    /* a private copy, exactly size bytes, so that reading one byte too far is caught by ASan */
    char *text = malloc(size ? size : 1);
    if (!text) return 0;
    memcpy(text, data, size);
    WType t;
    WErr err;
    werr_init(&err);
    int rc = wschema_parse(text, size, &t, &err);
    if (rc == WEIR_OK) {
        if (t.id != WT_STRUCT) abort();
        check_names(&t);
        WBuf ddl;
        wbuf_init(&ddl);
        if (wtype_to_ddl(&t, &ddl, 1) != WEIR_OK) abort();
        WType back;
        WErr err2;
        werr_init(&err2);
        if (wschema_parse(ddl.data ? ddl.data : "", ddl.len, &back, &err2) != WEIR_OK) abort();
        if (!wtype_equal(&t, &back)) abort();
        WType copy;
        if (wtype_copy(&copy, &t) == WEIR_OK) {
            if (!wtype_equal(&copy, &t)) abort();
            wtype_fini(&copy);
        }
        wtype_fini(&back);
        wbuf_fini(&ddl);
        wtype_fini(&t);
    } else if (rc != WEIR_PARSE && rc != WEIR_NOMEM) {
        abort();
    } else if (err.msg[0] == 0) {
        abort(); /* an error must say what and where */
    }
    free(text);
    return 0;
}
