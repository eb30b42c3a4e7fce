/*
 * test_fs.c - core/fs: atomic writes appear complete under their final name and leave no temp file,
 * aborted writes leave nothing, reads of missing files, mkdir -p, leftover temp files cleared.
 */
#include <dirent.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "core/fs.h"

static int count_entries(const char *dir) {
    DIR *d = opendir(dir);
    if (!d) return -1;
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL)
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) n++;
    closedir(d);
    return n;
}

static void count_syncs(const char *dir, void *arg) {
    (void)dir;
    ++*(int *)arg;
}

int main(void) {
    char root[] = "/tmp/weir-test-fs-XXXXXX";
    CHECK(mkdtemp(root) != NULL);
    char dir[256], path[300], other[300];
    snprintf(dir, sizeof dir, "%s/a/b/c", root);
    WErr err;
    werr_init(&err);

    CHECK_EQ_INT(wfs_mkdirs(dir, &err), WEIR_OK);
    struct stat st;
    CHECK(stat(dir, &st) == 0 && S_ISDIR(st.st_mode));
    CHECK_EQ_INT(wfs_mkdirs(dir, &err), WEIR_OK); /* again: fine */

    /* a big file is flushed in the background as it grows (every few MB); its bytes, committed or
     * aborted mid-flush, are exactly what was written */
    for (int abort_it = 0; abort_it < 2; abort_it++) {
        char big[300];
        snprintf(big, sizeof big, "%s/big%d.bin", root, abort_it);
        WFileOut o;
        CHECK_EQ_INT(wfs_out_open(&o, big, &err), WEIR_OK);
        static unsigned char chunk[1 << 16];
        uint32_t h = 2166136261u, x = 12345;
        int ok = 1;
        for (int i = 0; i < 300 && ok; i++) { /* 19.7 MB */
            for (size_t k = 0; k < sizeof chunk; k++) {
                x = x * 1103515245u + 12345u;
                chunk[k] = (unsigned char)(x >> 16);
                h = (h ^ chunk[k]) * 16777619u;
            }
            ok = wfs_out_write(&o, chunk, sizeof chunk, &err) == WEIR_OK;
        }
        CHECK(ok);
        CHECK(o.flusher != NULL); /* the background flushing started */
        if (abort_it) {
            char tmp[400];
            snprintf(tmp, sizeof tmp, "%s", o.tmp_path);
            wfs_out_abort(&o);
            CHECK(!wfs_exists(tmp) && !wfs_exists(big));
            continue;
        }
        CHECK_EQ_INT(wfs_out_commit(&o, &err), WEIR_OK);
        WBuf rb;
        wbuf_init(&rb);
        CHECK_EQ_INT(wfs_read_file(big, &rb, NULL, &err), WEIR_OK);
        CHECK_EQ_INT((int64_t)rb.len, (int64_t)300 << 16);
        uint32_t h2 = 2166136261u;
        for (size_t k = 0; k < rb.len; k++) h2 = (h2 ^ (unsigned char)rb.data[k]) * 16777619u;
        CHECK(h2 == h);
        wbuf_fini(&rb);
    }

    /* several folders at once: each parent that gained a name is listed once, to be fsynced once */
    {
        WDirSync ds;
        wdirsync_init(&ds);
        char p1[300], p2[300], p3[300];
        snprintf(p1, sizeof p1, "%s/ck/offsets", root);
        snprintf(p2, sizeof p2, "%s/ck/commits", root);
        snprintf(p3, sizeof p3, "%s/ck/sources/0", root);
        CHECK_EQ_INT(wfs_mkdirs_in(p1, &ds, &err), WEIR_OK);
        CHECK_EQ_INT(wfs_mkdirs_in(p2, &ds, &err), WEIR_OK);
        CHECK_EQ_INT(wfs_mkdirs_in(p3, &ds, &err), WEIR_OK);
        CHECK_EQ_INT(ds.n, 3); /* root, root/ck, root/ck/sources */
        char ckd[300];
        snprintf(ckd, sizeof ckd, "%s/ck", root);
        CHECK_EQ_INT(wdirsync_add(&ds, ckd, &err), WEIR_OK); /* root/ck again */
        CHECK_EQ_INT(ds.n, 3);
        CHECK(stat(p3, &st) == 0 && S_ISDIR(st.st_mode));
        CHECK_EQ_INT(wdirsync_run(&ds, &err), WEIR_OK);
        CHECK_EQ_INT(ds.n, 0);
        CHECK_EQ_INT(wfs_mkdirs_in(p3, &ds, &err), WEIR_OK); /* exists: nothing to sync */
        CHECK_EQ_INT(ds.n, 0);
        CHECK_EQ_INT(wdirsync_add(&ds, "/nonexistent-weir-dir", &err), WEIR_OK);
        CHECK_EQ_INT(wdirsync_run(&ds, &err), WEIR_IO); /* a folder that cannot be opened is an error */
        CHECK(strstr(err.msg, "nonexistent-weir-dir") != NULL);
        werr_clear(&err);
        /* several, one of them failing: the error names it */
        CHECK_EQ_INT(wdirsync_add(&ds, p1, &err), WEIR_OK);
        CHECK_EQ_INT(wdirsync_add(&ds, p2, &err), WEIR_OK);
        CHECK_EQ_INT(wdirsync_add(&ds, "/nonexistent-weir-dir2", &err), WEIR_OK);
        CHECK_EQ_INT(wdirsync_add(&ds, p3, &err), WEIR_OK);
        CHECK_EQ_INT(wdirsync_run(&ds, &err), WEIR_IO);
        CHECK(strstr(err.msg, "nonexistent-weir-dir2") != NULL);
        CHECK_EQ_INT(ds.n, 0);
        werr_clear(&err);
    }

    /* the folder a path is in; trailing slashes belong to the name */
    {
        static const char *const cases[][2] = {{"a/b", "a"}, {"a/b/", "a"}, {"a/b//", "a"}, {"b", "."},
                                               {"b/", "."}, {"/a", "/"}, {"/a/", "/"}, {"/", "/"}};
        for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
            char *d = wfs_dir_of(cases[i][0]);
            CHECK(d && strcmp(d, cases[i][1]) == 0);
            free(d);
        }
    }

    /* a folder is skipped when an fsync of it that began after it was added has succeeded */
    {
        int calls = 0;
        wfs_observe_dir_syncs(count_syncs, &calls);
        char shared[300], sub[340];
        snprintf(shared, sizeof shared, "%s/shared", root);
        CHECK_EQ_INT(mkdir(shared, 0755), 0);
        WDirSync a, b;
        wdirsync_init(&a);
        wdirsync_init(&b);
        snprintf(sub, sizeof sub, "%s/x", shared);
        CHECK_EQ_INT(mkdir(sub, 0755), 0);
        CHECK_EQ_INT(wdirsync_add(&a, shared, &err), WEIR_OK); /* x's name */
        snprintf(sub, sizeof sub, "%s/y", shared);
        CHECK_EQ_INT(mkdir(sub, 0755), 0);
        CHECK_EQ_INT(wdirsync_add(&b, shared, &err), WEIR_OK); /* y's name */
        CHECK_EQ_INT(wdirsync_run(&b, &err), WEIR_OK);
        CHECK_EQ_INT(calls, 1);
        CHECK_EQ_INT(wdirsync_run(&a, &err), WEIR_OK); /* b's fsync covered x too */
        CHECK_EQ_INT(calls, 1);
        snprintf(sub, sizeof sub, "%s/z", shared);
        CHECK_EQ_INT(mkdir(sub, 0755), 0);
        CHECK_EQ_INT(wdirsync_add(&a, shared, &err), WEIR_OK); /* after that fsync: synced again */
        CHECK_EQ_INT(wdirsync_run(&a, &err), WEIR_OK);
        CHECK_EQ_INT(calls, 2);
        /* an fsync that began before the name was added does not cover it */
        CHECK_EQ_INT(wdirsync_add(&b, shared, &err), WEIR_OK);
        CHECK_EQ_INT(wfs_fsync_dir(shared, &err), WEIR_OK);
        CHECK_EQ_INT(wdirsync_add(&a, shared, &err), WEIR_OK);
        CHECK_EQ_INT(wdirsync_run(&b, &err), WEIR_OK);
        CHECK_EQ_INT(calls, 3);
        CHECK_EQ_INT(wdirsync_run(&a, &err), WEIR_OK);
        CHECK_EQ_INT(calls, 4);
        /* nor does a failed one: the folder is gone, its fsync fails, and it fails again */
        CHECK_EQ_INT(wdirsync_add(&a, "/nonexistent-weir-dir3", &err), WEIR_OK);
        CHECK_EQ_INT(wfs_fsync_dir("/nonexistent-weir-dir3", &err), WEIR_IO);
        werr_clear(&err);
        CHECK_EQ_INT(wdirsync_run(&a, &err), WEIR_IO);
        werr_clear(&err);
        wfs_observe_dir_syncs(NULL, NULL);
    }

    snprintf(path, sizeof path, "%s/file.txt", dir);
    CHECK_EQ_INT(wfs_write_atomic(path, "hello\n", 6, &err), WEIR_OK);
    CHECK_EQ_INT(count_entries(dir), 1);
    WBuf b;
    wbuf_init(&b);
    int missing = -1;
    CHECK_EQ_INT(wfs_read_file(path, &b, &missing, &err), WEIR_OK);
    CHECK_EQ_INT(missing, 0);
    CHECK_EQ_MEM(b.data, b.len, "hello\n", 6);

    /* replacing keeps one file with the new content */
    CHECK_EQ_INT(wfs_write_atomic(path, "bye", 3, &err), WEIR_OK);
    wbuf_reset(&b);
    CHECK_EQ_INT(wfs_read_file(path, &b, NULL, &err), WEIR_OK);
    CHECK_EQ_MEM(b.data, b.len, "bye", 3);
    CHECK_EQ_INT(count_entries(dir), 1);

    /* a streamed write is invisible until commit; abort leaves nothing */
    snprintf(other, sizeof other, "%s/big.bin", dir);
    WFileOut o;
    CHECK_EQ_INT(wfs_out_open(&o, other, &err), WEIR_OK);
    char chunk[4096];
    memset(chunk, 'x', sizeof chunk);
    for (int i = 0; i < 100; i++) CHECK_EQ_INT(wfs_out_write(&o, chunk, sizeof chunk, &err), WEIR_OK);
    CHECK(!wfs_exists(other));
    CHECK_EQ_INT(o.written, 409600);
    wfs_out_abort(&o);
    CHECK(!wfs_exists(other));
    CHECK_EQ_INT(count_entries(dir), 1);

    CHECK_EQ_INT(wfs_out_open(&o, other, &err), WEIR_OK);
    CHECK_EQ_INT(wfs_out_write(&o, chunk, 10, &err), WEIR_OK);
    CHECK_EQ_INT(wfs_out_commit(&o, &err), WEIR_OK);
    CHECK(stat(other, &st) == 0 && st.st_size == 10);

    /* a temp file left by a crash is removed, other names are kept */
    char tmp[300];
    snprintf(tmp, sizeof tmp, "%s/.left.tmp", dir);
    FILE *f = fopen(tmp, "w");
    CHECK(f != NULL);
    if (f) fclose(f);
    CHECK_EQ_INT(count_entries(dir), 3);
    CHECK_EQ_INT(wfs_remove_temps(dir, &err), WEIR_OK);
    CHECK_EQ_INT(count_entries(dir), 2);
    CHECK(!wfs_exists(tmp));

    /* the tree version: temporary files in subfolders (a sink's partitions, its _weir_metadata) go, other
     * files stay, '.'-named folders are not entered */
    {
        const char *mk[] = {"t/p=1/q=2", "t/_weir_metadata", "t/.hidden"};
        for (int i = 0; i < 3; i++) {
            snprintf(tmp, sizeof tmp, "%s/%s", root, mk[i]);
            CHECK_EQ_INT(wfs_mkdirs(tmp, &err), WEIR_OK);
        }
        const char *files[] = {"t/.a.tmp", "t/keep.csv", "t/p=1/.b.csv.tmp", "t/p=1/q=2/.spare-1-2.tmp",
                               "t/p=1/q=2/part.csv", "t/_weir_metadata/.0-9.compact.tmp", "t/_weir_metadata/3",
                               "t/.hidden/.c.tmp", "t/p=1/.tmp", "t/p=1/x.tmp"};
        for (int i = 0; i < 10; i++) {
            snprintf(tmp, sizeof tmp, "%s/%s", root, files[i]);
            CHECK_EQ_INT(wfs_write_atomic_lazy(tmp, "x", 1, &err), WEIR_OK);
        }
        snprintf(tmp, sizeof tmp, "%s/t", root);
        CHECK_EQ_INT(wfs_remove_temps_tree(tmp, &err), WEIR_OK);
        for (int i = 0; i < 10; i++) {
            snprintf(tmp, sizeof tmp, "%s/%s", root, files[i]);
            int temp = i == 0 || i == 2 || i == 3 || i == 5;
            CHECK_EQ_INT(wfs_exists(tmp), !temp);
        }
    }

    /* missing files */
    snprintf(tmp, sizeof tmp, "%s/nope", dir);
    wbuf_reset(&b);
    CHECK_EQ_INT(wfs_read_file(tmp, &b, &missing, &err), WEIR_OK);
    CHECK_EQ_INT(missing, 1);
    CHECK_EQ_INT(wfs_read_file(tmp, &b, NULL, &err), WEIR_IO);
    CHECK(strstr(err.msg, "nope") != NULL);
    werr_clear(&err);
    CHECK_EQ_INT(wfs_remove(tmp, &err), WEIR_OK);

    /* rename across folders, remove */
    snprintf(tmp, sizeof tmp, "%s/moved.bin", root);
    CHECK_EQ_INT(wfs_rename(other, tmp, &err), WEIR_OK);
    CHECK(wfs_exists(tmp) && !wfs_exists(other));
    CHECK_EQ_INT(wfs_remove(tmp, &err), WEIR_OK);
    CHECK(!wfs_exists(tmp));

    /* a folder where a file is: clear error */
    CHECK_EQ_INT(wfs_mkdirs(path, &err), WEIR_IO);
    CHECK(strstr(err.msg, "not a folder") != NULL);

    wbuf_fini(&b);
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf %s", root);
    CHECK(system(cmd) == 0);
    return check_summary();
}
