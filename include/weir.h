/*
 * weir.h - the one public header of weir, a stream-processing engine for event data in files.
 *
 * This first version holds what every layer shares: the version, the status codes every fallible
 * function returns, and the visibility macro. The embedding API (engines, queries, batches,
 * foreach-batch callbacks) grows here as the streaming runtime lands.
 */
#ifndef WEIR_H
#define WEIR_H

#ifdef __cplusplus
extern "C" {
#endif

#define WEIR_VERSION_MAJOR 0
#define WEIR_VERSION_MINOR 1
#define WEIR_VERSION_PATCH 0
#define WEIR_VERSION "0.1.0"
/* One integer that grows with every release: MAJOR*10000 + MINOR*100 + PATCH. */
#define WEIR_VERSION_NUMBER (WEIR_VERSION_MAJOR * 10000 + WEIR_VERSION_MINOR * 100 + WEIR_VERSION_PATCH)

#if defined(__GNUC__)
#define WEIR_API __attribute__((visibility("default")))
#else
#define WEIR_API
#endif

/* Status codes. Every fallible function returns WEIR_OK (0) or one of these. */
#define WEIR_OK 0
#define WEIR_NOMEM 1   /* an allocation failed */
#define WEIR_IO 2      /* reading or writing a file failed */
#define WEIR_PARSE 3   /* input data (JSON, CSV, Parquet, schema text) is malformed */
#define WEIR_SQL 4     /* a SQL statement is invalid */
#define WEIR_MISUSE 5  /* the API was called wrongly (bad argument, wrong state) */
#define WEIR_ABORT 6   /* a callback or the user asked to stop */
#define WEIR_CORRUPT 7 /* on-disk state (checkpoint, file metadata) is damaged */
#define WEIR_UNSUPPORTED 8 /* valid input that weir does not handle (yet) */

/* The run-time version, e.g. "0.1.0"; compare with WEIR_VERSION for header/library skew. */
WEIR_API const char *weir_version(void);

/* The name of a status code, e.g. weir_errstr(WEIR_PARSE) == "WEIR_PARSE". Never NULL. */
WEIR_API const char *weir_errstr(int rc);

#ifdef __cplusplus
}
#endif
#endif /* WEIR_H */
