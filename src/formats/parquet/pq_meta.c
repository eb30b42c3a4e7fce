/*
 * pq_meta.c - decodes a Parquet footer (FileMetaData) into PqMeta and maps the Parquet schema onto
 * weir's types, for pq_reader.c.
 *
 * Only what weir can represent is accepted: groups become STRUCTs, and leaves of the physical and
 * logical types listed in parquet.h (plus INT96 and FLOAT, INT8/16 and UINT8/16/32 integers, and
 * TIMESTAMP in MILLIS or NANOS, which convert losslessly or by documented truncation to weir's
 * microseconds). Repeated fields, lists, maps, decimals, fixed-length byte arrays and the rest are
 * reported as "unsupported: ..." naming the column. Every index read from the file is checked.
 */
#include "formats/parquet/pq_int.h"

#include <stdlib.h>
#include <string.h>

#include "weir.h"

static int corrupt(WErr *err, const char *path, const char *what) {
    return werr_set(err, WEIR_CORRUPT, path, -1, -1, -1, "corrupt parquet footer: %s", what);
}

void wpq_meta_free(PqMeta *m) {
    if (!m) return;
    for (int g = 0; g < m->n_rgs; g++) free(m->rgs[g].cols);
    free(m->rgs);
    free(m->leaves);
    wtype_fini(&m->schema);
    wtr_free(&m->doc);
    memset(m, 0, sizeof *m);
}

static void copy_name(char *dst, size_t cap, const WTVal *v) {
    size_t n = v && v->type == TC_BINARY ? v->n : 0;
    if (n >= cap) n = cap - 1;
    if (n) memcpy(dst, v->bin, n);
    dst[n] = 0;
}

/* Walks schema elements from *i (the element of `parent_name`'s children), adding fields to st. */
static int map_group(PqMeta *m, const WTVal *elems, uint32_t n_elems, uint32_t *i, int64_t n_children, WType *st,
                     int depth, int def, int *def_at, int *child_path, const char *path, WErr *err) {
    if (depth >= PQ_META_MAX_DEPTH) return werr_set(err, WEIR_UNSUPPORTED, path, -1, -1, -1, "unsupported: schema nested deeper than %d", PQ_META_MAX_DEPTH);
    for (int64_t c = 0; c < n_children; c++) {
        if (*i >= n_elems) return corrupt(err, path, "schema has fewer elements than num_children says");
        const WTVal *e = &elems[*i];
        (*i)++;
        char name[256];
        copy_name(name, sizeof name, wtr_field(e, 4));
        int64_t rep = PQ_REQUIRED, nc = 0, type = -1, ct = -1, tl = 0;
        wtr_get_i64(e, 3, &rep);
        int is_group = wtr_get_i64(e, 5, &nc) && nc > 0;
        int has_type = wtr_get_i64(e, 1, &type);
        wtr_get_i64(e, 6, &ct);
        wtr_get_i64(e, 2, &tl);
        const WTVal *lt = wtr_field(e, 10);
        if (rep == PQ_REPEATED)
            return werr_set(err, WEIR_UNSUPPORTED, path, -1, -1, -1, "unsupported: repeated field '%s' (lists and maps)", name);
        if (ct == 1 || ct == 2 || ct == 3 || wtr_field(lt, 2) || wtr_field(lt, 3))
            return werr_set(err, WEIR_UNSUPPORTED, path, -1, -1, -1, "unsupported: list or map column '%s'", name);
        int d = def + (rep == PQ_OPTIONAL);
        def_at[depth] = d;
        child_path[depth] = st->n_fields;
        WType ft;
        memset(&ft, 0, sizeof ft);
        if (is_group) {
            ft.id = WT_STRUCT;
            if (nc > (int64_t)n_elems) return corrupt(err, path, "num_children too large");
            int rc = map_group(m, elems, n_elems, i, nc, &ft, depth + 1, d, def_at, child_path, path, err);
            if (rc) {
                wtype_fini(&ft);
                return rc;
            }
        } else {
            if (!has_type) return corrupt(err, path, "leaf without a type");
            PqLeafInfo li;
            memset(&li, 0, sizeof li);
            li.phys = (int)type;
            li.max_def = d;
            li.depth = depth + 1;
            for (int k = 0; k <= depth; k++) {
                li.def_at[k] = def_at[k];
                li.child_path[k] = child_path[k];
            }
            li.type_length = (int)tl;
            const WTVal *ts = wtr_field(lt, 8), *it = wtr_field(lt, 10);
            const char *why = NULL;
            if (wtr_field(lt, 5) || ct == 5) why = "decimal";
            switch (type) {
            case PQ_BOOLEAN: ft.id = WT_BOOLEAN; break;
            case PQ_INT32:
                if (wtr_field(lt, 6) || ct == PQ_CT_DATE) ft.id = WT_DATE;
                else if (wtr_field(lt, 7) || ct == 7) why = "TIME";
                else if ((ct >= 11 && ct <= 13) || (it && wtr_field(it, 2) && !wtr_field(it, 2)->i)) {
                    /* UINT_8/16 fit weir's INT; UINT_32 needs BIGINT */
                    int64_t bw = ct == 11 ? 8 : ct == 12 ? 16 : 32;
                    if (it) wtr_get_i64(it, 1, &bw);
                    ft.id = bw >= 32 ? WT_BIGINT : WT_INT;
                    li.unsigned32 = 1;
                } else ft.id = WT_INT;
                break;
            case PQ_INT64:
                if (ts || ct == PQ_CT_TIMESTAMP_MICROS || ct == PQ_CT_TIMESTAMP_MILLIS) {
                    ft.id = WT_TIMESTAMP;
                    li.ts_unit = 1;
                    const WTVal *u = wtr_field(ts, 2);
                    if (wtr_field(u, 1) || ct == PQ_CT_TIMESTAMP_MILLIS) li.ts_unit = 0;
                    if (wtr_field(u, 3)) li.ts_unit = 2;
                } else if (wtr_field(lt, 7) || ct == 8) why = "TIME";
                else if (ct == 14 || (it && wtr_field(it, 2) && !wtr_field(it, 2)->i)) why = "unsigned 64-bit integer";
                else ft.id = WT_BIGINT;
                break;
            case PQ_INT96: ft.id = WT_TIMESTAMP; break;
            case PQ_FLOAT:
            case PQ_DOUBLE: ft.id = WT_DOUBLE; break;
            case PQ_BYTE_ARRAY:
                if (wtr_field(lt, 12) == NULL && wtr_field(lt, 13)) why = "BSON";
                else ft.id = WT_STRING;
                break;
            case PQ_FIXED: why = "FIXED_LEN_BYTE_ARRAY"; break;
            default: return corrupt(err, path, "unknown physical type");
            }
            if (lt && !why && !wtr_field(lt, 1) && !wtr_field(lt, 4) && !wtr_field(lt, 6) && !ts && !it &&
                !wtr_field(lt, 12) && !wtr_field(lt, 11))
                why = "logical type";
            if (why) return werr_set(err, WEIR_UNSUPPORTED, path, -1, -1, -1, "unsupported: %s column '%s'", why, name);
            PqLeafInfo *nl = realloc(m->leaves, sizeof *nl * (size_t)(m->n_leaves + 1));
            if (!nl) return werr_msg(err, WEIR_NOMEM, "out of memory");
            m->leaves = nl;
            m->leaves[m->n_leaves++] = li;
        }
        if (wtype_add_field(st, name, strlen(name), &ft)) {
            wtype_fini(&ft);
            return werr_msg(err, WEIR_NOMEM, "out of memory");
        }
        wtype_fini(&ft);
    }
    return WEIR_OK;
}

int wpq_meta_parse(const uint8_t *p, size_t n, const char *path, PqMeta *m, WErr *err) {
    memset(m, 0, sizeof *m);
    size_t used;
    int rc = wtr_decode(p, n, &m->doc, &used, "parquet footer", err);
    if (rc) return rc;
    const WTVal *root = &m->doc.root;
    if (!wtr_get_i64(root, 3, &m->num_rows) || m->num_rows < 0) return corrupt(err, path, "no num_rows");
    const WTVal *schema = wtr_field(root, 2);
    if (!schema || schema->type != TC_LIST || schema->n == 0 || schema->elem_type != TC_STRUCT)
        return corrupt(err, path, "no schema");
    if (wtr_field(root, 8)) return werr_set(err, WEIR_UNSUPPORTED, path, -1, -1, -1, "unsupported: encrypted file");
    int64_t nroot = 0;
    wtr_get_i64(&schema->kids[0], 5, &nroot);
    m->schema.id = WT_STRUCT;
    uint32_t i = 1;
    int def_at[PQ_META_MAX_DEPTH], child_path[PQ_META_MAX_DEPTH];
    if ((rc = map_group(m, schema->kids, schema->n, &i, nroot, &m->schema, 0, 0, def_at, child_path, path, err)))
        return rc;
    if (m->n_leaves == 0) return werr_set(err, WEIR_UNSUPPORTED, path, -1, -1, -1, "unsupported: a file without columns");
    const WTVal *cb = wtr_field(root, 6);
    if (cb && cb->type == TC_BINARY) {
        m->created_by = (const char *)cb->bin;
        m->created_by_len = cb->n;
    }
    m->kv = wtr_field(root, 5);
    const WTVal *rgs = wtr_field(root, 4);
    if (!rgs || rgs->type != TC_LIST) return corrupt(err, path, "no row groups");
    if (rgs->n && rgs->elem_type != TC_STRUCT) return corrupt(err, path, "bad row groups");
    m->rgs = calloc(rgs->n ? rgs->n : 1, sizeof *m->rgs);
    if (!m->rgs) return werr_msg(err, WEIR_NOMEM, "out of memory");
    m->n_rgs = (int)rgs->n;
    for (uint32_t g = 0; g < rgs->n; g++) {
        const WTVal *rg = &rgs->kids[g];
        PqRowGroup *r = &m->rgs[g];
        if (!wtr_get_i64(rg, 3, &r->num_rows) || r->num_rows < 0) return corrupt(err, path, "row group without num_rows");
        const WTVal *cols = wtr_field(rg, 1);
        if (!cols || cols->type != TC_LIST || (int)cols->n != m->n_leaves || (cols->n && cols->elem_type != TC_STRUCT))
            return corrupt(err, path, "row group column count differs from the schema");
        r->cols = calloc((size_t)m->n_leaves, sizeof *r->cols);
        if (!r->cols) return werr_msg(err, WEIR_NOMEM, "out of memory");
        for (int c = 0; c < m->n_leaves; c++) {
            PqChunk *ch = &r->cols[c];
            ch->raw = &cols->kids[c];
            const WTVal *md = wtr_field(&cols->kids[c], 3);
            if (!md) {
                if (wtr_field(&cols->kids[c], 1)) return werr_set(err, WEIR_UNSUPPORTED, path, -1, -1, -1, "unsupported: column chunk in another file");
                return corrupt(err, path, "column chunk without metadata");
            }
            ch->meta = md;
            int64_t type = -1, codec = -1;
            wtr_get_i64(md, 1, &type);
            if (type != m->leaves[c].phys) return corrupt(err, path, "column chunk type differs from the schema");
            if (!wtr_get_i64(md, 4, &codec)) return corrupt(err, path, "column chunk without codec");
            ch->codec = (int)codec;
            if (!wtr_get_i64(md, 5, &ch->num_values) || ch->num_values < 0) return corrupt(err, path, "column chunk without num_values");
            if (!wtr_get_i64(md, 7, &ch->comp_size) || ch->comp_size < 0) return corrupt(err, path, "column chunk without size");
            if (!wtr_get_i64(md, 9, &ch->data_off) || ch->data_off < 0) return corrupt(err, path, "column chunk without data_page_offset");
            ch->dict_off = -1;
            int64_t d;
            /* the chunk starts at its dictionary page when there is one; some writers put a bogus 0 in
             * either offset, so the smaller offset past the magic wins */
            if (wtr_get_i64(md, 11, &d) && d >= 4 && (d < ch->data_off || ch->data_off < 4)) ch->dict_off = d;
        }
    }
    return WEIR_OK;
}
