/*
 * schema.h - weir's data types and schemas, and the parser for Spark's DDL schema strings.
 *
 * A schema is a WType of id WT_STRUCT whose fields are the columns. Types nest: a STRUCT field may hold
 * another STRUCT, to any depth. Every value of every type may be NULL.
 *
 * DDL: "analytics STRUCT<clicks: INT, impressions: INT>, datetime TIMESTAMP" (the colon inside STRUCT<>
 * is optional, as in Spark). Type names are case-insensitive; Spark's aliases are accepted:
 * INTEGER = INT, LONG = BIGINT, FLOAT/REAL = DOUBLE (weir has one floating type), BOOL = BOOLEAN,
 * VARCHAR(n)/CHAR(n)/TEXT = STRING. Names may be `backquoted`. NOT NULL and COMMENT 'x' are accepted
 * after a column's type and ignored for nullability (weir treats every column as nullable, like Spark's
 * file sources do).
 */
#ifndef WEIR_CORE_SCHEMA_H
#define WEIR_CORE_SCHEMA_H

#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/err.h"

typedef enum WTypeId {
    WT_NULL = 0,  /* the type of an untyped NULL literal; never a column type */
    WT_BOOLEAN,
    WT_INT,       /* int32 */
    WT_BIGINT,    /* int64 */
    WT_DOUBLE,
    WT_STRING,    /* UTF-8 bytes */
    WT_DATE,      /* int32 days since 1970-01-01 */
    WT_TIMESTAMP, /* int64 microseconds since 1970-01-01T00:00:00Z */
    WT_STRUCT
} WTypeId;

typedef struct WField WField;

typedef struct WType {
    WTypeId id;
    int n_fields;    /* STRUCT only */
    WField *fields;  /* STRUCT only: heap array of n_fields */
} WType;

struct WField {
    char *name;      /* heap, NUL-terminated */
    WType type;
};

/* Spark's name for a type id: "boolean", "int", "bigint", "double", "string", "date", "timestamp", "struct". */
const char *wtype_name(WTypeId id);
/* Parses a DDL string into a STRUCT type. On error, err says the column and the byte offset. */
int wschema_parse(const char *ddl, size_t len, WType *out, WErr *err);
/* Frees what a type owns (fields, names), recursively; the WType itself is the caller's. */
void wtype_fini(WType *t);
int wtype_copy(WType *dst, const WType *src);
int wtype_equal(const WType *a, const WType *b);
/* Adds a field (copying name and type) to a STRUCT type. */
int wtype_add_field(WType *st, const char *name, size_t name_len, const WType *ft);
/* Index of a field by exact name, or -1. */
int wtype_field_index(const WType *st, const char *name, size_t name_len);
/* Index of a field by ASCII-case-insensitive name (Spark's default resolution), or -1. */
int wtype_field_index_ci(const WType *st, const char *name, size_t name_len);
/* Appends the type as Spark DDL: "a INT, b STRUCT<c: STRING>" for a schema, "STRUCT<...>" nested. */
int wtype_to_ddl(const WType *t, WBuf *out, int top_level);
/* Fixed byte width of a value in a vector (1 bit for BOOLEAN is reported as 0), 0 for STRING/STRUCT. */
size_t wtype_width(WTypeId id);

#endif
