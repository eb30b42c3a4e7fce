/*
 * print.c - SQL text from the syntax tree: the canonical form tests compare, and Spark's default names
 * of unaliased select items (see parse.h).
 */
#include <stdio.h>
#include <string.h>

#include "core/num.h"
#include "sql/parse.h"

static int needs_quote(const char *s) {
    if (wsql_needs_backquotes(s)) return 1;
    if (!*s || !((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || *s == '_')) return 1;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') || *s == '_')) return 1;
    return 0;
}

static int put_name(WBuf *b, const char *n, WSqlPrintMode m) {
    if (m == WSQL_PRINT_NAME || !needs_quote(n)) return wbuf_puts(b, n);
    int rc = wbuf_putc(b, '`');
    for (const char *c = n; *c && !rc; c++) rc = *c == '`' ? wbuf_puts(b, "``") : wbuf_putc(b, *c);
    return rc ? rc : wbuf_putc(b, '`');
}

static int put_string(WBuf *b, const char *s, size_t n) {
    int rc = wbuf_putc(b, '\'');
    for (size_t i = 0; i < n && !rc; i++) {
        char c = s[i];
        if (c == '\'') rc = wbuf_puts(b, "\\'");
        else if (c == '\\') rc = wbuf_puts(b, "\\\\");
        else if (c == '\n') rc = wbuf_puts(b, "\\n");
        else rc = wbuf_putc(b, c);
    }
    return rc ? rc : wbuf_putc(b, '\'');
}

/* 1 when k reads back as words joined by dots (maxFilesPerTrigger, spark.sql.session.timeZone). */
static int name_is_words(const char *k) {
    int bare = *k != 0;
    for (const char *seg = k; bare && *seg;) {
        const char *e = seg;
        while (*e && *e != '.') e++;
        bare = e > seg && !((*seg >= '0' && *seg <= '9'));
        for (const char *c = seg; bare && c < e; c++)
            bare = (*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') || *c == '_';
        if (!*e) break;
        seg = e + 1;
        if (!*seg) bare = 0;
    }
    return bare;
}

/* An option name: bare when it is words joined by dots, else quoted. */
static int put_option_key(WBuf *b, const char *k) {
    return name_is_words(k) ? wbuf_puts(b, k) : put_string(b, k, strlen(k));
}

static int put_interval(WBuf *b, int32_t months, int64_t micros) {
    int rc = wbuf_puts(b, "INTERVAL '");
    int first = 1;
    if (months) {
        rc = rc ? rc : wbuf_printf(b, "%d months", months);
        first = 0;
    }
    if (micros || first) {
        uint64_t u = micros < 0 ? (uint64_t)0 - (uint64_t)micros : (uint64_t)micros;
        uint64_t secs = u / 1000000, frac = u % 1000000;
        if (!first) rc = rc ? rc : wbuf_putc(b, ' ');
        if (frac) {
            char f[8];
            snprintf(f, sizeof f, "%06u", (unsigned)frac);
            size_t fl = strlen(f);
            while (fl > 0 && f[fl - 1] == '0') f[--fl] = 0;
            rc = rc ? rc : wbuf_printf(b, "%s%llu.%s seconds", micros < 0 ? "-" : "", (unsigned long long)secs, f);
        } else {
            rc = rc ? rc : wbuf_printf(b, "%s%llu seconds", micros < 0 ? "-" : "", (unsigned long long)secs);
        }
    }
    return rc ? rc : wbuf_putc(b, '\'');
}

static int put_type(WBuf *b, const WType *t) {
    static const char *const N[] = {"VOID", "BOOLEAN", "INT", "BIGINT", "DOUBLE", "STRING", "DATE", "TIMESTAMP", "STRUCT"};
    if (t->id != WT_STRUCT) return wbuf_puts(b, N[t->id]);
    int rc = wbuf_puts(b, "STRUCT<");
    for (int i = 0; i < t->n_fields && !rc; i++) {
        if (i) rc = wbuf_puts(b, ", ");
        rc = rc ? rc : put_name(b, t->fields[i].name, WSQL_PRINT_SQL);
        rc = rc ? rc : wbuf_puts(b, ": ");
        rc = rc ? rc : put_type(b, &t->fields[i].type);
    }
    return rc ? rc : wbuf_putc(b, '>');
}

static const char *op_text(WOp o) {
    switch (o) {
    case WOP_ADD: return "+";
    case WOP_SUB: return "-";
    case WOP_MUL: return "*";
    case WOP_DIV: return "/";
    case WOP_MOD: return "%";
    case WOP_INTDIV: return "div";
    case WOP_CONCAT: return "||";
    case WOP_EQ: return "=";
    case WOP_NSEQ: return "<=>";
    case WOP_NE: return "!=";
    case WOP_LT: return "<";
    case WOP_LE: return "<=";
    case WOP_GT: return ">";
    case WOP_GE: return ">=";
    case WOP_AND: return "AND";
    case WOP_OR: return "OR";
    default: return "?";
    }
}

static int list(const WExpr *const *k, int n, WSqlPrintMode m, WBuf *b) {
    int rc = WEIR_OK;
    for (int i = 0; i < n && !rc; i++) {
        if (i) rc = wbuf_puts(b, ", ");
        rc = rc ? rc : wsql_print_expr(k[i], m, b);
    }
    return rc;
}

int wsql_print_expr(const WExpr *e, WSqlPrintMode m, WBuf *b) {
    int rc = WEIR_OK;
    const WExpr *const *k = (const WExpr *const *)e->kids;
    switch (e->kind) {
    case WX_NULL: return wbuf_puts(b, "NULL");
    case WX_BOOL: return wbuf_puts(b, e->ival ? "true" : "false");
    case WX_INT: return wbuf_printf(b, "%lld%s", (long long)e->ival, e->big && m == WSQL_PRINT_SQL ? "L" : "");
    case WX_DOUBLE:
        if (e->raw) return wbuf_puts(b, e->raw);
        {
            char t[WNUM_DOUBLE_MAX];
            wnum_format_double(e->dval, t);
            return wbuf_puts(b, t);
        }
    case WX_STRING:
        if (m == WSQL_PRINT_NAME) return wbuf_append(b, e->str, e->str_len);
        return put_string(b, e->str, e->str_len);
    case WX_TYPED:
        rc = wbuf_puts(b, e->lit_type == WT_DATE ? "DATE " : "TIMESTAMP ");
        return rc ? rc : put_string(b, e->str, e->str_len);
    case WX_INTERVAL: return put_interval(b, e->months, e->micros);
    case WX_COLUMN:
    case WX_STAR:
        for (int i = 0; i < e->n_names && !rc; i++) {
            if (i) rc = wbuf_putc(b, '.');
            rc = rc ? rc : put_name(b, e->names[i], m);
        }
        if (e->kind == WX_STAR) rc = rc ? rc : wbuf_puts(b, e->n_names ? ".*" : "*");
        return rc;
    case WX_UNARY:
        switch (e->op) {
        case WOP_NEG: rc = wbuf_puts(b, "(- "); break;
        case WOP_POS: rc = wbuf_puts(b, "(+ "); break;
        case WOP_NOT: rc = wbuf_puts(b, "(NOT "); break;
        default: rc = wbuf_puts(b, "(~ "); break;
        }
        rc = rc ? rc : wsql_print_expr(k[0], m, b);
        return rc ? rc : wbuf_putc(b, ')');
    case WX_BINARY:
        if (m == WSQL_PRINT_NAME && e->op == WOP_CONCAT) {
            rc = wbuf_puts(b, "concat(");
            rc = rc ? rc : list(k, 2, m, b);
            return rc ? rc : wbuf_putc(b, ')');
        }
        if (m == WSQL_PRINT_NAME && e->op == WOP_NE) { /* Spark rewrites a != b as NOT (a = b) */
            rc = wbuf_puts(b, "(NOT (");
            rc = rc ? rc : wsql_print_expr(k[0], m, b);
            rc = rc ? rc : wbuf_puts(b, " = ");
            rc = rc ? rc : wsql_print_expr(k[1], m, b);
            return rc ? rc : wbuf_puts(b, "))");
        }
        rc = wbuf_putc(b, '(');
        rc = rc ? rc : wsql_print_expr(k[0], m, b);
        rc = rc ? rc : wbuf_printf(b, " %s ", op_text(e->op));
        rc = rc ? rc : wsql_print_expr(k[1], m, b);
        return rc ? rc : wbuf_putc(b, ')');
    case WX_IS_NULL:
        rc = wbuf_putc(b, '(');
        rc = rc ? rc : wsql_print_expr(k[0], m, b);
        rc = rc ? rc : wbuf_puts(b, e->negated ? " IS NOT NULL)" : " IS NULL)");
        return rc;
    case WX_IN:
        rc = wbuf_puts(b, e->negated ? "(NOT (" : "(");
        rc = rc ? rc : wsql_print_expr(k[0], m, b);
        rc = rc ? rc : wbuf_puts(b, " IN (");
        rc = rc ? rc : list(k + 1, e->n_kids - 1, m, b);
        return rc ? rc : wbuf_puts(b, e->negated ? ")))" : "))");
    case WX_BETWEEN:
        rc = wbuf_puts(b, e->negated ? "(NOT (" : "(");
        rc = rc ? rc : wsql_print_expr(k[0], m, b);
        rc = rc ? rc : wbuf_puts(b, " BETWEEN ");
        rc = rc ? rc : wsql_print_expr(k[1], m, b);
        rc = rc ? rc : wbuf_puts(b, " AND ");
        rc = rc ? rc : wsql_print_expr(k[2], m, b);
        return rc ? rc : wbuf_puts(b, e->negated ? "))" : ")");
    case WX_LIKE:
        if (e->negated) rc = wbuf_puts(b, m == WSQL_PRINT_SQL ? "(NOT (" : "(NOT ");
        else if (m == WSQL_PRINT_SQL) rc = wbuf_putc(b, '(');
        rc = rc ? rc : wsql_print_expr(k[0], m, b);
        rc = rc ? rc : wbuf_puts(b, " LIKE ");
        rc = rc ? rc : wsql_print_expr(k[1], m, b);
        if (e->escape != '\\') rc = rc ? rc : wbuf_printf(b, " ESCAPE '%c'", e->escape);
        if (e->negated && m == WSQL_PRINT_SQL) rc = rc ? rc : wbuf_putc(b, ')');
        if (e->negated || m == WSQL_PRINT_SQL) rc = rc ? rc : wbuf_putc(b, ')');
        return rc;
    case WX_CASE: {
        rc = wbuf_puts(b, "CASE");
        int i = 0;
        if (e->has_operand) {
            rc = rc ? rc : wbuf_putc(b, ' ');
            rc = rc ? rc : wsql_print_expr(k[0], m, b);
            i = 1;
        }
        int pairs_end = e->n_kids - (e->has_else ? 1 : 0);
        for (; i + 1 < pairs_end + 1 && i < pairs_end; i += 2) {
            rc = rc ? rc : wbuf_puts(b, " WHEN ");
            rc = rc ? rc : wsql_print_expr(k[i], m, b);
            rc = rc ? rc : wbuf_puts(b, " THEN ");
            rc = rc ? rc : wsql_print_expr(k[i + 1], m, b);
        }
        if (e->has_else) {
            rc = rc ? rc : wbuf_puts(b, " ELSE ");
            rc = rc ? rc : wsql_print_expr(k[e->n_kids - 1], m, b);
        }
        return rc ? rc : wbuf_puts(b, " END");
    }
    case WX_CAST:
        rc = wbuf_puts(b, "CAST(");
        rc = rc ? rc : wsql_print_expr(k[0], m, b);
        rc = rc ? rc : wbuf_puts(b, " AS ");
        rc = rc ? rc : put_type(b, e->cast_type);
        return rc ? rc : wbuf_putc(b, ')');
    case WX_FUNC:
        rc = wbuf_printf(b, "%s(", e->str);
        if (e->star) rc = rc ? rc : wbuf_puts(b, m == WSQL_PRINT_NAME ? "1" : "*");
        if (e->distinct) rc = rc ? rc : wbuf_puts(b, "DISTINCT ");
        rc = rc ? rc : list(k, e->n_kids, m, b);
        return rc ? rc : wbuf_putc(b, ')');
    case WX_FIELD: {
        /* (expr).field: a literal or operator needs its parentheses back to read as the same tree */
        int paren = m == WSQL_PRINT_SQL && k[0]->kind != WX_FUNC && k[0]->kind != WX_FIELD && k[0]->kind != WX_CASE &&
                    k[0]->kind != WX_CAST;
        if (paren) rc = wbuf_putc(b, '(');
        rc = rc ? rc : wsql_print_expr(k[0], m, b);
        if (paren) rc = rc ? rc : wbuf_putc(b, ')');
        rc = rc ? rc : wbuf_putc(b, '.');
        return rc ? rc : put_name(b, e->str, m);
    }
    }
    return rc;
}

static int print_select(const WSqlSelect *s, WBuf *b) {
    int rc = wbuf_puts(b, s->distinct ? "SELECT DISTINCT " : "SELECT ");
    for (int i = 0; i < s->n_items && !rc; i++) {
        if (i) rc = wbuf_puts(b, ", ");
        rc = rc ? rc : wsql_print_expr(s->items[i].expr, WSQL_PRINT_SQL, b);
        if (s->items[i].alias) {
            rc = rc ? rc : wbuf_puts(b, " AS ");
            rc = rc ? rc : put_name(b, s->items[i].alias, WSQL_PRINT_SQL);
        }
    }
    rc = rc ? rc : wbuf_puts(b, " FROM ");
    if (s->from_stream) rc = rc ? rc : wbuf_puts(b, "STREAM(");
    rc = rc ? rc : put_name(b, s->from, WSQL_PRINT_SQL);
    if (s->from_stream) rc = rc ? rc : wbuf_putc(b, ')');
    if (s->from_alias) {
        rc = rc ? rc : wbuf_puts(b, " AS ");
        rc = rc ? rc : put_name(b, s->from_alias, WSQL_PRINT_SQL);
    }
    if (s->wm_expr) {
        rc = rc ? rc : wbuf_puts(b, " WATERMARK ");
        rc = rc ? rc : wsql_print_expr(s->wm_expr, WSQL_PRINT_SQL, b);
        if (s->wm_name) {
            rc = rc ? rc : wbuf_puts(b, " AS ");
            rc = rc ? rc : put_name(b, s->wm_name, WSQL_PRINT_SQL);
        }
        rc = rc ? rc : wbuf_puts(b, " DELAY OF ");
        rc = rc ? rc : wsql_print_expr(s->wm_delay, WSQL_PRINT_SQL, b);
    }
    if (s->where) {
        rc = rc ? rc : wbuf_puts(b, " WHERE ");
        rc = rc ? rc : wsql_print_expr(s->where, WSQL_PRINT_SQL, b);
    }
    if (s->n_group_by) {
        rc = rc ? rc : wbuf_puts(b, " GROUP BY ");
        rc = rc ? rc : list((const WExpr *const *)s->group_by, s->n_group_by, WSQL_PRINT_SQL, b);
    }
    if (s->having) {
        rc = rc ? rc : wbuf_puts(b, " HAVING ");
        rc = rc ? rc : wsql_print_expr(s->having, WSQL_PRINT_SQL, b);
    }
    return rc;
}

int wsql_print_stmt(const WSqlStmt *s, WBuf *b) {
    int rc = WEIR_OK;
    switch (s->kind) {
    case WSTMT_CREATE:
        rc = wbuf_puts(b, s->if_not_exists ? "CREATE TABLE IF NOT EXISTS " : "CREATE TABLE ");
        rc = rc ? rc : put_name(b, s->name, WSQL_PRINT_SQL);
        if (s->schema) {
            rc = rc ? rc : wbuf_puts(b, " (");
            for (int i = 0; i < s->schema->n_fields && !rc; i++) {
                if (i) rc = wbuf_puts(b, ", ");
                rc = rc ? rc : put_name(b, s->schema->fields[i].name, WSQL_PRINT_SQL);
                rc = rc ? rc : wbuf_putc(b, ' ');
                rc = rc ? rc : put_type(b, &s->schema->fields[i].type);
            }
            rc = rc ? rc : wbuf_putc(b, ')');
        }
        rc = rc ? rc : wbuf_printf(b, " USING %s", s->using_fmt);
        if (s->n_options) {
            rc = rc ? rc : wbuf_puts(b, " OPTIONS (");
            for (int i = 0; i < s->n_options && !rc; i++) {
                if (i) rc = wbuf_puts(b, ", ");
                rc = rc ? rc : put_option_key(b, s->options[i].key);
                rc = rc ? rc : wbuf_putc(b, ' ');
                rc = rc ? rc : put_string(b, s->options[i].value, strlen(s->options[i].value));
            }
            rc = rc ? rc : wbuf_putc(b, ')');
        }
        return rc;
    case WSTMT_SET:
        rc = wbuf_puts(b, "SET ");
        rc = rc ? rc : (name_is_words(s->name) ? wbuf_puts(b, s->name) : put_name(b, s->name, WSQL_PRINT_SQL));
        rc = rc ? rc : wbuf_puts(b, " = ");
        return rc ? rc : put_string(b, s->value, strlen(s->value));
    case WSTMT_INSERT:
        rc = wbuf_puts(b, "INSERT INTO ");
        rc = rc ? rc : put_name(b, s->name, WSQL_PRINT_SQL);
        rc = rc ? rc : wbuf_putc(b, ' ');
        return rc ? rc : print_select(s->select, b);
    case WSTMT_SELECT: return print_select(s->select, b);
    }
    return rc;
}
