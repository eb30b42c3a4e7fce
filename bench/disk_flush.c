/*
 * disk_flush.c - what one fdatasync costs on the disk under a folder, by kind, alone and side by side: the
 * floor under the streaming figures (bench/stream_bench.sh prints it beside them, bench/RESULTS.md).
 *
 *   disk_flush DIR [ROUNDS]
 *
 * Each of 1 or 3 threads writes 512 bytes into a file of its own and fdatasyncs it, ROUNDS times (200):
 *   - in place: the bytes overwrite the file's first 512 (no metadata changes: the data and a flush);
 *   - extending: the file is emptied first (untimed), so the write allocates a block and changes the
 *     length, as when weir fills an entry made ahead or a spare file (the data, the inode, a flush).
 * Prints the median time of one fdatasync in each case. A batch of a streaming query does four extending
 * ones (offsets/N, its data file and folder, its manifest entry), three of them side by side.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define MAX_THREADS 3

typedef struct Job {
    char path[4200];
    int extending;
    int rounds;
    pthread_barrier_t *start;
    double *us;  /* rounds timings */
    int failed;  /* errno of the call that failed, else 0 */
} Job;

static double now_us(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec * 1e6 + (double)t.tv_nsec / 1e3;
}

static void *job_run(void *arg) {
    Job *j = arg;
    char block[512];
    memset(block, 'x', sizeof block);
    int fd = open(j->path, O_CREAT | O_WRONLY | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0 || pwrite(fd, block, sizeof block, 0) != (ssize_t)sizeof block || fdatasync(fd) != 0)
        j->failed = errno ? errno : EIO;
    pthread_barrier_wait(j->start);
    for (int i = 0; i < j->rounds && !j->failed; i++) {
        if (j->extending && ftruncate(fd, 0) != 0) j->failed = errno;
        double t = now_us();
        if (!j->failed && (pwrite(fd, block, sizeof block, 0) != (ssize_t)sizeof block || fdatasync(fd) != 0))
            j->failed = errno ? errno : EIO; /* a short write sets none */
        j->us[i] = now_us() - t;
    }
    if (fd >= 0) close(fd);
    unlink(j->path);
    return NULL;
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* Median fdatasync time in ms of n threads side by side, or -1 when a call failed (its errno and file in
 * *failed_errno, failed_path). */
static int failed_errno;
static char failed_path[4200];

static double measure(const char *dir, int n, int extending, int rounds) {
    Job jobs[MAX_THREADS];
    pthread_t th[MAX_THREADS];
    pthread_barrier_t start;
    pthread_barrier_init(&start, NULL, (unsigned)n);
    double *all = calloc((size_t)(n * rounds), sizeof *all);
    if (!all) return -1;
    for (int i = 0; i < n; i++) {
        snprintf(jobs[i].path, sizeof jobs[i].path, "%s/disk_flush.%d", dir, i);
        jobs[i].extending = extending;
        jobs[i].rounds = rounds;
        jobs[i].start = &start;
        jobs[i].us = all + i * rounds;
        jobs[i].failed = 0;
        pthread_create(&th[i], NULL, job_run, &jobs[i]);
    }
    int failed = 0;
    for (int i = 0; i < n; i++) {
        pthread_join(th[i], NULL);
        if (jobs[i].failed && !failed) {
            failed_errno = jobs[i].failed;
            memcpy(failed_path, jobs[i].path, sizeof failed_path); /* the same size */
        }
        failed |= jobs[i].failed != 0;
    }
    pthread_barrier_destroy(&start);
    qsort(all, (size_t)(n * rounds), sizeof *all, cmp_double);
    double med = failed ? -1 : all[n * rounds / 2] / 1000;
    free(all);
    return med;
}

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: disk_flush DIR [ROUNDS]\n");
        return 2;
    }
    int rounds = argc > 2 ? atoi(argv[2]) : 200;
    if (rounds < 1) rounds = 1;
    double m[2][2];
    for (int e = 0; e < 2; e++)
        for (int k = 0; k < 2; k++) m[e][k] = measure(argv[1], k ? MAX_THREADS : 1, e, rounds);
    if (m[0][0] < 0 || m[0][1] < 0 || m[1][0] < 0 || m[1][1] < 0) {
        fprintf(stderr, "disk_flush: %s: open, write or fdatasync failed: %s\n", failed_path, strerror(failed_errno));
        return 1;
    }
    printf("disk flush: fdatasync of 512 bytes, median of %d: in place %.2f ms (3 side by side: %.2f ms), "
           "extending %.2f ms (3 side by side: %.2f ms)\n",
           rounds, m[0][0], m[0][1], m[1][0], m[1][1]);
    return 0;
}
