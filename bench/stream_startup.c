/*
 * stream_startup.c - figure 4 of bench/stream_bench.sh: how long `weir run` takes from its start to its first
 * committed batch, and to its exit.
 *
 *   stream_startup RUNS CHECKPOINT_DIR OUTPUT_DIR WEIR SQL [INPUT_DIR]
 *
 * Each run removes CHECKPOINT_DIR and OUTPUT_DIR (a fresh start, as the goal says), then forks and execs
 * `WEIR run SQL --trigger once --progress json` with its stdout on a pipe. The driver prints a batch's
 * progress line after its commit entry is written (stream/driver.c), so the first line read marks the first
 * committed batch; the exit comes after the close, which makes that commit entry durable. Times run from
 * before fork. The same is done with /bin/true (start to exit) for the floor that any process start
 * costs on the machine. Prints the median and the minimum of each.
 * With INPUT_DIR, a restart instead: the checkpoint and output are kept (a query with a history), and each
 * run first drops one new file into INPUT_DIR, dated a few seconds back so that it counts as stable.
 */
#include <ftw.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static int64_t now_us(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw) {
    (void)sb;
    (void)flag;
    (void)ftw;
    remove(path);
    return 0;
}

static void rm_tree(const char *dir) { nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS); }

/* Runs argv once: *to_line = start to the first '\n' on its stdout (-1 if none), *to_exit = start to exit.
 * Returns the exit status. */
static int run_once(char *const argv[], int64_t *to_line, int64_t *to_exit) {
    int p[2];
    if (pipe(p) != 0) return -1;
    int64_t t0 = now_us();
    pid_t pid = fork();
    if (pid < 0) return -1;
    if (pid == 0) {
        dup2(p[1], STDOUT_FILENO);
        close(p[0]);
        close(p[1]);
        execv(argv[0], argv);
        _exit(127);
    }
    close(p[1]);
    *to_line = -1;
    char buf[4096];
    ssize_t n;
    while ((n = read(p[0], buf, sizeof buf)) > 0)
        if (*to_line < 0 && memchr(buf, '\n', (size_t)n)) *to_line = now_us() - t0;
    close(p[0]);
    int status = 0;
    waitpid(pid, &status, 0);
    *to_exit = now_us() - t0;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static int cmp_i64(const void *a, const void *b) {
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

static void report(const char *what, int64_t *t, int n) {
    qsort(t, (size_t)n, sizeof *t, cmp_i64);
    printf("%s: median %.2f ms, min %.2f ms (%d runs)\n", what, t[(n - 1) / 2] / 1000.0, t[0] / 1000.0, n);
}

/* One new file of the seed's records in dir, dated 5 s back. */
static int new_input(const char *dir, int i) {
    char path[4200];
    snprintf(path, sizeof path, "%s/restart-%ld-%06d.json", dir, (long)getpid(), i); /* never taken before */
    FILE *f = fopen(path, "w");
    if (!f) return -1;
    fprintf(f, "{\"datetime\":\"2022-09-06T11:40:00\",\"sales\":{\"quantity\":1,\"total_price\":2.5},"
               "\"analytics\":{\"clicks\":%d,\"impressions\":2}}\n", i);
    if (fclose(f) != 0) return -1;
    struct timeval tv[2];
    gettimeofday(&tv[0], NULL);
    tv[0].tv_sec -= 5;
    tv[1] = tv[0];
    return utimes(path, tv);
}

int main(int argc, char **argv) {
    if (argc != 6 && argc != 7) {
        fprintf(stderr, "usage: stream_startup RUNS CHECKPOINT_DIR OUTPUT_DIR WEIR SQL [INPUT_DIR]\n");
        return 2;
    }
    const char *restart_in = argc == 7 ? argv[6] : NULL;
    int runs = atoi(argv[1]);
    if (runs < 1 || runs > 10000) runs = 20;
    int64_t *line = calloc((size_t)runs, sizeof *line), *exit_t = calloc((size_t)runs, sizeof *exit_t);
    if (!line || !exit_t) return 1;
    char *weir[] = {argv[4], "run", argv[5], "--trigger", "once", "--progress", "json", NULL};
    for (int i = 0; i < runs; i++) {
        if (!restart_in) {
            rm_tree(argv[2]);
            rm_tree(argv[3]);
        } else if (new_input(restart_in, i) != 0) {
            perror(restart_in);
            return 1;
        }
        int rc = run_once(weir, &line[i], &exit_t[i]);
        if (rc != 0 || line[i] < 0) {
            fprintf(stderr, "stream_startup: run %d: exit %d, %s\n", i, rc, line[i] < 0 ? "no progress line" : "");
            return 1;
        }
    }
    report(restart_in ? "restart to first committed batch (its progress line)"
                      : "start to first committed batch (its progress line)", line, runs);
    report("start to exit (after the close makes the commit durable)", exit_t, runs);
    char *tru[] = {"/bin/true", NULL};
    for (int i = 0; i < runs; i++) run_once(tru, &line[i], &exit_t[i]);
    report("for scale, fork + exec + exit of /bin/true", exit_t, runs);
    free(line);
    free(exit_t);
    return 0;
}
