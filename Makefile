# pg_gdpr: the user-facing entry point.
#   make run     install what is missing, build, start PostgreSQL + gdpr-proxy (foreground)
#   make test    install what is missing, build, run every test suite
#   make bench   run the benchmarks in bench/ (see bench/RESULTS.md)
# Options: SANITIZE=1 (ASan+UBSan build of the proxy and unit tests), BUILD_DIR=..., JOBS=2

JOBS      ?= 2
SANITIZE  ?= 0
ifeq ($(SANITIZE),1)
BUILD_DIR ?= build-asan
CMAKE_ARGS += -DGDPR_SANITIZE=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo
else
BUILD_DIR ?= build
CMAKE_ARGS += -DCMAKE_BUILD_TYPE=Release
endif

SUDO := $(shell [ "$$(id -u)" -eq 0 ] || echo sudo)

.PHONY: all setup configure build install run test unit regress e2e bench fuzz format clean

all: build

setup:
	@scripts/install-deps.sh

configure: setup
	@cmake -S . -B $(BUILD_DIR) $(CMAKE_ARGS) >/dev/null

build: configure
	@cmake --build $(BUILD_DIR) -j$(JOBS)

# Installs gdpr.so and its SQL scripts into the system PostgreSQL 15.
install: build
	@$(SUDO) cmake --install $(BUILD_DIR) >/dev/null

run: install
	@scripts/run.sh $(BUILD_DIR)

test: install
	@scripts/test.sh $(BUILD_DIR)

unit: build
	@ctest --test-dir $(BUILD_DIR) --output-on-failure -j$(JOBS)

regress: install
	@scripts/regress.sh $(BUILD_DIR)

e2e: install
	@scripts/e2e.sh $(BUILD_DIR)

bench: install
	@bench/run.sh $(BUILD_DIR)

fuzz: setup
	@scripts/fuzz.sh

format:
	@git ls-files '*.cpp' '*.hpp' | xargs clang-format -i

clean:
	rm -rf build build-asan build-fuzz .test
