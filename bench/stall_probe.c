/*
 * stall_probe.c - does this machine stop running its threads now and then? One thread per CPU, pinned,
 * at real-time priority (SCHED_FIFO 50 when allowed), sleeps 1 ms in a loop and notes by how much each
 * sleep overran. A real-time thread preempts every normal thread of the machine the instant its timer
 * fires, so an overrun of milliseconds means its CPU was not running the guest's code at all (the host
 * ran something else on it) or was stuck in the kernel with interrupts off.
 *
 *   stall_probe SECONDS [THRESHOLD_MS]
 *
 * Prints the stalls of THRESHOLD_MS (3) or more: how many per CPU, their lengths, how many began at the
 * same time (within 1 ms) on two CPUs, and in which 10 ms of the wall clock's 100 ms period they began.
 * bench/stream_bench.sh runs it beside figure 1 (figure 1p): on this machine the slow batches of figure 1
 * begin in the same 10 ms of the period as the stalls (bench/RESULTS.md, 2026-12-08, later).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#define MAX_STALLS 100000

typedef struct Probe {
    int cpu;
    double seconds, threshold_ms;
    int64_t sleeps, n_stalls;
    int64_t *at_ms;      /* wall clock, ms, when each stall began */
    double *len_ms;
    int realtime;
} Probe;

static int64_t now_ns(clockid_t c) {
    struct timespec t;
    clock_gettime(c, &t);
    return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
}

static void *probe_main(void *arg) {
    Probe *p = arg;
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(p->cpu, &set);
    pthread_setaffinity_np(pthread_self(), sizeof set, &set);
    struct sched_param sp = {.sched_priority = 50};
    p->realtime = pthread_setschedparam(pthread_self(), SCHED_FIFO, &sp) == 0;
    int64_t end = now_ns(CLOCK_MONOTONIC) + (int64_t)(p->seconds * 1e9);
    while (now_ns(CLOCK_MONOTONIC) < end) {
        int64_t a = now_ns(CLOCK_MONOTONIC), wall = now_ns(CLOCK_REALTIME);
        struct timespec d = {0, 1000000};
        nanosleep(&d, NULL);
        double over_ms = (double)(now_ns(CLOCK_MONOTONIC) - a - 1000000) / 1e6;
        p->sleeps++;
        if (over_ms >= p->threshold_ms && p->n_stalls < MAX_STALLS) {
            p->at_ms[p->n_stalls] = wall / 1000000 + 1; /* the sleep's end was due 1 ms after it began */
            p->len_ms[p->n_stalls++] = over_ms;
        }
    }
    return NULL;
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: stall_probe SECONDS [THRESHOLD_MS]\n");
        return 2;
    }
    double seconds = atof(argv[1]), threshold = argc > 2 ? atof(argv[2]) : 3.0;
    int n_cpus = (int)sysconf(_SC_NPROCESSORS_ONLN);
    if (n_cpus < 1) n_cpus = 1;
    if (n_cpus > 64) n_cpus = 64;
    Probe *p = calloc((size_t)n_cpus, sizeof *p);
    pthread_t *t = calloc((size_t)n_cpus, sizeof *t);
    if (!p || !t) return 1;
    for (int i = 0; i < n_cpus; i++) {
        p[i] = (Probe){.cpu = i, .seconds = seconds, .threshold_ms = threshold};
        p[i].at_ms = malloc(MAX_STALLS * sizeof *p[i].at_ms);
        p[i].len_ms = malloc(MAX_STALLS * sizeof *p[i].len_ms);
        if (!p[i].at_ms || !p[i].len_ms || pthread_create(&t[i], NULL, probe_main, &p[i])) return 1;
    }
    int64_t total = 0, sleeps = 0, together = 0, phase[10] = {0};
    int realtime = 1;
    for (int i = 0; i < n_cpus; i++) pthread_join(t[i], NULL);
    double *all = malloc(sizeof *all * (size_t)(n_cpus * MAX_STALLS));
    if (!all) return 1;
    for (int i = 0; i < n_cpus; i++) {
        realtime &= p[i].realtime;
        sleeps += p[i].sleeps;
        for (int64_t k = 0; k < p[i].n_stalls; k++) {
            all[total++] = p[i].len_ms[k];
            phase[(p[i].at_ms[k] % 100) / 10]++;
            for (int j = i + 1; j < n_cpus; j++) /* began within 1 ms on another CPU */
                for (int64_t m = 0; m < p[j].n_stalls; m++)
                    if (llabs(p[j].at_ms[m] - p[i].at_ms[k]) <= 1) together++;
        }
    }
    qsort(all, (size_t)total, sizeof *all, cmp_double);
    printf("stall probe: %d CPUs, %s, %.0f s, %lld sleeps of 1 ms: %lld stalls of %.0f ms or more",
           n_cpus, realtime ? "SCHED_FIFO" : "normal priority (no permission for real time)", seconds,
           (long long)sleeps, (long long)total, threshold);
    if (total)
        printf(" (median %.1f ms, max %.1f ms); %lld began within 1 ms of one on another CPU; by 10 ms of the "
               "wall clock's 100 ms period:", all[total / 2], all[total - 1], (long long)together);
    for (int i = 0; total && i < 10; i++) printf(" %lld", (long long)phase[i]);
    printf("\n");
    for (int i = 0; i < n_cpus; i++) {
        free(p[i].at_ms);
        free(p[i].len_ms);
    }
    free(all);
    free(p);
    free(t);
    return 0;
}
