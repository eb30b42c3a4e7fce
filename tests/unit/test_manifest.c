/*
 * test_manifest.c - the compaction of a file sink's manifest into size-tiered segments (stream/manifest.h,
 * stream/segments.h), and reading it incrementally as a downstream query's source does:
 *   - segment names, and the chain a listing keeps (a merge interrupted by a crash leaves the merged
 *     segment and its inputs: the longest wins; only covered leftovers are removed);
 *   - 2,000 batches committed with compactInterval 10: every file listed once, in order, by a full read;
 *     at most 12 segments at any time; and what the compactions write in all, and what a reader that
 *     follows every commit reads in all, stay within 12 times the final manifest's size (compacting into
 *     one file of everything, as Spark does, writes about 100 times it and such a reader reads about 1,000
 *     times it);
 *   - wmanifest_read_since gives exactly the files of the later batches, reading only files that hold them;
 *     wmanifest_read_last (a sink's open) reads only the last entry, or nothing when a segment holds it;
 *   - an older weir's (Spark-style) "N.compact" is read as batches 0..N and merged away; an entry missing
 *     after a segment is reported as damage, and so is a damaged entry that a compaction meets;
 *   - a reader that reads the whole manifest, or incrementally, while a child process commits 3,000 batches
 *     and compacts every 2, gets every batch, in order, and never a read that fails or goes back.
 */
#include <dirent.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "stream/manifest.h"
#include "stream/segments.h"

static char root[] = "/tmp/weir-test-manifest-XXXXXX";

static void segment_names(void) {
    WSeg s;
    CHECK(wseg_parse_name("0-9.compact", 0, &s) && s.first == 0 && s.last == 9 && !s.legacy);
    CHECK(wseg_parse_name("10-10.compact", 0, &s) && s.first == 10 && s.last == 10);
    CHECK(!wseg_parse_name("9-8.compact", 1, &s));
    CHECK(!wseg_parse_name("9.compact", 0, &s));
    CHECK(wseg_parse_name("9.compact", 1, &s) && s.first == 0 && s.last == 9 && s.legacy);
    CHECK(!wseg_parse_name("9", 1, &s));
    CHECK(!wseg_parse_name("0-9.compact.tmp", 1, &s));
    CHECK(!wseg_parse_name(".0-9.compact", 1, &s));
    CHECK(!wseg_parse_name("0-99999999999999999999.compact", 1, &s));
    char p[100];
    s = (WSeg){0, 9, 0, 1};
    wseg_path("d", &s, p, sizeof p);
    CHECK_EQ_STR(p, "d/9.compact");
    s.legacy = 0;
    wseg_path("d", &s, p, sizeof p);
    CHECK_EQ_STR(p, "d/0-9.compact");

    /* a merge of 0-9, 10-19 and 20-29 into 0-29 interrupted before its clean-up, and a segment after a gap */
    char dir[300];
    snprintf(dir, sizeof dir, "%s/names", root);
    CHECK(mkdir(dir, 0755) == 0);
    const char *names[] = {"0-9.compact", "10-19.compact", "20-29.compact", "0-29.compact", "30-39.compact",
                           "50-59.compact", "0-9.compact.tmp", "12"};
    for (int i = 0; i < 8; i++) {
        char f[400];
        snprintf(f, sizeof f, "%s/%s", dir, names[i]);
        FILE *fp = fopen(f, "w");
        CHECK(fp != NULL);
        if (fp) fclose(fp);
    }
    WSeg *segs;
    int n;
    WErr err;
    werr_init(&err);
    CHECK_EQ_INT(wseg_list(dir, 0, 1, &segs, &n, &err), WEIR_OK);
    CHECK_EQ_INT(n, 2);
    if (n == 2) CHECK(segs[0].first == 0 && segs[0].last == 29 && segs[1].first == 30 && segs[1].last == 39);
    free(segs);
    /* tidy removed the covered leftovers, not the segment after the gap */
    struct stat st;
    char f[400];
    snprintf(f, sizeof f, "%s/10-19.compact", dir);
    CHECK(stat(f, &st) != 0);
    snprintf(f, sizeof f, "%s/50-59.compact", dir);
    CHECK(stat(f, &st) == 0);

    /* the merge rule: the newest segments while each is at most twice what it merges with */
    WSeg tiers[] = {{0, 0, 800, 0}, {0, 0, 200, 0}, {0, 0, 100, 0}, {0, 0, 40, 0}};
    int64_t bytes = 30;
    CHECK_EQ_INT(wseg_merge_start(tiers, 4, &bytes), 1); /* 40 <= 2 * 30, 100 <= 2 * 70, 200 <= 2 * 170, 800 > 2 * 370 */
    CHECK_EQ_INT(bytes, 370);
    bytes = 10;
    CHECK_EQ_INT(wseg_merge_start(tiers, 4, &bytes), 4);
    CHECK_EQ_INT(bytes, 10);
    bytes = 1000;
    CHECK_EQ_INT(wseg_merge_start(tiers, 4, &bytes), 0);
    CHECK_EQ_INT(bytes, 2140);
}

typedef struct Folder {
    char names[64][64];
    int64_t sizes[64];
    int n;
} Folder;

static void list_folder(const char *dir, Folder *f) {
    f->n = 0;
    DIR *d = opendir(dir);
    struct dirent *e;
    while (d && (e = readdir(d)) != NULL && f->n < 64) {
        if (e->d_name[0] == '.') continue;
        char p[400];
        struct stat st;
        snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
        snprintf(f->names[f->n], sizeof f->names[0], "%.63s", e->d_name);
        f->sizes[f->n++] = stat(p, &st) == 0 ? (int64_t)st.st_size : -1;
    }
    if (d) closedir(d);
}

static int has_name(const Folder *f, const char *name) {
    for (int i = 0; i < f->n; i++)
        if (!strcmp(f->names[i], name)) return 1;
    return 0;
}

static int count_segments(const Folder *f) {
    int n = 0;
    for (int i = 0; i < f->n; i++) n += strstr(f->names[i], ".compact") != NULL;
    return n;
}

/* m holds exactly the files of batches from..to, one per batch, in order, as committed below */
static int holds(const WManifest *m, int64_t from, int64_t to) {
    if (m->n != to - from + 1) return 0;
    for (int64_t i = 0; i < m->n; i++) {
        char want[64];
        snprintf(want, sizeof want, "part-%05" PRId64 ".csv", from + i);
        if (m->files[i].batch != from + i || strcmp(m->files[i].path, want) != 0 || m->files[i].rows != from + i)
            return 0;
    }
    return 1;
}

static int commit_one(const char *dir, int64_t b, int interval) {
    char name[64];
    snprintf(name, sizeof name, "part-%05" PRId64 ".csv", b);
    WManifestFile f = {name, 100 + b, b, b};
    WErr err;
    werr_init(&err);
    int rc = wmanifest_commit(dir, b, &f, 1, interval, NULL, &err);
    if (rc) fprintf(stderr, "commit %" PRId64 ": %s\n", b, err.msg);
    return rc;
}

static void put(const char *path, const char *text) {
    FILE *f = fopen(path, "w");
    CHECK(f != NULL);
    if (!f) return;
    fputs(text, f);
    fclose(f);
}

static void scaling(void) {
    enum { BATCHES = 2000 };
    char dir[300], meta[400];
    snprintf(dir, sizeof dir, "%s/scale", root);
    snprintf(meta, sizeof meta, "%s/_weir_metadata", dir);
    CHECK(mkdir(dir, 0755) == 0);
    int64_t written = 0, read_following = 0, seen = -1;
    int max_segments = 0, failed = 0, wrong = 0;
    Folder before, after;
    list_folder(meta, &before);
    for (int64_t b = 0; b < BATCHES; b++) {
        failed += commit_one(dir, b, 10) != 0;
        /* what the compaction wrote: the segments that are new since the last commit */
        list_folder(meta, &after);
        for (int i = 0; i < after.n; i++)
            if (strstr(after.names[i], ".compact") && !has_name(&before, after.names[i])) written += after.sizes[i];
        if (count_segments(&after) > max_segments) max_segments = count_segments(&after);
        before = after;
        /* a downstream reader after every commit */
        WManifest m;
        wmanifest_init(&m);
        WErr err;
        werr_init(&err);
        failed += wmanifest_read_since(dir, seen, &m, &err) != WEIR_OK;
        wrong += !holds(&m, seen + 1, b) || m.last_batch != b;
        read_following += m.bytes_read;
        seen = m.last_batch;
        wmanifest_fini(&m);
    }
    CHECK_EQ_INT(failed, 0);
    CHECK_EQ_INT(wrong, 0);
    WManifest all;
    wmanifest_init(&all);
    WErr err;
    werr_init(&err);
    CHECK_EQ_INT(wmanifest_read(dir, &all, &err), WEIR_OK);
    CHECK(holds(&all, 0, BATCHES - 1));
    CHECK_EQ_INT(all.last_batch, BATCHES - 1);
    int64_t size = all.bytes_read;
    wmanifest_fini(&all);
    printf("manifest of %d batches: %" PRId64 " bytes; compactions wrote %" PRId64 ", a following reader read %" PRId64
           "; at most %d segments\n", BATCHES, size, written, read_following, max_segments);
    CHECK(max_segments <= 12);
    CHECK(written <= 12 * size);
    CHECK(read_following <= 12 * size);

    /* read_since at every point of the last 30 batches: exactly the later files, from the files holding them */
    for (int64_t since = BATCHES - 31; since < BATCHES; since++) {
        WManifest m;
        wmanifest_init(&m);
        CHECK_EQ_INT(wmanifest_read_since(dir, since, &m, &err), WEIR_OK);
        CHECK(holds(&m, since + 1, BATCHES - 1));
        CHECK_EQ_INT(m.last_batch, BATCHES - 1);
        int64_t expect = 0;
        for (int i = 0; i < after.n; i++) {
            WSeg s;
            char *end;
            if (wseg_parse_name(after.names[i], 1, &s) ? s.last > since : strtoll(after.names[i], &end, 10) > since)
                expect += after.sizes[i];
        }
        CHECK_EQ_INT(m.bytes_read, expect);
        wmanifest_fini(&m);
    }

    /* wmanifest_read_last, what a sink's open reads: the last batch in a segment (nothing read), in an entry
     * (that entry read), and an entry after it cut short (being filled: the one before counts) */
    WManifest m;
    wmanifest_init(&m);
    CHECK_EQ_INT(wmanifest_read_last(dir, &m, &err), WEIR_OK);
    CHECK(m.last_batch == BATCHES - 1 && m.n == 0 && m.bytes_read == 0);
    wmanifest_fini(&m);
    CHECK_EQ_INT(commit_one(dir, BATCHES, 10), WEIR_OK);
    char p[500];
    snprintf(p, sizeof p, "%s/%d", meta, BATCHES + 1);
    const char *cut = "v1\n{\"path\":\"part-x.csv\",\"si";
    put(p, cut);
    struct stat st;
    snprintf(p, sizeof p, "%s/%d", meta, BATCHES);
    CHECK(stat(p, &st) == 0);
    wmanifest_init(&m);
    CHECK_EQ_INT(wmanifest_read_last(dir, &m, &err), WEIR_OK);
    CHECK(m.last_batch == BATCHES && holds(&m, BATCHES, BATCHES));
    CHECK_EQ_INT(m.bytes_read, st.st_size + (int64_t)strlen(cut));
    wmanifest_fini(&m);
}

/* An older weir's 9.compact (batches 0..9, Spark's naming) and entries 10..13 */
static void legacy(void) {
    char dir[300], meta[400], p[500];
    snprintf(dir, sizeof dir, "%s/legacy", root);
    snprintf(meta, sizeof meta, "%s/_weir_metadata", dir);
    CHECK(mkdir(dir, 0755) == 0 && mkdir(meta, 0755) == 0);
    char text[4096] = "v1\n";
    for (int b = 0; b < 10; b++) {
        size_t l = strlen(text);
        snprintf(text + l, sizeof text - l, "{\"path\":\"part-%05d.csv\",\"size\":%d,\"rows\":%d,\"batch\":%d}\n", b,
                 100 + b, b, b);
    }
    snprintf(p, sizeof p, "%s/9.compact", meta);
    put(p, text);
    for (int b = 10; b < 14; b++) {
        snprintf(p, sizeof p, "%s/%d", meta, b);
        snprintf(text, sizeof text, "v1\n{\"path\":\"part-%05d.csv\",\"size\":%d,\"rows\":%d,\"batch\":%d}\n", b,
                 100 + b, b, b);
        put(p, text);
    }
    WManifest m;
    wmanifest_init(&m);
    WErr err;
    werr_init(&err);
    CHECK_EQ_INT(wmanifest_read(dir, &m, &err), WEIR_OK);
    CHECK(holds(&m, 0, 13));
    wmanifest_fini(&m);
    /* commits up to 19, compacting at 19: the 10 new entries merge with 9.compact, which goes */
    for (int64_t b = 14; b < 20; b++) CHECK_EQ_INT(commit_one(dir, b, 10), WEIR_OK);
    Folder f;
    list_folder(meta, &f);
    CHECK_EQ_INT(f.n, 1);
    CHECK(has_name(&f, "0-19.compact"));
    wmanifest_init(&m);
    CHECK_EQ_INT(wmanifest_read(dir, &m, &err), WEIR_OK);
    CHECK(holds(&m, 0, 19));
    wmanifest_fini(&m);
    /* an entry lost after a segment (removed by hand) is damage, named, not a read that never ends */
    for (int64_t b = 20; b < 23; b++) CHECK_EQ_INT(commit_one(dir, b, 10), WEIR_OK);
    snprintf(p, sizeof p, "%s/21", meta);
    CHECK(unlink(p) == 0);
    wmanifest_init(&m);
    werr_clear(&err);
    CHECK_EQ_INT(wmanifest_read(dir, &m, &err), WEIR_CORRUPT);
    CHECK(strstr(err.msg, "no entry for batch 21") != NULL);
    CHECK_EQ_INT(m.n, 0);
    wmanifest_fini(&m);
}

/* What a compaction finds: a damaged entry is reported naming it (nothing is compacted or removed); an
 * empty one (made ahead, never filled) holds nothing. */
static void compaction_checks(void) {
    char dir[300], meta[400], p[500];
    snprintf(dir, sizeof dir, "%s/checks", root);
    snprintf(meta, sizeof meta, "%s/_weir_metadata", dir);
    CHECK(mkdir(dir, 0755) == 0);
    for (int64_t b = 0; b < 4; b++) CHECK_EQ_INT(commit_one(dir, b, 0), WEIR_OK);
    snprintf(p, sizeof p, "%s/2", meta);
    put(p, "v1\n{\"path\":\"part-00002.csv\",\"size\":");
    WErr err;
    werr_init(&err);
    CHECK_EQ_INT(wmanifest_compact(dir, 3, 0, &err), WEIR_CORRUPT);
    CHECK(strstr(err.msg, "_weir_metadata/2") != NULL);
    Folder f;
    list_folder(meta, &f);
    CHECK_EQ_INT(f.n, 4);
    CHECK_EQ_INT(count_segments(&f), 0);
    put(p, "");
    werr_clear(&err);
    CHECK_EQ_INT(wmanifest_compact(dir, 3, 0, &err), WEIR_OK);
    list_folder(meta, &f);
    CHECK(f.n == 1 && has_name(&f, "0-3.compact"));
    WManifest m;
    wmanifest_init(&m);
    CHECK_EQ_INT(wmanifest_read(dir, &m, &err), WEIR_OK);
    CHECK(m.n == 3 && m.last_batch == 3 && m.files[0].batch == 0 && m.files[1].batch == 1 && m.files[2].batch == 3);
    wmanifest_fini(&m);
}

/* retention (Spark's time to live of output files): entries committed longer ago than it leave the
 * manifest at the compactions; newer ones, and an older weir's entries without modificationTime, stay. */
static void retention(void) {
    char dir[300], meta[400], p[500];
    snprintf(dir, sizeof dir, "%s/retention", root);
    snprintf(meta, sizeof meta, "%s/_weir_metadata", dir);
    WErr err;
    werr_init(&err);
    CHECK_EQ_INT(wfs_mkdirs(meta, &err), 0);
    for (int64_t b = 0; b < 10; b++) CHECK_EQ_INT(commit_one(dir, b, 10), 0);
    /* an older weir's entry for batch 10 (no modificationTime) */
    snprintf(p, sizeof p, "%s/10", meta);
    put(p, "v1\n{\"path\":\"part-00010.csv\",\"size\":110,\"rows\":10,\"batch\":10}\n");
    struct timespec ts = {1, 300 * 1000000};
    nanosleep(&ts, NULL);                              /* batches 0..10 are now over 1 s old */
    for (int64_t b = 11; b < 40; b++) {
        CHECK_EQ_INT(commit_one(dir, b, 0), 0);
        if ((b + 1) % 10 == 0) CHECK_EQ_INT(wmanifest_compact(dir, b, 1000, &err), 0);
    }
    WManifest m;
    wmanifest_init(&m);
    CHECK_EQ_INT(wmanifest_read(dir, &m, &err), 0);
    CHECK(holds(&m, 10, 39));                          /* 0..9 gone; 10 (no time) and 11..39 (new) stay */
    CHECK_EQ_INT(m.last_batch, 39);
    wmanifest_fini(&m);
    /* without retention nothing leaves */
    snprintf(dir, sizeof dir, "%s/retention0", root);
    snprintf(meta, sizeof meta, "%s/_weir_metadata", dir);
    CHECK_EQ_INT(wfs_mkdirs(meta, &err), 0);
    for (int64_t b = 0; b < 40; b++) CHECK_EQ_INT(commit_one(dir, b, 10), 0);
    wmanifest_init(&m);
    CHECK_EQ_INT(wmanifest_read(dir, &m, &err), 0);
    CHECK(holds(&m, 0, 39));
    wmanifest_fini(&m);
}

/* A child commits 3000 one-file batches with compactInterval 2 while this process reads, the whole manifest
 * each time or (incremental) what is new since its last read: every read succeeds, never goes back, and
 * holds exactly the batches it reports. */
static void concurrent(int incremental) {
    char dir[300];
    snprintf(dir, sizeof dir, "%s/concurrent%d", root, incremental);
    CHECK(mkdir(dir, 0755) == 0);
    enum { BATCHES = 3000 };
    pid_t pid = fork();
    if (pid == 0) {
        for (int64_t b = 0; b < BATCHES; b++)
            if (commit_one(dir, b, 2)) _exit(1);
        _exit(0);
    }
    int reads = 0, failed = 0, wrong = 0, status = 0, done = 0;
    int64_t seen = -1;
    while (!done) {
        done = waitpid(pid, &status, WNOHANG) != 0; /* one more read after the child ends */
        WManifest m;
        wmanifest_init(&m);
        WErr err;
        werr_init(&err);
        int64_t after = incremental ? seen : -1;
        if (wmanifest_read_since(dir, after, &m, &err)) {
            if (failed++ == 0) fprintf(stderr, "concurrent read: %s\n", err.msg);
        } else {
            reads++;
            if (m.last_batch < seen || !holds(&m, after + 1, m.last_batch)) wrong++;
            seen = m.last_batch;
        }
        wmanifest_fini(&m);
    }
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    CHECK(reads > 10);
    CHECK_EQ_INT(failed, 0);
    CHECK_EQ_INT(wrong, 0);
    CHECK_EQ_INT(seen, BATCHES - 1);
}

int main(void) {
    CHECK(mkdtemp(root) != NULL);
    segment_names();
    scaling();
    legacy();
    compaction_checks();
    retention();
    concurrent(0);
    concurrent(1);
    char cmd[200];
    snprintf(cmd, sizeof cmd, "rm -rf %s", root);
    CHECK(system(cmd) == 0);
    return check_summary();
}
