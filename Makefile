# Multi-agency meetings service.
#
#   make run     set up everything needed and run the service locally
#   make test    set up everything needed and run every test
#   make valgrind  the API tests against the service under memcheck (slow)
#   make bench / make scale  the benchmark; three instances behind nginx
#   make build   compile build/release/mam
#   make clean   remove build output (not the local databases: see clean-data)
#
# MODE=asan builds with AddressSanitizer and UBSan into build/asan/; the tests
# use it. Every build treats warnings as errors.

MODE ?= release
BUILD_ROOT ?= build
B := $(BUILD_ROOT)/$(MODE)

PKGS := libulfius librhonabwy jansson libpq liborcania libyder gnutls libmicrohttpd
TEST_PKGS := criterion libcurl

CC ?= cc
WARN := -Wall -Wextra -Werror -Wshadow -Wformat=2 -Wstrict-prototypes -Wmissing-prototypes \
        -Wno-missing-field-initializers
# Every build but release honours the X-Test-Now header (src/core/clock.h),
# so that tests move the clock instead of waiting for it. MODE=testing is
# release's code and optimisation with the test clock: make valgrind and
# make scale run the API tests against it.
ifeq ($(MODE),asan)
  OPT := -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
  TEST_DEFS := -DMAM_TEST_CLOCK
else ifeq ($(MODE),release)
  OPT := -O2 -g
else ifeq ($(MODE),testing)
  OPT := -O2 -g
  TEST_DEFS := -DMAM_TEST_CLOCK
else ifeq ($(MODE),fuzz)
  # libFuzzer needs clang; the library is instrumented, the harnesses link the fuzzer
  CC := clang
  OPT := -O1 -g -fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer
  FUZZ_LINK := -fsanitize=fuzzer,address,undefined
  TEST_DEFS := -DMAM_TEST_CLOCK
else
  $(error MODE must be release, testing, asan or fuzz)
endif

# pkg-config runs only when compiling, after the set-up scripts have had the
# chance to install the packages.
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS))
PKG_LIBS = $(shell pkg-config --libs $(PKGS))
TEST_CFLAGS = $(shell pkg-config --cflags $(TEST_PKGS))
TEST_LIBS = $(shell pkg-config --libs $(TEST_PKGS))

CFLAGS_ALL = -std=c11 -D_GNU_SOURCE $(TEST_DEFS) $(WARN) $(OPT) -Isrc -I$(B)/gen $(PKG_CFLAGS) -MMD -MP
LDFLAGS_ALL = $(OPT) -pthread

SRC := $(sort $(shell find src -name '*.c'))
LIB_SRC := $(filter-out src/main.c,$(SRC))
LIB_OBJ := $(patsubst src/%.c,$(B)/obj/%.o,$(LIB_SRC)) $(B)/obj/gen/migrations.o
MAIN_OBJ := $(B)/obj/main.o
MIGRATIONS := $(sort $(wildcard sql/[0-9][0-9][0-9]_*.sql)) $(sort $(wildcard sql/functions/*.sql))

UNIT_SRC := $(sort $(wildcard tests/unit/*.c))
API_SRC := $(sort $(wildcard tests/api/*.c))
FAULT_SRC := $(sort $(wildcard tests/faults/*.c))
SUPPORT_SRC := $(sort $(wildcard tests/support/*.c))
FUZZ_SRC := $(sort $(wildcard tests/fuzz/fuzz_*.c))
FUZZERS := $(patsubst tests/fuzz/%.c,$(B)/%,$(FUZZ_SRC))
UNIT_OBJ := $(patsubst tests/%.c,$(B)/obj/tests/%.o,$(UNIT_SRC))
SUPPORT_OBJ := $(patsubst tests/%.c,$(B)/obj/tests/%.o,$(SUPPORT_SRC))
API_OBJ := $(patsubst tests/%.c,$(B)/obj/tests/%.o,$(API_SRC))
FAULT_OBJ := $(patsubst tests/%.c,$(B)/obj/tests/%.o,$(FAULT_SRC))

.PHONY: build tests fuzzers fuzz faults run test valgrind bench scale clean clean-data token
.DEFAULT_GOAL := build

build: $(B)/mam
tests: $(B)/test-unit $(B)/test-api $(B)/test-faults

$(B)/mam: $(LIB_OBJ) $(MAIN_OBJ)
	$(CC) $(LDFLAGS_ALL) -o $@ $^ $(PKG_LIBS)

$(B)/libmam.a: $(LIB_OBJ)
	rm -f $@
	ar rcs $@ $^

$(B)/test-unit: $(UNIT_OBJ) $(B)/libmam.a
	$(CC) $(LDFLAGS_ALL) -o $@ $^ $(PKG_LIBS) $(TEST_LIBS)

$(B)/test-api: $(API_OBJ) $(SUPPORT_OBJ) $(B)/libmam.a
	$(CC) $(LDFLAGS_ALL) -o $@ $^ $(PKG_LIBS) $(TEST_LIBS)

$(B)/test-faults: $(FAULT_OBJ) $(SUPPORT_OBJ) $(B)/libmam.a
	$(CC) $(LDFLAGS_ALL) -o $@ $^ $(PKG_LIBS) $(TEST_LIBS)

fuzzers: $(FUZZERS)

$(B)/fuzz_%: $(B)/obj/tests/fuzz/fuzz_%.o $(B)/libmam.a
	$(CC) $(FUZZ_LINK) -o $@ $^ $(PKG_LIBS)

$(B)/obj/%.o: src/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) -c -o $@ $<

$(B)/obj/tests/%.o: tests/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) $(TEST_CFLAGS) -Itests -c -o $@ $<

$(B)/gen/migrations.c: $(MIGRATIONS) sql/gen-migrations.sh
	@mkdir -p $(dir $@)
	sql/gen-migrations.sh $@

$(B)/obj/gen/migrations.o: $(B)/gen/migrations.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) -c -o $@ $<

run:
	@deploy/run-local.sh

# The benchmark against the machine's own limits; writes bench/RESULTS.md.
bench:
	@bench/run.sh

# Three instances on this machine behind nginx: the API tests through the
# balancer, then the benchmark mix at 1 to 3 instances (bench/RESULTS.md).
scale:
	@bench/scale.sh

# Every libFuzzer harness for FUZZ_SECONDS (default 300) each; findings are
# kept under build/fuzz/findings. make test runs each for 20 seconds.
fuzz:
	@tests/fuzz/run.sh $(or $(FUZZ_SECONDS),300)

# Only the fault tests (database stopped under load, SIGTERM and SIGKILL
# under writes, two instances, hostile connections, connection pressure,
# framing, PostgreSQL crashed during commits, TLS), on make test's set-up;
# make test runs them too.
faults:
	@TEST_ONLY=faults tests/run.sh

test:
	@tests/run.sh

# The service under valgrind's memcheck while the API tests run against it;
# fails on any memcheck error or definite leak. Slow, so not part of make test.
valgrind:
	@tests/valgrind.sh

# A development token for the local service, e.g.
#   make token ARGS='--sub dev-1 --name "Dev One" --agency LA-CSC --roles practitioner'
token:
	@deploy/run-local.sh token $(ARGS)

clean:
	rm -rf build

# Stops the local clusters and deletes their data.
clean-data:
	-@deploy/local-db.sh stop pg 2>/dev/null
	-@deploy/local-db.sh stop pg-test 2>/dev/null
	rm -rf .data

-include $(shell find $(BUILD_ROOT) -name '*.d' 2>/dev/null)
