# weir - build, test and run everything from here. See README.md.
#
#   make            build/weir, build/libweir.a, build/libweir.so, build/weir.pc
#   make install    PREFIX=/usr/local: header, libraries, pkg-config file, program
#   make test       every unit and conformance test (installs missing Debian packages first)
#   make sanitize   the same tests built with AddressSanitizer + UndefinedBehaviorSanitizer
#   make demo       generate click-stream data and run the main job on it
#   make fuzz-NAME  run libFuzzer target tests/fuzz/fuzz_NAME.c (FUZZ_SECONDS=120 by default)
#   make bench      throughput against DuckDB (bench/README.md)
#   make bench-json JSON decoder speed alone (bench/json_bench.c)
#   make bench-num  ns per double format/parse vs snprintf/strtod (bench/num_bench.c; BENCH_N=count)
#   make bench-stream  streaming latency (rename -> commit), availableNow throughput vs DuckDB, memory
#   make bench-forget  what a query remembers over a long run: maxFileAge and sink retention, defaults vs 10 s
#   make bench-stalls  what stops this machine's vCPUs: the stall probe beside a busy CPU, disk requests, both
#   make soak       the kill -9 exactly-once test with 500 kills (KILLS=N)
#   make bench-sql  SQL projection/filter vs DuckDB on the same rows (bench/sql_bench.sh; BENCH_ROWS=count)
#   make bench-agg  CSV -> window sums vs DuckDB, and state cost of 1M groups (bench/agg_bench.sh)
#
# CC=clang works too; every C file builds with -Wall -Wextra -Werror on gcc and clang.

CC ?= cc
BUILD ?= build
SANITIZE ?=
OPT ?= -O2
CFLAGS_BASE = -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -g $(OPT) -Iinclude -Isrc -fvisibility=hidden -fPIC
ifneq ($(SANITIZE),)
  CFLAGS_BASE += -fsanitize=$(SANITIZE) -fno-omit-frame-pointer -fno-sanitize-recover=all
  LDFLAGS += -fsanitize=$(SANITIZE)
endif
CFLAGS += $(CFLAGS_BASE)
LDLIBS = -lzstd -lsnappy -ldeflate -lz -lm -lpthread
PREFIX ?= /usr/local
# The version, read from include/weir.h so that it is written in one place.
WEIR_VERSION := $(shell sed -n 's/^\#define WEIR_VERSION "\(.*\)"/\1/p' include/weir.h)
WEIR_SO_MAJOR := $(firstword $(subst ., ,$(WEIR_VERSION)))

LAYERS = core formats formats/parquet sql exec stream api
LIB_SRC = $(foreach d,$(LAYERS),$(wildcard src/$(d)/*.c))
LIB_OBJ = $(LIB_SRC:%.c=$(BUILD)/obj/%.o)
CLI_SRC = $(wildcard src/cli/*.c)
CLI_OBJ = $(CLI_SRC:%.c=$(BUILD)/obj/%.o)
TEST_SRC = $(wildcard tests/unit/test_*.c)
TEST_BIN = $(TEST_SRC:tests/unit/%.c=$(BUILD)/tests/%)
FUZZ_SRC = $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_SECONDS ?= 120


# `make` alone builds `all` (FORCE below would otherwise be the first target).
.DEFAULT_GOAL := all
.PHONY: install FORCE
FORCE:
.PHONY: all test check sanitize demo bench bench-json bench-num deps clean fuzz-all fuzz-build
all: $(BUILD)/weir $(BUILD)/libweir.a $(BUILD)/libweir.so $(BUILD)/weir.pc

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -MMD -MP -c $< -o $@

$(BUILD)/libweir.a: $(LIB_OBJ)
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^

# The shared library exports only the WEIR_API (weir_*) symbols: everything else is built hidden.
$(BUILD)/libweir.so: $(LIB_OBJ)
	@mkdir -p $(dir $@)
	$(CC) -shared $(LDFLAGS) -Wl,-soname,libweir.so.$(WEIR_SO_MAJOR) -o $@ $^ $(LDLIBS)

# pkg-config file for the install prefix; private libs only matter to static linking.
$(BUILD)/weir.pc: FORCE
	@mkdir -p $(dir $@)
	printf '%s\n' 'prefix=$(PREFIX)' 'libdir=$${prefix}/lib' 'includedir=$${prefix}/include' '' \
	  'Name: weir' 'Description: stream-processing engine for event data in files' \
	  'Version: $(WEIR_VERSION)' 'Libs: -L$${libdir} -lweir' 'Libs.private: $(LDLIBS)' \
	  'Cflags: -I$${includedir}' > $@

# make install PREFIX=/some/where: header, both libraries (with the soname link), pkg-config file, program.
install: all
	install -d $(DESTDIR)$(PREFIX)/include $(DESTDIR)$(PREFIX)/lib/pkgconfig $(DESTDIR)$(PREFIX)/bin
	install -m 644 include/weir.h $(DESTDIR)$(PREFIX)/include/weir.h
	install -m 644 $(BUILD)/libweir.a $(DESTDIR)$(PREFIX)/lib/libweir.a
	install -m 755 $(BUILD)/libweir.so $(DESTDIR)$(PREFIX)/lib/libweir.so.$(WEIR_VERSION)
	ln -sf libweir.so.$(WEIR_VERSION) $(DESTDIR)$(PREFIX)/lib/libweir.so.$(WEIR_SO_MAJOR)
	ln -sf libweir.so.$(WEIR_SO_MAJOR) $(DESTDIR)$(PREFIX)/lib/libweir.so
	install -m 644 $(BUILD)/weir.pc $(DESTDIR)$(PREFIX)/lib/pkgconfig/weir.pc
	install -m 755 $(BUILD)/weir $(DESTDIR)$(PREFIX)/bin/weir

# The program is linked statically (libc, the compression libraries, snappy's C++ runtime, all from Debian's
# -dev packages): loading libstdc++ and five more shared libraries took 7.4 ms of CPU and 129 page faults
# at every start here, against 2.0 ms and 35 static (`perf stat -r 30 build/weir --help`), and the startup
# goal is 10 ms (bench/RESULTS.md). Sanitizer builds link them shared. libweir.so is unchanged.
ifeq ($(SANITIZE),)
  CLI_LDLIBS = -static -lzstd -lsnappy -ldeflate -lz -lstdc++ -lm -lpthread
else
  CLI_LDLIBS = $(LDLIBS)
endif
$(BUILD)/weir: $(CLI_OBJ) $(BUILD)/libweir.a
	$(CC) $(LDFLAGS) -o $@ $(CLI_OBJ) $(BUILD)/libweir.a $(CLI_LDLIBS)

$(BUILD)/tests/%: tests/unit/%.c tests/unit/check.h $(BUILD)/libweir.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -Itests/unit -MMD -MP -o $@ $< $(BUILD)/libweir.a $(LDFLAGS) $(LDLIBS)

deps:
	@scripts/deps.sh

# The test runner runs every tests/unit program and the command-line tests in tests/cli, then prints
# one summary line "N passed, N failed".
test: deps
	@$(MAKE) --no-print-directory all tests-bin
	@BUILD=$(BUILD) tests/run.sh

# agg_driver: the aggregation run over CSV/JSON files, for tests/cli/agg_oracle.sh and bench/agg_bench.sh
tests-bin: $(TEST_BIN) $(BUILD)/tests/agg_driver
check: test

sanitize: deps
	@$(MAKE) --no-print-directory BUILD=build-san SANITIZE=address,undefined OPT=-O1 all tests-bin
	@BUILD=build-san WEIR_SANITIZED=1 ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 tests/run.sh

# libFuzzer targets: tests/fuzz/fuzz_NAME.c defines LLVMFuzzerTestOneInput; corpus in tests/fuzz/corpus/NAME.
FUZZ_CFLAGS = -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -g -O1 -Iinclude -Isrc -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all
build-fuzz/fuzz_%: tests/fuzz/fuzz_%.c $(LIB_SRC) $(wildcard tests/unit/*.h)
	@mkdir -p build-fuzz
	clang $(FUZZ_CFLAGS) -o $@ $< $(LIB_SRC) $(LDLIBS)
fuzz-build: $(FUZZ_SRC:tests/fuzz/%.c=build-fuzz/%)
fuzz-%: build-fuzz/fuzz_%
	@mkdir -p build-fuzz/corpus-$*
	$< -max_total_time=$(FUZZ_SECONDS) -max_len=65536 -rss_limit_mb=2048 build-fuzz/corpus-$* $(wildcard tests/fuzz/corpus/$*)
fuzz-all: $(FUZZ_SRC:tests/fuzz/fuzz_%.c=fuzz-%)

demo: deps all
	@scripts/demo.sh

bench: deps all
	@bench/run.sh

# JSON decoder speed on 2M seed-style records in memory (bench/json_bench.c)
bench-json: $(BUILD)/libweir.a
	$(CC) $(CFLAGS) -o $(BUILD)/json_bench bench/json_bench.c $(BUILD)/libweir.a $(LDLIBS)
	$(BUILD)/json_bench

# ns per double format/parse against snprintf("%.17g") and strtod (bench/num_bench.c)
bench-num: $(BUILD)/libweir.a
	$(CC) $(CFLAGS) -o $(BUILD)/num_bench bench/num_bench.c $(BUILD)/libweir.a $(LDLIBS)
	$(BUILD)/num_bench $(BENCH_N)

clean:
	rm -rf build build-san build-fuzz

-include $(LIB_OBJ:.o=.d) $(CLI_OBJ:.o=.d) $(TEST_BIN:=.d)

# The seed's stage 2 (CSV -> 30 s window sums) against DuckDB, and the state cost of 1M groups (bench/agg_bench.sh).
.PHONY: bench-agg
bench-agg: deps $(BUILD)/libweir.a
	bash bench/agg_bench.sh $(BENCH_ROWS)

# CSV codec throughput on seed-like flat rows (bench/csv_bench.c).
.PHONY: bench-csv
bench-csv: $(BUILD)/libweir.a
	$(CC) $(CFLAGS) -o $(BUILD)/csv_bench bench/csv_bench.c $(BUILD)/libweir.a $(LDLIBS)
	$(BUILD)/csv_bench $(BENCH_ROWS)

# Streaming: exactly-once soak (500 SIGKILLs while `weir gen` writes; tests/cli/stream_exactly_once.sh) and the
# latency / throughput / memory benchmark of the streaming runtime (bench/stream_bench.sh, results in
# bench/RESULTS.md).
.PHONY: soak bench-stream
soak: all
	KILLS=$${KILLS:-500} BUILD=$(BUILD) bash tests/cli/stream_exactly_once.sh

$(BUILD)/stream_latency: bench/stream_latency.c $(BUILD)/libweir.a
	$(CC) $(CFLAGS) -o $@ $< $(BUILD)/libweir.a $(LDFLAGS) $(LDLIBS)

$(BUILD)/stream_startup: bench/stream_startup.c
	$(CC) $(CFLAGS) -o $@ $<

$(BUILD)/disk_flush: bench/disk_flush.c
	$(CC) $(CFLAGS) -o $@ $< -lpthread

$(BUILD)/stall_probe: bench/stall_probe.c
	$(CC) $(CFLAGS) -o $@ $< -lpthread

bench-stream: all $(BUILD)/stream_latency $(BUILD)/stream_startup $(BUILD)/disk_flush $(BUILD)/stall_probe
	BUILD=$(BUILD) bash bench/stream_bench.sh

$(BUILD)/stall_load: bench/stall_load.c
	$(CC) $(CFLAGS) -o $@ $<

# What stops this machine's vCPUs: the stall probe beside a busy CPU, disk requests, and both (bench/stall_budget.sh).
.PHONY: bench-stalls
bench-stalls: $(BUILD)/stall_probe $(BUILD)/stall_load
	BUILD=$(BUILD) bash bench/stall_budget.sh

# What a query remembers over a long run, defaults against maxFileAge and retention of 10 seconds (bench/source_forget.sh).
.PHONY: bench-forget
bench-forget: all $(BUILD)/stream_startup
	BUILD=$(BUILD) bash bench/source_forget.sh

# The SQL projection/filter operator against DuckDB on the same in-memory rows (bench/sql_bench.sh; BENCH_ROWS=count).
.PHONY: bench-sql
bench-sql: $(BUILD)/libweir.a
	bash bench/sql_bench.sh $(BENCH_ROWS)
