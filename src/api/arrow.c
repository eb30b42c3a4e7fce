/*
 * arrow.c - weir_batch_to_arrow: a batch as one Arrow struct array per the Arrow C Data Interface.
 *
 * WVec already has Arrow's layout (validity bitmaps LSB first, fixed-width values, BOOLEAN values
 * bit-packed, STRING as int32 offsets + bytes, STRUCT children of the same length), so the export only
 * points at its buffers. Every ArrowArray node (root and each child) holds its own reference on the
 * batch, because the specification lets a consumer move a child out and release it on its own; the
 * ArrowSchema copies its names and needs nothing from the batch. Each node's release releases its
 * children still owned, frees the node and drops the reference.
 */
#include <stdlib.h>
#include <string.h>

#include "api/batch_int.h"
#include "api/batch_priv.h"

/* Stands in for the buffers a zero-length vector never allocated: Arrow wants non-NULL data buffers,
 * and a STRING array of length 0 still has one offset (0). */
static const int64_t empty_buffer[2];

typedef struct ArrayNode {
    const weir_batch *batch;         /* the reference this node holds */
    const void *buffers[3];
    struct ArrowArray **child_ptrs;
    struct ArrowArray *child_arrays;
} ArrayNode;

typedef struct SchemaNode {
    char *name;
    struct ArrowSchema **child_ptrs;
    struct ArrowSchema *child_schemas;
} SchemaNode;

static const char *arrow_format(WTypeId id) {
    switch (id) {
    case WT_BOOLEAN: return "b";
    case WT_INT: return "i";
    case WT_BIGINT: return "l";
    case WT_DOUBLE: return "g";
    case WT_STRING: return "u";
    case WT_DATE: return "tdD";
    case WT_TIMESTAMP: return "tsu:UTC";
    case WT_STRUCT: return "+s";
    case WT_NULL: break;
    }
    return "n";
}

static const void *or_empty(const void *p) { return p ? p : (const void *)empty_buffer; }

static void array_release(struct ArrowArray *a) {
    ArrayNode *n = a->private_data;
    for (int64_t i = 0; i < a->n_children; i++)
        if (a->children[i]->release) a->children[i]->release(a->children[i]);
    free(n->child_arrays);
    free(n->child_ptrs);
    weir_batch_release(n->batch);
    free(n);
    a->release = NULL;
}

static int export_array(const weir_batch *batch, const weir_column *c, struct ArrowArray *out) {
    const WVec *v = c->vec;
    memset(out, 0, sizeof *out);
    ArrayNode *n = calloc(1, sizeof *n);
    if (!n) return WEIR_NOMEM;
    n->batch = weir_batch_retain(batch);
    out->length = v->len;
    out->null_count = v->null_count;
    out->offset = 0;
    /* The validity bitmap may be NULL when there are no NULLs (the spec allows it). */
    n->buffers[0] = v->null_count ? v->validity : NULL;
    switch (v->type->id) {
    case WT_STRUCT: out->n_buffers = 1; break;
    case WT_STRING:
        out->n_buffers = 3;
        n->buffers[1] = or_empty(v->offsets);
        n->buffers[2] = or_empty(v->chars);
        break;
    default:
        out->n_buffers = 2;
        n->buffers[1] = or_empty(v->values);
        break;
    }
    out->buffers = n->buffers;
    out->private_data = n;
    out->release = array_release;
    if (c->n_children > 0) {
        n->child_arrays = calloc((size_t)c->n_children, sizeof *n->child_arrays);
        n->child_ptrs = calloc((size_t)c->n_children, sizeof *n->child_ptrs);
        if (!n->child_arrays || !n->child_ptrs) {
            array_release(out);
            return WEIR_NOMEM;
        }
        out->children = n->child_ptrs;
        for (int i = 0; i < c->n_children; i++) {
            n->child_ptrs[i] = &n->child_arrays[i];
            int rc = export_array(batch, &c->children[i], &n->child_arrays[i]);
            out->n_children = i + 1; /* the failed child has release NULL: skipped by array_release */
            if (rc) {
                array_release(out);
                return rc;
            }
        }
    }
    return WEIR_OK;
}

static void schema_release(struct ArrowSchema *s) {
    SchemaNode *n = s->private_data;
    for (int64_t i = 0; i < s->n_children; i++)
        if (s->children[i]->release) s->children[i]->release(s->children[i]);
    free(n->child_schemas);
    free(n->child_ptrs);
    free(n->name);
    free(n);
    s->release = NULL;
}

static int export_schema(const weir_column *c, struct ArrowSchema *out) {
    memset(out, 0, sizeof *out);
    SchemaNode *n = calloc(1, sizeof *n);
    if (!n) return WEIR_NOMEM;
    n->name = strdup(c->name);
    out->format = arrow_format(c->vec->type->id);
    out->name = n->name;
    out->flags = ARROW_FLAG_NULLABLE;
    out->private_data = n;
    out->release = schema_release;
    if (!n->name) {
        schema_release(out);
        return WEIR_NOMEM;
    }
    if (c->n_children > 0) {
        n->child_schemas = calloc((size_t)c->n_children, sizeof *n->child_schemas);
        n->child_ptrs = calloc((size_t)c->n_children, sizeof *n->child_ptrs);
        if (!n->child_schemas || !n->child_ptrs) {
            schema_release(out);
            return WEIR_NOMEM;
        }
        out->children = n->child_ptrs;
        for (int i = 0; i < c->n_children; i++) {
            n->child_ptrs[i] = &n->child_schemas[i];
            int rc = export_schema(&c->children[i], &n->child_schemas[i]);
            out->n_children = i + 1;
            if (rc) {
                schema_release(out);
                return rc;
            }
        }
    }
    return WEIR_OK;
}

int weir_batch_to_arrow(const weir_batch *batch, struct ArrowArray *out_array, struct ArrowSchema *out_schema) {
    if (!batch || !out_array || !out_schema) return WEIR_MISUSE;
    int rc = export_schema(&batch->root, out_schema);
    if (rc) return rc;
    rc = export_array(batch, &batch->root, out_array);
    if (rc) {
        out_schema->release(out_schema);
        return rc;
    }
    return WEIR_OK;
}
