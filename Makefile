# The two commands of README.md: `make demo` and `make test`.  Both set the
# machine up first (scripts/bootstrap), then build.
LUA ?= lua5.4
BUILD ?= build
ASAN_BUILD ?= build-asan
JOBS ?= 2

.PHONY: all setup build asan demo test test-diff test-asan test-valgrind bench soak \
  format lint static clean

all: build

setup:
	@./scripts/bootstrap

build: setup
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	@cmake --build $(BUILD) -j $(JOBS)

asan: setup
	@cmake -S . -B $(ASAN_BUILD) -DUVNET_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug >/dev/null
	@cmake --build $(ASAN_BUILD) -j $(JOBS)

demo: build
	@$(LUA) scripts/demo.lua

test: build
	@busted

# Only the specs that compare uvnet with Node 22.
test-diff: build
	@busted --tags=diff

test-asan: asan
	@./scripts/test-asan

test-valgrind: build
	@./scripts/test-valgrind

bench: build
	@./bench/run

soak: build
	@./scripts/soak

format:
	@clang-format -i csrc/*.c csrc/*.h

lint: setup
	@luacheck -q lua spec examples bench scripts/*.lua bin/uvnet fuzz/socket_ops.lua

# clang-tidy (.clang-tidy) and cppcheck on csrc/; any finding fails.
static:
	@UVNET_BOOTSTRAP_EXTRA="cppcheck clang-tidy" ./scripts/bootstrap
	@./scripts/static-checks

clean:
	rm -rf $(BUILD) $(ASAN_BUILD)
