/*
 * check.h - the tiny test harness every tests/unit program includes.
 *
 *   CHECK(cond)                 counts one assertion; prints file:line and the condition when it fails
 *   CHECK_EQ_INT(a, b)          integers, printing both values on failure
 *   CHECK_EQ_STR(a, b)          NUL-terminated strings
 *   CHECK_EQ_MEM(a, an, b, bn)  byte ranges
 *   return check_summary();     prints "N passed, N failed" (the line tests/run.sh adds up) and the exit code
 */
#ifndef WEIR_TEST_CHECK_H
#define WEIR_TEST_CHECK_H

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

static long check_passed_, check_failed_;

#define CHECK(cond)                                                                   \
    do {                                                                              \
        if (cond) check_passed_++;                                                    \
        else {                                                                        \
            check_failed_++;                                                          \
            fprintf(stderr, "%s:%d: FAILED: %s\n", __FILE__, __LINE__, #cond);        \
        }                                                                             \
    } while (0)

#define CHECK_EQ_INT(a, b)                                                            \
    do {                                                                              \
        long long a_ = (long long)(a), b_ = (long long)(b);                           \
        if (a_ == b_) check_passed_++;                                                \
        else {                                                                        \
            check_failed_++;                                                          \
            fprintf(stderr, "%s:%d: FAILED: %s == %s (%lld vs %lld)\n", __FILE__,     \
                    __LINE__, #a, #b, a_, b_);                                        \
        }                                                                             \
    } while (0)

#define CHECK_EQ_STR(a, b)                                                            \
    do {                                                                              \
        const char *a_ = (a), *b_ = (b);                                              \
        if (a_ && b_ && !strcmp(a_, b_)) check_passed_++;                             \
        else {                                                                        \
            check_failed_++;                                                          \
            fprintf(stderr, "%s:%d: FAILED: %s == %s (\"%s\" vs \"%s\")\n", __FILE__, \
                    __LINE__, #a, #b, a_ ? a_ : "(null)", b_ ? b_ : "(null)");        \
        }                                                                             \
    } while (0)

#define CHECK_EQ_MEM(a, an, b, bn)                                                    \
    do {                                                                              \
        size_t an_ = (an), bn_ = (bn);                                                \
        if (an_ == bn_ && !memcmp((a), (b), an_)) check_passed_++;                    \
        else {                                                                        \
            check_failed_++;                                                          \
            fprintf(stderr, "%s:%d: FAILED: %s == %s (\"%.*s\" vs \"%.*s\")\n",       \
                    __FILE__, __LINE__, #a, #b, (int)an_, (const char *)(a),          \
                    (int)bn_, (const char *)(b));                                     \
        }                                                                             \
    } while (0)

static inline int check_summary(void) {
    printf("%ld passed, %ld failed\n", check_passed_, check_failed_);
    return check_failed_ ? 1 : 0;
}

#endif
