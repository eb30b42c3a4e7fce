/*
 * parse.c - recursive-descent parser for weir's Spark SQL dialect (see parse.h and GRAMMAR.md).
 *
 * Precedence, lowest first, as in Spark's SqlBase grammar:
 *   OR < AND < NOT < predicate (IS [NOT] NULL, [NOT] IN, [NOT] BETWEEN, [NOT] LIKE)
 *      < comparison (= == <=> != <> < <= > >=) < additive (+ - ||) < multiplicative (* / % DIV)
 *      < unary (- + ~) < postfix (.field) < primary
 * The parser keeps one current token; strings and quoted names are copied into the arena before the next
 * token is read, because the lexer reuses its text buffer.
 */
#include "sql/parse.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/num.h"
#include "sql/lex.h"

struct WTypeList {
    WType type;
    WTypeList *next;
};

#define MAX_DEPTH 200

typedef struct P {
    WLex L;
    WTok t;         /* current token */
    size_t prev_end;/* end offset of the token before t */
    WSqlScript *s;
    WErr *err;
    int depth;
} P;

static const char *const RESERVED[] = {
    "SELECT", "FROM", "WHERE", "GROUP", "BY", "HAVING", "ORDER", "LIMIT", "AS", "AND", "OR", "NOT", "IS",
    "NULL", "IN", "BETWEEN", "LIKE", "CASE", "WHEN", "THEN", "ELSE", "END", "CAST", "TRUE", "FALSE",
    "DISTINCT", "ALL", "UNION", "JOIN", "ON", "INSERT", "INTO", "CREATE", "TABLE", "USING", "OPTIONS",
    "WATERMARK", "DELAY", "ESCAPE", "INTERSECT", "EXCEPT", "INNER", "LEFT", "RIGHT", "FULL", "CROSS",
    "SET", NULL};

int wsql_needs_backquotes(const char *w) {
    static const char *const SPECIAL[] = {"INTERVAL", "TIMESTAMP", "TIMESTAMP_LTZ", "DATE", "TRY_CAST", "DIV",
                                          "STREAM", "RLIKE", "OVERWRITE", NULL};
    for (int i = 0; RESERVED[i]; i++)
        if (!strcasecmp(w, RESERVED[i])) return 1;
    for (int i = 0; SPECIAL[i]; i++)
        if (!strcasecmp(w, SPECIAL[i])) return 1;
    return 0;
}

static int is_reserved(const WTok *t) {
    if (t->kind != WTK_IDENT) return 0;
    for (int i = 0; RESERVED[i]; i++)
        if (wlex_is_kw(t, RESERVED[i])) return 1;
    return 0;
}

/* Edit distance of at most 2 (insert, delete, substitute, swap), ASCII case ignored. */
static int close_words(const char *a, size_t an, const char *b, size_t bn) {
    if (an > 20 || bn > 20 || (an > bn ? an - bn : bn - an) > 2) return 0;
    int d[21][21];
    for (size_t i = 0; i <= an; i++) d[i][0] = (int)i;
    for (size_t j = 0; j <= bn; j++) d[0][j] = (int)j;
    for (size_t i = 1; i <= an; i++)
        for (size_t j = 1; j <= bn; j++) {
            int cost = tolower((unsigned char)a[i - 1]) != tolower((unsigned char)b[j - 1]);
            int v = d[i - 1][j] + 1;
            if (d[i][j - 1] + 1 < v) v = d[i][j - 1] + 1;
            if (d[i - 1][j - 1] + cost < v) v = d[i - 1][j - 1] + cost;
            if (i > 1 && j > 1 && tolower((unsigned char)a[i - 1]) == tolower((unsigned char)b[j - 2]) &&
                tolower((unsigned char)a[i - 2]) == tolower((unsigned char)b[j - 1]) && d[i - 2][j - 2] + 1 < v)
                v = d[i - 2][j - 2] + 1;
            d[i][j] = v;
        }
    return d[an][bn] <= (an <= 4 ? 1 : 2);
}

/* The clause keyword a misspelt word after a select item most likely meant, or NULL. */
static const char *near_keyword(const char *w, size_t n) {
    static const char *const K[] = {"FROM", "WHERE", "GROUP", "HAVING", NULL};
    for (int i = 0; K[i]; i++)
        if (close_words(w, n, K[i], strlen(K[i]))) return K[i];
    return NULL;
}

static int advance(P *p) {
    p->prev_end = p->t.off + p->t.len;
    return wlex_next(&p->L, &p->t, p->err);
}

static int fail_found(P *p, const char *what) {
    if (p->t.kind == WTK_EOF)
        return wsql_error_at(p->err, p->L.src, p->L.len, p->t.off, "expected %s, found end of input", what);
    size_t n = p->t.len > 40 ? 40 : p->t.len;
    return wsql_error_at(p->err, p->L.src, p->L.len, p->t.off, "expected %s, found '%.*s'", what, (int)n,
                         p->L.src + p->t.off);
}

static int kw(P *p, const char *k) { return wlex_is_kw(&p->t, k); }
static int op(P *p, const char *o) { return wlex_is_op(&p->t, o); }

static int expect_kw(P *p, const char *k) {
    if (!kw(p, k)) return fail_found(p, k);
    return advance(p);
}

static int expect_op(P *p, const char *o) {
    if (!op(p, o)) {
        char what[8];
        snprintf(what, sizeof what, "'%s'", o);
        return fail_found(p, what);
    }
    return advance(p);
}

static WExpr *new_expr(P *p, WExprKind k, size_t off) {
    WExpr *e = warena_alloc(&p->s->arena, sizeof *e);
    if (!e) return NULL;
    memset(e, 0, sizeof *e);
    e->kind = k;
    e->off = off;
    e->escape = '\\';
    return e;
}

static char *dup(P *p, const char *s, size_t n) { return warena_strndup(&p->s->arena, s, n); }

/* A growable array of pointers built in heap memory, then moved to the arena. */
typedef struct PtrVec {
    void **a;
    int n, cap;
} PtrVec;

static int pv_push(PtrVec *v, void *x) {
    if (v->n == v->cap) {
        int nc = v->cap ? v->cap * 2 : 4;
        void **na = realloc(v->a, sizeof *na * (size_t)nc);
        if (!na) return WEIR_NOMEM;
        v->a = na;
        v->cap = nc;
    }
    v->a[v->n++] = x;
    return WEIR_OK;
}

static void **pv_finish(P *p, PtrVec *v) {
    void **out = warena_alloc(&p->s->arena, sizeof *out * (size_t)(v->n ? v->n : 1));
    if (out && v->n) memcpy(out, v->a, sizeof *out * (size_t)v->n);
    free(v->a);
    v->a = NULL;
    return out;
}

static WType *new_type(P *p) {
    WTypeList *n = calloc(1, sizeof *n);
    if (!n) return NULL;
    n->next = p->s->types;
    p->s->types = n;
    return &n->type;
}

/* Name after the token: IDENT (not reserved when `strict`) or `quoted`. */
static int read_name(P *p, const char *what, const char **out, int strict) {
    if (p->t.kind == WTK_QIDENT || (p->t.kind == WTK_IDENT && !(strict && is_reserved(&p->t)))) {
        *out = dup(p, p->t.text, p->t.text_len);
        if (!*out) return WEIR_NOMEM;
        return advance(p);
    }
    return fail_found(p, what);
}

/* ---- intervals ---- */

static int unit_micros(const char *u, size_t n, int64_t *us, int32_t *months) {
    static const struct { const char *name; int64_t us; int32_t months; } U[] = {
        {"year", 0, 12}, {"years", 0, 12}, {"y", 0, 12}, {"month", 0, 1}, {"months", 0, 1}, {"mon", 0, 1},
        {"week", 604800000000LL, 0}, {"weeks", 604800000000LL, 0}, {"w", 604800000000LL, 0},
        {"day", 86400000000LL, 0}, {"days", 86400000000LL, 0}, {"d", 86400000000LL, 0},
        {"hour", 3600000000LL, 0}, {"hours", 3600000000LL, 0}, {"h", 3600000000LL, 0},
        {"minute", 60000000LL, 0}, {"minutes", 60000000LL, 0}, {"min", 60000000LL, 0}, {"m", 60000000LL, 0},
        {"second", 1000000LL, 0}, {"seconds", 1000000LL, 0}, {"sec", 1000000LL, 0}, {"s", 1000000LL, 0},
        {"millisecond", 1000LL, 0}, {"milliseconds", 1000LL, 0}, {"ms", 1000LL, 0},
        {"microsecond", 1LL, 0}, {"microseconds", 1LL, 0}, {"us", 1LL, 0}};
    for (size_t i = 0; i < sizeof U / sizeof U[0]; i++)
        if (strlen(U[i].name) == n && !strncasecmp(U[i].name, u, n)) {
            *us = U[i].us;
            *months = U[i].months;
            return 1;
        }
    return 0;
}

/* Adds value (text of a decimal number, optional sign) times one unit to *months / *micros. */
static int add_interval(const char *v, size_t vn, const char *u, size_t un, int32_t *months, int64_t *micros) {
    int64_t uus;
    int32_t umo;
    if (!unit_micros(u, un, &uus, &umo)) return WEIR_PARSE;
    size_t i = 0;
    int neg = 0;
    if (i < vn && (v[i] == '-' || v[i] == '+')) neg = v[i++] == '-';
    if (i >= vn) return WEIR_PARSE;
    int64_t ip = 0;
    int digits = 0;
    while (i < vn && isdigit((unsigned char)v[i])) {
        if (ip > 1000000000000LL) return WEIR_PARSE;
        ip = ip * 10 + (v[i++] - '0');
        digits++;
    }
    int64_t frac_us = 0; /* fraction of one unit, in units of 1e-9 */
    if (i < vn && v[i] == '.') {
        i++;
        int64_t scale = 100000000;
        while (i < vn && isdigit((unsigned char)v[i])) {
            frac_us += (v[i++] - '0') * scale;
            scale /= 10;
            digits++;
        }
        if (umo && frac_us) return WEIR_PARSE; /* fractional months are not intervals Spark accepts */
    }
    if (i != vn || !digits) return WEIR_PARSE;
    if (umo) {
        int64_t m = ip * umo;
        if (m > 1000000000) return WEIR_PARSE;
        *months += (int32_t)(neg ? -m : m);
    } else {
        if (uus && ip > INT64_MAX / uus / 2) return WEIR_PARSE;
        int64_t us = ip * uus + (int64_t)((__int128)frac_us * uus / 1000000000);
        *micros += neg ? -us : us;
    }
    return WEIR_OK;
}

int wsql_parse_interval(const char *s, size_t n, int32_t *out_months, int64_t *out_micros) {
    int32_t months = 0;
    int64_t micros = 0;
    size_t i = 0;
    int pairs = 0;
    while (i < n && isspace((unsigned char)s[i])) i++;
    if (n - i >= 8 && !strncasecmp(s + i, "interval", 8) && (n - i == 8 || isspace((unsigned char)s[i + 8]))) i += 8;
    for (;;) {
        while (i < n && isspace((unsigned char)s[i])) i++;
        if (i >= n) break;
        size_t v0 = i;
        if (s[i] == '-' || s[i] == '+') i++;
        while (i < n && (isdigit((unsigned char)s[i]) || s[i] == '.')) i++;
        size_t v1 = i;
        while (i < n && isspace((unsigned char)s[i])) i++;
        size_t u0 = i;
        while (i < n && isalpha((unsigned char)s[i])) i++;
        if (u0 == i || v0 == v1) return WEIR_PARSE;
        if (add_interval(s + v0, v1 - v0, s + u0, i - u0, &months, &micros)) return WEIR_PARSE;
        pairs++;
    }
    if (!pairs) return WEIR_PARSE;
    *out_months = months;
    *out_micros = micros;
    return WEIR_OK;
}

/* ---- expressions ---- */

static int parse_expr(P *p, WExpr **out);
static int parse_additive(P *p, WExpr **out);
static int fix_height(P *p, WExpr *e);

static int enter(P *p) {
    if (++p->depth > MAX_DEPTH)
        return wsql_error_at(p->err, p->L.src, p->L.len, p->t.off, "expression nested too deeply (over %d levels)",
                             MAX_DEPTH);
    return WEIR_OK;
}

/* Comma-separated expressions up to ')' (consumed). */
static int parse_list(P *p, PtrVec *v) {
    int rc;
    for (;;) {
        WExpr *e;
        if ((rc = parse_expr(p, &e))) return rc;
        if ((rc = pv_push(v, e))) return rc;
        if (op(p, ",")) {
            if ((rc = advance(p))) return rc;
            continue;
        }
        return expect_op(p, ")");
    }
}

/* INTERVAL 10 SECONDS | INTERVAL 1 MINUTE 30 SECONDS | INTERVAL '10 seconds' | INTERVAL '10' SECOND */
static int parse_interval(P *p, WExpr *e) {
    int rc;
    int32_t months = 0;
    int64_t micros = 0;
    int pairs = 0;
    for (;;) {
        size_t voff = p->t.off;
        char val[64];
        size_t vn = 0;
        int neg = 0;
        if (op(p, "-") || op(p, "+")) {
            neg = op(p, "-");
            if ((rc = advance(p))) return rc;
        }
        if (p->t.kind == WTK_STRING) {
            char *text = dup(p, p->t.text, p->t.text_len);
            if (!text) return WEIR_NOMEM;
            size_t tn = p->t.text_len;
            if ((rc = advance(p))) return rc;
            /* '10' SECOND: a number in quotes followed by a unit */
            int32_t um;
            int64_t uu;
            if (p->t.kind == WTK_IDENT && unit_micros(p->t.text, p->t.text_len, &uu, &um)) {
                if (tn + 2 > sizeof val) return wsql_error_at(p->err, p->L.src, p->L.len, voff, "interval value too long");
                vn = (size_t)snprintf(val, sizeof val, "%s%.*s", neg ? "-" : "", (int)tn, text);
            } else {
                if (pairs) return fail_found(p, "an interval unit");
                int32_t m;
                int64_t u;
                if (wsql_parse_interval(text, tn, &m, &u))
                    return wsql_error_at(p->err, p->L.src, p->L.len, voff,
                                         "cannot read interval '%.*s': expected e.g. '10 seconds'", (int)(tn > 60 ? 60 : tn),
                                         text);
                e->months = neg ? -m : m;
                e->micros = neg ? -u : u;
                return WEIR_OK;
            }
        } else if (p->t.kind == WTK_INT || p->t.kind == WTK_DECIMAL) {
            if (p->t.len + 2 > sizeof val)
                return wsql_error_at(p->err, p->L.src, p->L.len, voff, "interval value too long");
            vn = (size_t)snprintf(val, sizeof val, "%s%.*s", neg ? "-" : "", (int)p->t.len, p->L.src + p->t.off);
            if ((rc = advance(p))) return rc;
        } else {
            if (pairs) break;
            return fail_found(p, "an interval value such as 10 or '10 seconds'");
        }
        if (p->t.kind != WTK_IDENT) return fail_found(p, "an interval unit such as SECONDS");
        if (add_interval(val, vn, p->t.text, p->t.text_len, &months, &micros)) {
            int32_t um;
            int64_t uu;
            if (!unit_micros(p->t.text, p->t.text_len, &uu, &um))
                return fail_found(p, "an interval unit such as SECONDS");
            return wsql_error_at(p->err, p->L.src, p->L.len, voff, "bad interval value '%.*s'", (int)vn, val);
        }
        if ((rc = advance(p))) return rc;
        pairs++;
        if (!(p->t.kind == WTK_INT || p->t.kind == WTK_DECIMAL || p->t.kind == WTK_STRING || op(p, "-"))) break;
    }
    e->months = months;
    e->micros = micros;
    return WEIR_OK;
}

/* CAST(x AS type): the type's text goes to core/schema.h's DDL parser as "x <type>". */
static int parse_type_text(P *p, size_t start, WType *out) {
    const char *s = p->L.src;
    size_t n = p->L.len, i = start;
    int depth = 0;
    while (i < n) {
        char c = s[i];
        if (c == '`') {
            i++;
            while (i < n && s[i] != '`') i++;
        } else if (c == '\'' || c == '"') {
            char q = c;
            i++;
            while (i < n && s[i] != q) i += s[i] == '\\' ? 2 : 1;
        } else if (c == '(') depth++;
        else if (c == ')') {
            if (depth == 0) break;
            depth--;
        }
        if (i < n) i++;
    }
    if (i > n) i = n;
    WErr e2;
    werr_init(&e2);
    size_t tn = i - start;
    char *buf = malloc(tn + 3);
    if (!buf) return WEIR_NOMEM;
    memcpy(buf, "x ", 2);
    memcpy(buf + 2, s + start, tn);
    buf[tn + 2] = 0;
    WType st;
    int rc = wschema_parse(buf, tn + 2, &st, &e2);
    free(buf);
    if (rc == WEIR_NOMEM) return rc;
    if (rc) {
        const char *m = strstr(e2.msg, "schema: ");
        m = m ? m + 8 : e2.msg;
        const char *cm = strstr(m, "column `x`: ");
        if (cm == m) m += 12;
        size_t at = e2.offset >= 2 ? start + (size_t)e2.offset - 2 : start;
        return wsql_error_at(p->err, s, n, at, "type: %s", m);
    }
    if (st.n_fields != 1) {
        wtype_fini(&st);
        return wsql_error_at(p->err, s, n, start, "expected one type");
    }
    *out = st.fields[0].type;
    free(st.fields[0].name);
    free(st.fields);
    wlex_seek(&p->L, i);
    return advance(p);
}

static int parse_primary(P *p, WExpr **out) {
    int rc;
    size_t off = p->t.off;
    WExpr *e = NULL;
    WTok *t = &p->t;
    if (t->kind == WTK_INT || t->kind == WTK_DECIMAL) {
        e = new_expr(p, WX_INT, off);
        if (!e) return WEIR_NOMEM;
        e->raw = dup(p, t->text, t->text_len);
        if (!e->raw) return WEIR_NOMEM;
        size_t n = t->text_len;
        char last = (char)tolower((unsigned char)t->text[n - 1]);
        if (t->kind == WTK_INT) {
            int64_t v;
            size_t digits = n;
            int suffix = !isdigit((unsigned char)t->text[n - 1]);
            if (suffix) digits--;
            if (wnum_parse_i64(t->text, digits, &v) == WEIR_OK) {
                e->ival = v;
                if (last == 's' && suffix) {
                    if (v > 32767) return wsql_error_at(p->err, p->L.src, p->L.len, off, "SMALLINT literal out of range");
                } else if (last == 'y' && suffix) {
                    if (v > 127) return wsql_error_at(p->err, p->L.src, p->L.len, off, "TINYINT literal out of range");
                } else if ((last == 'l' && suffix) || v > INT32_MAX) {
                    e->big = 1;
                }
            } else {
                if (last == 'l' && suffix)
                    return wsql_error_at(p->err, p->L.src, p->L.len, off, "BIGINT literal out of range");
                /* beyond BIGINT: Spark makes it a DECIMAL; weir reads it as DOUBLE */
                e->kind = WX_DOUBLE;
                if (wnum_parse_double(t->text, digits, &e->dval)) e->dval = 0;
            }
        } else {
            size_t digits = n;
            if (last == 'd' && !isdigit((unsigned char)t->text[n - 1])) digits--;
            if (n >= 2 && (t->text[n - 2] == 'b' || t->text[n - 2] == 'B')) digits = n - 2;
            e->kind = WX_DOUBLE;
            if (wnum_parse_double(t->text, digits, &e->dval))
                return wsql_error_at(p->err, p->L.src, p->L.len, off, "bad number '%.*s'", (int)n, t->text);
        }
        if ((rc = advance(p))) return rc;
        goto done;
    }
    if (t->kind == WTK_STRING) {
        e = new_expr(p, WX_STRING, off);
        if (!e) return WEIR_NOMEM;
        e->str = dup(p, t->text, t->text_len);
        e->str_len = t->text_len;
        if (!e->str) return WEIR_NOMEM;
        if ((rc = advance(p))) return rc;
        /* adjacent string literals concatenate, as in Spark */
        while (p->t.kind == WTK_STRING) {
            char *j = warena_alloc(&p->s->arena, e->str_len + p->t.text_len + 1);
            if (!j) return WEIR_NOMEM;
            memcpy(j, e->str, e->str_len);
            memcpy(j + e->str_len, p->t.text, p->t.text_len);
            e->str_len += p->t.text_len;
            j[e->str_len] = 0;
            e->str = j;
            if ((rc = advance(p))) return rc;
        }
        goto done;
    }
    if (op(p, "(")) {
        if ((rc = advance(p))) return rc;
        if ((rc = parse_expr(p, &e))) return rc;
        if ((rc = expect_op(p, ")"))) return rc;
        goto done;
    }
    if (op(p, "*")) {
        e = new_expr(p, WX_STAR, off);
        if (!e) return WEIR_NOMEM;
        if ((rc = advance(p))) return rc;
        goto done;
    }
    if (t->kind == WTK_IDENT) {
        if (kw(p, "NULL") || kw(p, "TRUE") || kw(p, "FALSE")) {
            e = new_expr(p, kw(p, "NULL") ? WX_NULL : WX_BOOL, off);
            if (!e) return WEIR_NOMEM;
            e->ival = kw(p, "TRUE");
            if ((rc = advance(p))) return rc;
            goto done;
        }
        if (kw(p, "CASE")) {
            e = new_expr(p, WX_CASE, off);
            if (!e) return WEIR_NOMEM;
            if ((rc = advance(p))) return rc;
            PtrVec v = {0};
            WExpr *x;
            if (!kw(p, "WHEN")) {
                if ((rc = parse_expr(p, &x)) || (rc = pv_push(&v, x))) goto case_fail;
                e->has_operand = 1;
            }
            if (!kw(p, "WHEN")) {
                rc = fail_found(p, "WHEN");
                goto case_fail;
            }
            while (kw(p, "WHEN")) {
                if ((rc = advance(p)) || (rc = parse_expr(p, &x)) || (rc = pv_push(&v, x))) goto case_fail;
                if ((rc = expect_kw(p, "THEN")) || (rc = parse_expr(p, &x)) || (rc = pv_push(&v, x))) goto case_fail;
            }
            if (kw(p, "ELSE")) {
                if ((rc = advance(p)) || (rc = parse_expr(p, &x)) || (rc = pv_push(&v, x))) goto case_fail;
                e->has_else = 1;
            }
            if (!kw(p, "END")) {
                rc = fail_found(p, e->has_else ? "END" : "WHEN, ELSE or END");
                goto case_fail;
            }
            if ((rc = advance(p))) goto case_fail;
            e->n_kids = v.n;
            e->kids = (WExpr **)pv_finish(p, &v);
            if (!e->kids) return WEIR_NOMEM;
            goto done;
        case_fail:
            free(v.a);
            return rc;
        }
        if (kw(p, "CAST") || kw(p, "TRY_CAST")) {
            e = new_expr(p, WX_CAST, off);
            if (!e) return WEIR_NOMEM;
            if ((rc = advance(p)) || (rc = expect_op(p, "("))) return rc;
            e->kids = warena_alloc(&p->s->arena, sizeof *e->kids);
            if (!e->kids) return WEIR_NOMEM;
            e->n_kids = 1;
            if ((rc = parse_expr(p, &e->kids[0]))) return rc;
            if ((rc = expect_kw(p, "AS"))) return rc;
            e->cast_type = new_type(p);
            if (!e->cast_type) return WEIR_NOMEM;
            if (p->t.kind != WTK_IDENT && p->t.kind != WTK_QIDENT) return fail_found(p, "a type");
            if ((rc = parse_type_text(p, p->t.off, e->cast_type))) return rc;
            if ((rc = expect_op(p, ")"))) return rc;
            goto done;
        }
        if (kw(p, "INTERVAL")) {
            e = new_expr(p, WX_INTERVAL, off);
            if (!e) return WEIR_NOMEM;
            if ((rc = advance(p)) || (rc = parse_interval(p, e))) return rc;
            goto done;
        }
        if ((kw(p, "TIMESTAMP") || kw(p, "DATE") || kw(p, "TIMESTAMP_LTZ")) ) {
            WTypeId ty = kw(p, "DATE") ? WT_DATE : WT_TIMESTAMP;
            WLex save = p->L;
            WTok st = p->t;
            if ((rc = advance(p))) return rc;
            if (p->t.kind == WTK_STRING) {
                e = new_expr(p, WX_TYPED, off);
                if (!e) return WEIR_NOMEM;
                e->lit_type = ty;
                e->str = dup(p, p->t.text, p->t.text_len);
                e->str_len = p->t.text_len;
                if (!e->str) return WEIR_NOMEM;
                if ((rc = advance(p))) return rc;
                goto done;
            }
            /* not a typed literal: a column or function named timestamp/date; re-read the word */
            WBuf keep = p->L.text;
            p->L = save;
            p->L.text = keep;
            p->t = st;
        }
        if (is_reserved(t)) {
            size_t n = t->len > 40 ? 40 : t->len;
            return wsql_error_at(p->err, p->L.src, p->L.len, off, "expected an expression, found '%.*s'", (int)n,
                                 p->L.src + off);
        }
    }
    if (t->kind == WTK_IDENT || t->kind == WTK_QIDENT) {
        int quoted = t->kind == WTK_QIDENT;
        PtrVec names = {0};
        char *nm = dup(p, t->text, t->text_len);
        if (!nm || pv_push(&names, nm)) {
            free(names.a);
            return WEIR_NOMEM;
        }
        if ((rc = advance(p))) {
            free(names.a);
            return rc;
        }
        if (!quoted && op(p, "(")) { /* function call */
            free(names.a);
            e = new_expr(p, WX_FUNC, off);
            if (!e) return WEIR_NOMEM;
            for (char *c = nm; *c; c++) *c = (char)tolower((unsigned char)*c);
            e->str = nm;
            e->str_len = strlen(nm);
            if ((rc = advance(p))) return rc;
            if (op(p, ")")) {
                if ((rc = advance(p))) return rc;
            } else if (op(p, "*")) {
                e->star = 1;
                if ((rc = advance(p)) || (rc = expect_op(p, ")"))) return rc;
            } else {
                if (kw(p, "DISTINCT")) {
                    e->distinct = 1;
                    if ((rc = advance(p))) return rc;
                } else if (kw(p, "ALL")) {
                    if ((rc = advance(p))) return rc;
                }
                PtrVec v = {0};
                rc = parse_list(p, &v);
                if (rc) {
                    free(v.a);
                    return rc;
                }
                e->n_kids = v.n;
                e->kids = (WExpr **)pv_finish(p, &v);
                if (!e->kids) return WEIR_NOMEM;
            }
            goto done;
        }
        while (op(p, ".")) {
            if ((rc = advance(p))) goto names_fail;
            if (op(p, "*")) {
                if ((rc = advance(p))) goto names_fail;
                e = new_expr(p, WX_STAR, off);
                if (!e) goto names_nomem;
                break;
            }
            if (p->t.kind != WTK_IDENT && p->t.kind != WTK_QIDENT) {
                rc = fail_found(p, "a field name or '*' after '.'");
                goto names_fail;
            }
            nm = dup(p, p->t.text, p->t.text_len);
            if (!nm || pv_push(&names, nm)) goto names_nomem;
            if ((rc = advance(p))) goto names_fail;
        }
        if (!e) {
            e = new_expr(p, WX_COLUMN, off);
            if (!e) goto names_nomem;
        }
        e->n_names = names.n;
        e->names = (const char **)pv_finish(p, &names);
        if (!e->names) return WEIR_NOMEM;
        goto done;
    names_nomem:
        rc = WEIR_NOMEM;
    names_fail:
        free(names.a);
        return rc;
    }
    return fail_found(p, "an expression");
done:
    e->end = p->prev_end;
    *out = e;
    return fix_height(p, e);
}

static int parse_postfix(P *p, WExpr **out) {
    int rc = parse_primary(p, out);
    if (rc) return rc;
    /* a.b of a computed struct: window(ts, '1 minute').start, (expr).field */
    while (op(p, ".") && (*out)->kind != WX_COLUMN && (*out)->kind != WX_STAR) {
        if ((rc = advance(p))) return rc;
        const char *name;
        if ((rc = read_name(p, "a field name after '.'", &name, 0))) return rc;
        WExpr *f = new_expr(p, WX_FIELD, (*out)->off);
        if (!f) return WEIR_NOMEM;
        f->kids = warena_alloc(&p->s->arena, sizeof *f->kids);
        if (!f->kids) return WEIR_NOMEM;
        f->kids[0] = *out;
        f->n_kids = 1;
        f->str = name;
        f->str_len = strlen(name);
        f->end = p->prev_end;
        if ((rc = fix_height(p, f))) return rc;
        *out = f;
    }
    return WEIR_OK;
}

/* Sets e->height; a tree taller than MAX_HEIGHT (a chain such as 1+1+...+1 of thousands of terms) is an
 * error, so that resolving, evaluating and printing, which recurse, stay within a small stack. */
#define MAX_HEIGHT 1000
static int fix_height(P *p, WExpr *e) {
    int h = 0;
    for (int i = 0; i < e->n_kids; i++)
        if (e->kids[i] && e->kids[i]->height > h) h = e->kids[i]->height;
    e->height = h + 1;
    if (e->height > MAX_HEIGHT)
        return wsql_error_at(p->err, p->L.src, p->L.len, e->off,
                             "expression too complex (over %d levels of operators): split it or use IN (...)",
                             MAX_HEIGHT);
    return WEIR_OK;
}

static int make_unary(P *p, WOp o, size_t off, WExpr *k, WExpr **out) {
    WExpr *e = new_expr(p, WX_UNARY, off);
    if (!e) return WEIR_NOMEM;
    e->op = o;
    e->kids = warena_alloc(&p->s->arena, sizeof *e->kids);
    if (!e->kids) return WEIR_NOMEM;
    e->kids[0] = k;
    e->n_kids = 1;
    e->end = p->prev_end;
    *out = e;
    return fix_height(p, e);
}

static int make_binary(P *p, WExprKind kind, WOp o, WExpr *a, WExpr *b, WExpr **out) {
    WExpr *e = new_expr(p, kind, a->off);
    if (!e) return WEIR_NOMEM;
    e->op = o;
    e->kids = warena_alloc(&p->s->arena, sizeof *e->kids * 2);
    if (!e->kids) return WEIR_NOMEM;
    e->kids[0] = a;
    e->kids[1] = b;
    e->n_kids = 2;
    e->end = p->prev_end;
    *out = e;
    return fix_height(p, e);
}

static int parse_unary(P *p, WExpr **out) {
    int rc;
    if ((rc = enter(p))) return rc;
    size_t off = p->t.off;
    if (op(p, "-") || op(p, "+") || op(p, "~")) {
        WOp o = op(p, "-") ? WOP_NEG : op(p, "+") ? WOP_POS : WOP_BITNOT;
        if ((rc = advance(p))) return rc;
        WExpr *k;
        if ((rc = parse_unary(p, &k))) return rc;
        /* fold -literal so that -2147483648 is an INT, as in Spark */
        if (o == WOP_NEG && k->kind == WX_INT && k->raw && k->off == off + 1) {
            k->ival = (int64_t)(0 - (uint64_t)k->ival);
            if (k->big && k->ival >= INT32_MIN && !(tolower((unsigned char)k->raw[strlen(k->raw) - 1]) == 'l'))
                k->big = 0;
            char *r = warena_alloc(&p->s->arena, strlen(k->raw) + 2);
            if (!r) return WEIR_NOMEM;
            r[0] = '-';
            strcpy(r + 1, k->raw);
            k->raw = r;
            k->off = off;
            *out = k;
        } else if (o == WOP_NEG && k->kind == WX_DOUBLE && k->raw && k->off == off + 1) {
            k->dval = -k->dval;
            char *r = warena_alloc(&p->s->arena, strlen(k->raw) + 2);
            if (!r) return WEIR_NOMEM;
            r[0] = '-';
            strcpy(r + 1, k->raw);
            k->raw = r;
            k->off = off;
            *out = k;
        } else if ((rc = make_unary(p, o, off, k, out))) {
            return rc;
        }
    } else if ((rc = parse_postfix(p, out))) {
        return rc;
    }
    p->depth--;
    return WEIR_OK;
}

static int parse_mul(P *p, WExpr **out) {
    int rc;
    WExpr *a, *b;
    if ((rc = parse_unary(p, &a))) return rc;
    for (;;) {
        WOp o = op(p, "*") ? WOP_MUL : op(p, "/") ? WOP_DIV : op(p, "%") ? WOP_MOD : kw(p, "DIV") ? WOP_INTDIV : WOP_NONE;
        if (!o) break;
        if ((rc = advance(p)) || (rc = parse_unary(p, &b)) || (rc = make_binary(p, WX_BINARY, o, a, b, &a))) return rc;
    }
    *out = a;
    return WEIR_OK;
}

static int parse_additive(P *p, WExpr **out) {
    int rc;
    WExpr *a, *b;
    if ((rc = parse_mul(p, &a))) return rc;
    for (;;) {
        WOp o = op(p, "+") ? WOP_ADD : op(p, "-") ? WOP_SUB : op(p, "||") ? WOP_CONCAT : WOP_NONE;
        if (!o) break;
        if ((rc = advance(p)) || (rc = parse_mul(p, &b)) || (rc = make_binary(p, WX_BINARY, o, a, b, &a))) return rc;
    }
    *out = a;
    return WEIR_OK;
}

static int parse_comparison(P *p, WExpr **out) {
    int rc;
    WExpr *a, *b;
    if ((rc = parse_additive(p, &a))) return rc;
    for (;;) {
        WOp o = op(p, "=") || op(p, "==") ? WOP_EQ : op(p, "<=>") ? WOP_NSEQ : op(p, "!=") || op(p, "<>") ? WOP_NE
              : op(p, "<") ? WOP_LT : op(p, "<=") ? WOP_LE : op(p, ">") ? WOP_GT : op(p, ">=") ? WOP_GE : WOP_NONE;
        if (!o) break;
        if ((rc = advance(p)) || (rc = parse_additive(p, &b)) || (rc = make_binary(p, WX_BINARY, o, a, b, &a)))
            return rc;
    }
    *out = a;
    return WEIR_OK;
}

static int parse_predicate(P *p, WExpr **out) {
    int rc;
    WExpr *a;
    if ((rc = parse_comparison(p, &a))) return rc;
    for (;;) {
        int neg = 0;
        if (kw(p, "IS")) {
            if ((rc = advance(p))) return rc;
            if (kw(p, "NOT")) {
                neg = 1;
                if ((rc = advance(p))) return rc;
            }
            if (!kw(p, "NULL")) return fail_found(p, neg ? "NULL after IS NOT" : "NULL or NOT NULL after IS");
            if ((rc = advance(p))) return rc;
            WExpr *e = new_expr(p, WX_IS_NULL, a->off);
            if (!e) return WEIR_NOMEM;
            e->negated = neg;
            e->kids = warena_alloc(&p->s->arena, sizeof *e->kids);
            if (!e->kids) return WEIR_NOMEM;
            e->kids[0] = a;
            e->n_kids = 1;
            e->end = p->prev_end;
            if ((rc = fix_height(p, e))) return rc;
            a = e;
            continue;
        }
        if (kw(p, "NOT")) {
            neg = 1;
            if ((rc = advance(p))) return rc;
            if (!kw(p, "IN") && !kw(p, "BETWEEN") && !kw(p, "LIKE") && !kw(p, "RLIKE"))
                return fail_found(p, "IN, BETWEEN or LIKE after NOT");
        }
        if (kw(p, "IN")) {
            if ((rc = advance(p)) || (rc = expect_op(p, "("))) return rc;
            PtrVec v = {0};
            if ((rc = pv_push(&v, a)) || (rc = parse_list(p, &v))) {
                free(v.a);
                return rc;
            }
            WExpr *e = new_expr(p, WX_IN, a->off);
            if (!e) {
                free(v.a);
                return WEIR_NOMEM;
            }
            e->negated = neg;
            e->n_kids = v.n;
            e->kids = (WExpr **)pv_finish(p, &v);
            if (!e->kids) return WEIR_NOMEM;
            e->end = p->prev_end;
            if ((rc = fix_height(p, e))) return rc;
            a = e;
            continue;
        }
        if (kw(p, "BETWEEN")) {
            WExpr *lo, *hi;
            if ((rc = advance(p)) || (rc = parse_additive(p, &lo)) || (rc = expect_kw(p, "AND")) ||
                (rc = parse_additive(p, &hi)))
                return rc;
            WExpr *e = new_expr(p, WX_BETWEEN, a->off);
            if (!e) return WEIR_NOMEM;
            e->negated = neg;
            e->kids = warena_alloc(&p->s->arena, sizeof *e->kids * 3);
            if (!e->kids) return WEIR_NOMEM;
            e->kids[0] = a;
            e->kids[1] = lo;
            e->kids[2] = hi;
            e->n_kids = 3;
            e->end = p->prev_end;
            if ((rc = fix_height(p, e))) return rc;
            a = e;
            continue;
        }
        if (kw(p, "LIKE")) {
            WExpr *pat;
            if ((rc = advance(p)) || (rc = parse_additive(p, &pat))) return rc;
            WExpr *e;
            if ((rc = make_binary(p, WX_LIKE, WOP_NONE, a, pat, &e))) return rc;
            e->negated = neg;
            if (kw(p, "ESCAPE")) {
                if ((rc = advance(p))) return rc;
                if (p->t.kind != WTK_STRING || p->t.text_len != 1)
                    return fail_found(p, "a one-character string after ESCAPE");
                e->escape = p->t.text[0];
                if ((rc = advance(p))) return rc;
                e->end = p->prev_end;
            }
            a = e;
            continue;
        }
        if (kw(p, "RLIKE"))
            return wsql_error_at(p->err, p->L.src, p->L.len, p->t.off, "RLIKE is not supported; use LIKE");
        break;
    }
    *out = a;
    return WEIR_OK;
}

static int parse_not(P *p, WExpr **out) {
    int rc;
    if ((rc = enter(p))) return rc;
    if (kw(p, "NOT") || op(p, "!")) {
        size_t off = p->t.off;
        WExpr *k;
        if ((rc = advance(p)) || (rc = parse_not(p, &k)) || (rc = make_unary(p, WOP_NOT, off, k, out))) return rc;
    } else if ((rc = parse_predicate(p, out))) {
        return rc;
    }
    p->depth--;
    return WEIR_OK;
}

static int parse_and(P *p, WExpr **out) {
    int rc;
    WExpr *a, *b;
    if ((rc = parse_not(p, &a))) return rc;
    while (kw(p, "AND") || op(p, "&&")) {
        if ((rc = advance(p)) || (rc = parse_not(p, &b)) || (rc = make_binary(p, WX_BINARY, WOP_AND, a, b, &a))) return rc;
    }
    *out = a;
    return WEIR_OK;
}

static int parse_expr(P *p, WExpr **out) {
    int rc;
    WExpr *a, *b;
    if ((rc = enter(p))) return rc;
    if ((rc = parse_and(p, &a))) return rc;
    while (kw(p, "OR")) {
        if ((rc = advance(p)) || (rc = parse_and(p, &b)) || (rc = make_binary(p, WX_BINARY, WOP_OR, a, b, &a))) return rc;
    }
    p->depth--;
    *out = a;
    return WEIR_OK;
}

/* ---- statements ---- */

static int parse_select(P *p, WSqlSelect **out) {
    int rc;
    WSqlSelect *s = warena_alloc(&p->s->arena, sizeof *s);
    if (!s) return WEIR_NOMEM;
    memset(s, 0, sizeof *s);
    s->src = p->s->src;
    s->src_len = p->s->len;
    if ((rc = expect_kw(p, "SELECT"))) return rc;
    if (kw(p, "DISTINCT")) {
        s->distinct = 1;
        if ((rc = advance(p))) return rc;
    } else if (kw(p, "ALL")) {
        if ((rc = advance(p))) return rc;
    }
    PtrVec items = {0};
    for (;;) {
        WSelItem *it = warena_alloc(&p->s->arena, sizeof *it);
        if (!it) {
            rc = WEIR_NOMEM;
            goto fail;
        }
        memset(it, 0, sizeof *it);
        it->off = p->t.off;
        if (kw(p, "FROM") && items.n > 0) {
            rc = fail_found(p, "an expression after ','");
            goto fail;
        }
        if ((rc = parse_expr(p, &it->expr))) goto fail;
        if (kw(p, "AS")) {
            if ((rc = advance(p)) || (rc = read_name(p, "an alias after AS", &it->alias, 0))) goto fail;
        } else if (p->t.kind == WTK_QIDENT || (p->t.kind == WTK_IDENT && !is_reserved(&p->t))) {
            WTok at = p->t;
            if ((rc = read_name(p, "an alias", &it->alias, 1))) goto fail;
            /* "SELECT a, b FORM t": a word after an implicit alias means the alias was a misspelt keyword */
            if (at.kind == WTK_IDENT && (p->t.kind == WTK_IDENT || p->t.kind == WTK_QIDENT) && !is_reserved(&p->t)) {
                const char *hint = near_keyword(p->L.src + at.off, at.len);
                rc = wsql_error_at(p->err, p->L.src, p->L.len, at.off, "expected %s, found '%.*s'",
                                   hint ? hint : "',' or FROM", (int)(at.len > 40 ? 40 : at.len), p->L.src + at.off);
                goto fail;
            }
        }
        if (it->alias && it->expr->kind == WX_STAR) {
            rc = wsql_error_at(p->err, p->L.src, p->L.len, it->off, "'*' cannot have an alias");
            goto fail;
        }
        if ((rc = pv_push(&items, it))) goto fail;
        if (!op(p, ",")) break;
        if ((rc = advance(p))) goto fail;
    }
    s->n_items = items.n;
    {
        WSelItem **ptrs = (WSelItem **)items.a;
        s->items = warena_alloc(&p->s->arena, sizeof *s->items * (size_t)items.n);
        if (!s->items) {
            rc = WEIR_NOMEM;
            goto fail;
        }
        for (int i = 0; i < items.n; i++) s->items[i] = *ptrs[i];
        free(items.a);
        items.a = NULL;
    }
    if (!kw(p, "FROM")) return fail_found(p, items.n ? "FROM or ','" : "FROM");
    if ((rc = advance(p))) return rc;
    s->from_off = p->t.off;
    if (kw(p, "STREAM")) {
        if ((rc = advance(p))) return rc;
        s->from_stream = 1;
        int paren = op(p, "(");
        if (paren && (rc = advance(p))) return rc;
        if ((rc = read_name(p, "a table name", &s->from, 1))) return rc;
        if (paren && (rc = expect_op(p, ")"))) return rc;
    } else {
        if ((rc = read_name(p, "a table name or STREAM(table)", &s->from, 1))) return rc;
    }
    for (int round = 0; round < 2; round++) {
        if (!s->from_alias && (kw(p, "AS") || p->t.kind == WTK_QIDENT || (p->t.kind == WTK_IDENT && !is_reserved(&p->t)))) {
            if (kw(p, "AS") && (rc = advance(p))) return rc;
            if ((rc = read_name(p, "an alias", &s->from_alias, 1))) return rc;
        }
        if (!s->wm_expr && kw(p, "WATERMARK")) {
            if ((rc = advance(p)) || (rc = parse_additive(p, &s->wm_expr))) return rc;
            if (kw(p, "AS")) {
                if ((rc = advance(p)) || (rc = read_name(p, "a name after AS", &s->wm_name, 0))) return rc;
            }
            if ((rc = expect_kw(p, "DELAY")) || (rc = expect_kw(p, "OF"))) return rc;
            if ((rc = parse_additive(p, &s->wm_delay))) return rc;
        }
    }
    if (kw(p, "WHERE")) {
        if ((rc = advance(p)) || (rc = parse_expr(p, &s->where))) return rc;
    }
    if (kw(p, "GROUP")) {
        if ((rc = advance(p)) || (rc = expect_kw(p, "BY"))) return rc;
        PtrVec g = {0};
        for (;;) {
            WExpr *e;
            if ((rc = parse_expr(p, &e)) || (rc = pv_push(&g, e))) {
                free(g.a);
                return rc;
            }
            if (!op(p, ",")) break;
            if ((rc = advance(p))) {
                free(g.a);
                return rc;
            }
        }
        s->n_group_by = g.n;
        s->group_by = (WExpr **)pv_finish(p, &g);
        if (!s->group_by) return WEIR_NOMEM;
    }
    if (kw(p, "HAVING")) {
        if ((rc = advance(p)) || (rc = parse_expr(p, &s->having))) return rc;
    }
    *out = s;
    return WEIR_OK;
fail:
    free(items.a);
    return rc;
}

/* Skips to the matching ')' of the '(' just consumed; returns the offset of that ')'. */
static int skip_parens(P *p, size_t from, size_t *close) {
    const char *s = p->L.src;
    size_t n = p->L.len, i = from;
    int depth = 0;
    while (i < n) {
        char c = s[i];
        if (c == '`' || c == '\'' || c == '"') {
            i++;
            while (i < n && s[i] != c) i += (c != '`' && s[i] == '\\') ? 2 : 1;
            if (i >= n) break;
        } else if (c == '-' && i + 1 < n && s[i + 1] == '-') {
            while (i < n && s[i] != '\n') i++;
            continue;
        } else if (c == '(') depth++;
        else if (c == ')') {
            if (!depth) {
                *close = i;
                return WEIR_OK;
            }
            depth--;
        }
        i++;
    }
    return wsql_error_at(p->err, s, n, from > 0 ? from - 1 : 0, "unbalanced '(': expected ')'");
}

static int parse_create(P *p, WSqlStmt *st) {
    int rc;
    st->kind = WSTMT_CREATE;
    if ((rc = advance(p))) return rc; /* CREATE */
    if (kw(p, "OR")) {
        if ((rc = advance(p)) || (rc = expect_kw(p, "REPLACE"))) return rc;
    }
    if (kw(p, "TEMPORARY") || kw(p, "TEMP")) {
        if ((rc = advance(p))) return rc;
    }
    if (kw(p, "VIEW")) return wsql_error_at(p->err, p->L.src, p->L.len, p->t.off, "CREATE VIEW is not supported");
    if ((rc = expect_kw(p, "TABLE"))) return rc;
    if (kw(p, "IF")) {
        if ((rc = advance(p)) || (rc = expect_kw(p, "NOT")) || (rc = expect_kw(p, "EXISTS"))) return rc;
        st->if_not_exists = 1;
    }
    if ((rc = read_name(p, "a table name", &st->name, 1))) return rc;
    while (op(p, ".")) { /* db.table: keep the last part */
        if ((rc = advance(p)) || (rc = read_name(p, "a table name", &st->name, 1))) return rc;
    }
    if (op(p, "(")) {
        size_t start = p->t.off + 1, close = 0;
        if ((rc = skip_parens(p, start, &close))) return rc;
        WErr e2;
        werr_init(&e2);
        st->schema = new_type(p);
        if (!st->schema) return WEIR_NOMEM;
        rc = wschema_parse(p->L.src + start, close - start, st->schema, &e2);
        if (rc == WEIR_NOMEM) return rc;
        if (rc) {
            const char *m = strstr(e2.msg, "schema: ");
            m = m ? m + 8 : e2.msg;
            return wsql_error_at(p->err, p->L.src, p->L.len, start + (size_t)(e2.offset > 0 ? e2.offset : 0), "%s", m);
        }
        wlex_seek(&p->L, close);
        if ((rc = advance(p)) || (rc = expect_op(p, ")"))) return rc;
    }
    if (!kw(p, "USING")) return fail_found(p, st->schema ? "USING" : "'(' or USING");
    if ((rc = advance(p))) return rc;
    const char *fmt;
    if ((rc = read_name(p, "a format (json, csv, parquet)", &fmt, 0))) return rc;
    char *lf = (char *)fmt;
    for (char *c = lf; *c; c++) *c = (char)tolower((unsigned char)*c);
    st->using_fmt = lf;
    if (kw(p, "OPTIONS")) {
        if ((rc = advance(p)) || (rc = expect_op(p, "("))) return rc;
        PtrVec v = {0};
        while (!op(p, ")")) {
            WSqlOption *o = warena_alloc(&p->s->arena, sizeof *o);
            if (!o) goto opt_nomem;
            o->off = p->t.off;
            /* key: a.b.c words or a string */
            if (p->t.kind == WTK_STRING) {
                o->key = dup(p, p->t.text, p->t.text_len);
                if (!o->key) goto opt_nomem;
                if ((rc = advance(p))) goto opt_fail;
            } else {
                if (p->t.kind != WTK_IDENT && p->t.kind != WTK_QIDENT) {
                    rc = fail_found(p, "an option name");
                    goto opt_fail;
                }
                size_t k0 = p->t.off;
                const char *k;
                if ((rc = read_name(p, "an option name", &k, 0))) goto opt_fail;
                o->key = k;
                while (op(p, ".")) {
                    if ((rc = advance(p))) goto opt_fail;
                    if (p->t.kind != WTK_IDENT && p->t.kind != WTK_QIDENT) {
                        rc = fail_found(p, "an option name after '.'");
                        goto opt_fail;
                    }
                    if ((rc = advance(p))) goto opt_fail;
                    o->key = dup(p, p->L.src + k0, p->prev_end - k0);
                    if (!o->key) goto opt_nomem;
                }
            }
            if (op(p, "=") && (rc = advance(p))) goto opt_fail;
            int neg = 0;
            if (op(p, "-")) {
                neg = 1;
                if ((rc = advance(p))) goto opt_fail;
            }
            if (p->t.kind == WTK_STRING || p->t.kind == WTK_INT || p->t.kind == WTK_DECIMAL ||
                (p->t.kind == WTK_IDENT && !neg)) {
                if (p->t.kind == WTK_STRING) o->value = dup(p, p->t.text, p->t.text_len);
                else {
                    char *v2 = warena_alloc(&p->s->arena, p->t.text_len + 2);
                    if (v2) {
                        v2[0] = '-';
                        memcpy(v2 + 1, p->t.text, p->t.text_len);
                        v2[p->t.text_len + 1] = 0;
                    }
                    o->value = v2 ? v2 + !neg : NULL;
                    if (v2 && p->t.kind == WTK_IDENT)
                        for (char *c = v2 + 1; *c; c++) *c = (char)tolower((unsigned char)*c);
                }
                if (!o->value) goto opt_nomem;
                if ((rc = advance(p))) goto opt_fail;
            } else {
                rc = fail_found(p, "an option value (a string, number or true/false)");
                goto opt_fail;
            }
            if ((rc = pv_push(&v, o))) goto opt_fail;
            if (op(p, ",")) {
                if ((rc = advance(p))) goto opt_fail;
                if (op(p, ")")) {
                    rc = fail_found(p, "an option name");
                    goto opt_fail;
                }
            } else if (!op(p, ")")) {
                rc = fail_found(p, "',' or ')'");
                goto opt_fail;
            }
        }
        if ((rc = advance(p))) goto opt_fail;
        st->n_options = v.n;
        {
            WSqlOption **ptrs = (WSqlOption **)v.a;
            st->options = warena_alloc(&p->s->arena, sizeof *st->options * (size_t)(v.n ? v.n : 1));
            if (!st->options) goto opt_nomem;
            for (int i = 0; i < v.n; i++) st->options[i] = *ptrs[i];
        }
        free(v.a);
        return WEIR_OK;
    opt_nomem:
        rc = WEIR_NOMEM;
    opt_fail:
        free(v.a);
        return rc;
    }
    return WEIR_OK;
}

static int parse_set(P *p, WSqlStmt *st) {
    int rc;
    st->kind = WSTMT_SET;
    if ((rc = advance(p))) return rc; /* SET */
    if (kw(p, "TIME")) { /* SET TIME ZONE 'x' | LOCAL */
        if ((rc = advance(p)) || (rc = expect_kw(p, "ZONE"))) return rc;
        st->name = "spark.sql.session.timeZone";
        if (p->t.kind == WTK_STRING) st->value = dup(p, p->t.text, p->t.text_len);
        else if (kw(p, "LOCAL")) st->value = "LOCAL";
        else return fail_found(p, "a time zone string or LOCAL");
        if (!st->value) return WEIR_NOMEM;
        return advance(p);
    }
    if (p->t.kind != WTK_IDENT && p->t.kind != WTK_QIDENT) return fail_found(p, "a setting name");
    /* the name is its words and dots, without what lies between them (white space, comments) */
    WBuf nb;
    wbuf_init(&nb);
    while (p->t.kind == WTK_IDENT || p->t.kind == WTK_QIDENT || op(p, ".")) {
        if (wbuf_append(&nb, p->t.kind == WTK_OP ? "." : p->t.text, p->t.kind == WTK_OP ? 1 : p->t.text_len) ||
            (rc = advance(p))) {
            wbuf_fini(&nb);
            return rc ? rc : WEIR_NOMEM;
        }
    }
    st->name = dup(p, nb.data ? nb.data : "", nb.len);
    wbuf_fini(&nb);
    if (!st->name) return WEIR_NOMEM;
    if (!op(p, "=")) return fail_found(p, "'='");
    if ((rc = advance(p))) return rc;
    if (p->t.kind == WTK_STRING) {
        st->value = dup(p, p->t.text, p->t.text_len);
        if (!st->value) return WEIR_NOMEM;
        return advance(p);
    }
    /* bare value: the raw text up to ';' or the end, trimmed */
    size_t v0 = p->t.off, v1 = v0;
    while (p->t.kind != WTK_EOF && !op(p, ";")) {
        v1 = p->t.off + p->t.len;
        if ((rc = advance(p))) return rc;
    }
    if (v1 == v0) return fail_found(p, "a value");
    st->value = dup(p, p->L.src + v0, v1 - v0);
    return st->value ? WEIR_OK : WEIR_NOMEM;
}

static int parse_stmt(P *p, WSqlStmt **out) {
    int rc;
    WSqlStmt *st = warena_alloc(&p->s->arena, sizeof *st);
    if (!st) return WEIR_NOMEM;
    memset(st, 0, sizeof *st);
    st->off = p->t.off;
    if (kw(p, "CREATE")) rc = parse_create(p, st);
    else if (kw(p, "SET")) rc = parse_set(p, st);
    else if (kw(p, "INSERT")) {
        st->kind = WSTMT_INSERT;
        if ((rc = advance(p))) return rc;
        if (kw(p, "OVERWRITE"))
            return wsql_error_at(p->err, p->L.src, p->L.len, p->t.off,
                                 "INSERT OVERWRITE is not supported by a streaming sink; use INSERT INTO");
        if ((rc = expect_kw(p, "INTO"))) return rc;
        if (kw(p, "TABLE") && (rc = advance(p))) return rc;
        if ((rc = read_name(p, "a table name", &st->name, 1))) return rc;
        rc = parse_select(p, &st->select);
    } else if (kw(p, "SELECT")) {
        st->kind = WSTMT_SELECT;
        rc = parse_select(p, &st->select);
    } else {
        return fail_found(p, "CREATE, INSERT, SELECT or SET");
    }
    if (rc) return rc;
    st->end = p->prev_end;
    if (!op(p, ";") && p->t.kind != WTK_EOF) return fail_found(p, "';' or the end of the script");
    *out = st;
    return WEIR_OK;
}

void wsql_ast_free(WSqlScript *s) {
    if (!s) return;
    for (WTypeList *t = s->types; t;) {
        WTypeList *n = t->next;
        wtype_fini(&t->type);
        free(t);
        t = n;
    }
    warena_fini(&s->arena);
    free(s->src);
    free(s);
}

int wsql_parse(const char *src, size_t len, WSqlScript **out, WErr *err) {
    *out = NULL;
    WSqlScript *s = calloc(1, sizeof *s);
    if (!s) return werr_msg(err, WEIR_NOMEM, "out of memory");
    warena_init(&s->arena, 16384);
    s->src = malloc(len + 1);
    if (!s->src) {
        wsql_ast_free(s);
        return werr_msg(err, WEIR_NOMEM, "out of memory");
    }
    memcpy(s->src, src, len);
    s->src[len] = 0;
    s->len = len;
    P p;
    memset(&p, 0, sizeof p);
    p.s = s;
    p.err = err;
    wlex_init(&p.L, s->src, len);
    PtrVec stmts = {0};
    int rc = advance(&p);
    while (!rc) {
        while (!rc && op(&p, ";")) rc = advance(&p);
        if (rc || p.t.kind == WTK_EOF) break;
        WSqlStmt *st = NULL;
        p.depth = 0;
        rc = parse_stmt(&p, &st);
        if (!rc) rc = pv_push(&stmts, st);
    }
    if (!rc) {
        s->n_stmts = stmts.n;
        s->stmts = (WSqlStmt **)pv_finish(&p, &stmts);
        if (!s->stmts) rc = WEIR_NOMEM;
    } else {
        free(stmts.a);
    }
    wlex_fini(&p.L);
    if (rc) {
        if (rc == WEIR_NOMEM) werr_msg(err, WEIR_NOMEM, "out of memory");
        wsql_ast_free(s);
        return rc;
    }
    *out = s;
    return WEIR_OK;
}
