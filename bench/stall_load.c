/*
 * stall_load.c - simple loads to run beside bench/stall_probe.c, to find what makes this machine stop
 * running a vCPU (bench/stall_budget.sh runs them; bench/RESULTS.md, 2026-12-08, "the host's budget").
 *
 *   stall_load spin SECONDS              one thread busy on the CPU, no system calls
 *   stall_load files DIR RATE SECONDS    RATE files a second, each: create, write 1 KB, fsync, rename,
 *                                        fsync of the folder (a batch's commit, without weir)
 *   stall_load direct FILE RATE SECONDS  RATE O_DIRECT 4 KB writes a second over one block (disk requests
 *                                        with nearly no CPU and no flush)
 *
 * Prints what it did: the operations done and the CPU time it used (user + system).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

static double now_s(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* Sleeps until the i-th of `rate` operations a second after t0 is due. */
static void pace(double t0, long i, int rate) {
    double due = t0 + (double)i / rate;
    for (double t = now_s(); t < due; t = now_s()) {
        struct timespec s = {0, (long)((due - t) * 1e9)};
        nanosleep(&s, NULL);
    }
}

/* Rounds of 100,000 increments of a volatile counter (volatile: the compiler keeps the loop). */
static long spin(double seconds) {
    double t0 = now_s();
    volatile uint64_t x = 0;
    long rounds = 0;
    for (; now_s() - t0 < seconds; rounds++)
        for (int i = 0; i < 100000; i++) x++;
    return rounds;
}

static long files(const char *dir, int rate, double seconds) {
    char buf[1024], tmp[4096], final[4096];
    memset(buf, 'x', sizeof buf);
    buf[sizeof buf - 1] = '\n';
    int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd < 0) return -1;
    double t0 = now_s();
    long i = 0;
    for (; now_s() - t0 < seconds; i++) {
        pace(t0, i, rate);
        snprintf(tmp, sizeof tmp, "%s/.f%ld.tmp", dir, i);
        snprintf(final, sizeof final, "%s/f%ld", dir, i);
        int fd = open(tmp, O_CREAT | O_WRONLY | O_TRUNC | O_CLOEXEC, 0644);
        if (fd < 0 || write(fd, buf, sizeof buf) != (ssize_t)sizeof buf || fsync(fd) != 0) return -1;
        close(fd);
        if (rename(tmp, final) != 0 || fsync(dfd) != 0) return -1;
    }
    close(dfd);
    return i;
}

static long direct(const char *path, int rate, double seconds) {
    int fd = open(path, O_RDWR | O_CREAT | O_DIRECT | O_CLOEXEC, 0644);
    void *buf = NULL;
    if (fd < 0 || posix_memalign(&buf, 4096, 4096) != 0) return -1;
    memset(buf, 'y', 4096);
    double t0 = now_s();
    long i = 0;
    for (; now_s() - t0 < seconds; i++) {
        pace(t0, i, rate);
        if (pwrite(fd, buf, 4096, 0) != 4096) return -1;
    }
    free(buf);
    close(fd);
    return i;
}

int main(int argc, char **argv) {
    if (argc < 3 || (strcmp(argv[1], "spin") != 0 && argc < 5)) {
        fprintf(stderr, "usage: stall_load spin SECONDS | files DIR RATE SECONDS | direct FILE RATE SECONDS\n");
        return 2;
    }
    long done = 0;
    if (!strcmp(argv[1], "spin")) done = spin(atof(argv[2]));
    else if (!strcmp(argv[1], "files")) done = files(argv[2], atoi(argv[3]), atof(argv[4]));
    else if (!strcmp(argv[1], "direct")) done = direct(argv[2], atoi(argv[3]), atof(argv[4]));
    else done = -1;
    if (done < 0) {
        perror("stall_load");
        return 1;
    }
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    double cpu = (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + (double)ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
    printf("stall_load %s: %ld operations, %.2f s of CPU\n", argv[1], done, cpu);
    return 0;
}
