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

# prova's main job: the gateway on 127.0.0.1:8080 with its store, key and development token under ./var.
run: build
	./$(BUILD)/prova serve

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
