# Thin wrapper over Meson. `make run` and `make check` are the two commands in the README.
BUILD ?= build
ASAN_BUILD ?= build-asan
FUZZ_BUILD ?= build-fuzz
MESON ?= meson

.PHONY: all setup build run check test asan fuzz bench clean install

all: build

setup:
	@scripts/setup.sh

$(BUILD)/build.ninja:
	$(MESON) setup $(BUILD) --buildtype=debugoptimized

build: setup $(BUILD)/build.ninja
	ninja -C $(BUILD)

# Until the gateway exists, prova's main job is the demo: canonicalize, sign, verify, detect an edit.
run: build
	./$(BUILD)/prova demo

# Every test: unit, vectors, CLI, differential (Python, Node, OpenSSL), sanitizers, fuzzers.
check: setup
	@scripts/check.sh

test: build
	$(MESON) test -C $(BUILD) --print-errorlogs

bench: build
	@bench/run.sh $(BUILD)

install: build
	$(MESON) install -C $(BUILD)

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(FUZZ_BUILD)
