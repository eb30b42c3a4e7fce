/*
 * batch_priv.h - the layout of weir_batch and weir_column, shared by the files of src/api only.
 */
#ifndef WEIR_API_BATCH_PRIV_H
#define WEIR_API_BATCH_PRIV_H

#include <stdatomic.h>

#include "core/vec.h"
#include "weir.h"

struct weir_column {
    const WVec *vec;
    const char *name;      /* borrowed from the schema; "" for the root */
    int n_children;
    weir_column *children; /* STRUCT fields, parallel to vec->children */
};

struct weir_batch {
    atomic_long refs;
    const WBatch *b;
    void (*on_free)(void *user);
    void *user;
    weir_column root;      /* root.children are the columns */
};

#endif
