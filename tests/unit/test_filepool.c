/*
 * test_filepool.c - spare files made ahead (core/filepool.h):
 *   - a take from a folder with no spare gives none and remembers the folder; a fill then makes
 *     WFPOOL_SPARES empty spares there, named ".spare-<pid>-<n>.tmp", each taken once, open for writing;
 *   - a folder's first fill removes the spares of processes that no longer run (a crash left them) and
 *     nothing else: not this process's, not a live process's, not other '.'-names or ordinary files;
 *   - the fill stops between files when asked; wfpool_free removes the spares not taken.
 */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "core/filepool.h"

static char root[] = "/tmp/weir-test-filepool-XXXXXX";

static int exists(const char *dir, const char *name) {
    char p[600];
    struct stat st;
    snprintf(p, sizeof p, "%s/%s", dir, name);
    return stat(p, &st) == 0;
}

static void touch(const char *dir, const char *name) {
    char p[600];
    snprintf(p, sizeof p, "%s/%s", dir, name);
    int fd = open(p, O_WRONLY | O_CREAT, 0644);
    CHECK(fd >= 0);
    if (fd >= 0) close(fd);
}

static int count_spares(const char *dir) {
    DIR *d = opendir(dir);
    int n = 0;
    struct dirent *e;
    char mine[64];
    snprintf(mine, sizeof mine, ".spare-%ld-", (long)getpid());
    while (d && (e = readdir(d)) != NULL) n += strncmp(e->d_name, mine, strlen(mine)) == 0;
    if (d) closedir(d);
    return n;
}

static int stop_now(void *arg) { return ++*(int *)arg > 1; }

int main(void) {
    CHECK(mkdtemp(root) != NULL);
    /* a pid that no longer runs: a child, reaped */
    pid_t dead = fork();
    if (dead == 0) _exit(0);
    waitpid(dead, NULL, 0);
    char name[100];
    snprintf(name, sizeof name, ".spare-%ld-7.tmp", (long)dead);
    touch(root, name);
    char live[100], own[100];
    snprintf(live, sizeof live, ".spare-%ld-3.tmp", (long)getppid());
    snprintf(own, sizeof own, ".spare-%ld-900.tmp", (long)getpid());
    touch(root, live);
    touch(root, own);
    touch(root, ".other.tmp");
    touch(root, "part-00000.csv");
    touch(root, ".spare-x-1.tmp");

    WFilePool *p = wfpool_new();
    CHECK(p != NULL);
    char *path;
    int fd;
    CHECK_EQ_INT(wfpool_take(p, root, &path, &fd), 0); /* none yet: the folder is remembered */
    CHECK(path == NULL && fd == -1);
    CHECK_EQ_INT(wfpool_fill(p, NULL, NULL), WFPOOL_SPARES);
    CHECK(!exists(root, name));
    CHECK(exists(root, live) && exists(root, own) && exists(root, ".other.tmp") && exists(root, "part-00000.csv") &&
          exists(root, ".spare-x-1.tmp"));
    CHECK_EQ_INT(count_spares(root), WFPOOL_SPARES + 1); /* with `own` */
    CHECK_EQ_INT(wfpool_fill(p, NULL, NULL), 0);        /* full */

    /* each spare is taken once, empty and open for writing, under its own name */
    char *taken[WFPOOL_SPARES];
    for (int k = 0; k < WFPOOL_SPARES; k++) {
        CHECK_EQ_INT(wfpool_take(p, root, &taken[k], &fd), 1);
        CHECK(taken[k] && strstr(taken[k], "/.spare-") && fd >= 0);
        struct stat st;
        CHECK(fd >= 0 && fstat(fd, &st) == 0 && st.st_size == 0);
        CHECK(fd >= 0 && write(fd, "x", 1) == 1);
        if (fd >= 0) close(fd);
        for (int j = 0; j < k; j++) CHECK(strcmp(taken[j], taken[k]) != 0);
    }
    CHECK_EQ_INT(wfpool_take(p, root, &path, &fd), 0);

    /* a fill asked to stop after one file makes one; the next fill the rest, under new names */
    int calls = 0;
    CHECK_EQ_INT(wfpool_fill(p, stop_now, &calls), 1);
    CHECK_EQ_INT(wfpool_fill(p, NULL, NULL), WFPOOL_SPARES - 1);
    CHECK_EQ_INT(wfpool_take(p, root, &path, &fd), 1);
    for (int k = 0; k < WFPOOL_SPARES; k++) CHECK(path && strcmp(path, taken[k]) != 0);
    if (fd >= 0) close(fd);
    CHECK(path && unlink(path) == 0);
    free(path);

    /* free removes the one left (the taken ones belong to their takers) */
    wfpool_free(p);
    CHECK_EQ_INT(count_spares(root), WFPOOL_SPARES + 1); /* the taken ones and `own` */
    for (int k = 0; k < WFPOOL_SPARES; k++) {
        CHECK(unlink(taken[k]) == 0);
        free(taken[k]);
    }
    char cmd[200];
    snprintf(cmd, sizeof cmd, "rm -rf %s", root);
    CHECK(system(cmd) == 0);
    return check_summary();
}
