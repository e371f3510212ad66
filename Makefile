# Thin wrapper over Meson. `make run` and `make check` are the two commands in the README.
BUILD ?= build
ASAN_BUILD ?= build-asan
FUZZ_BUILD ?= build-fuzz
MESON ?= meson

PORT ?= 8080
DATA ?= var

.PHONY: all setup build run start stop reload check test asan fuzz fuzz-long crash-test bench clean install

all: build

setup:
	@scripts/setup.sh

$(BUILD)/build.ninja:
	$(MESON) setup $(BUILD) --buildtype=debugoptimized

build: setup $(BUILD)/build.ninja
	ninja -C $(BUILD)

# prova's main job: the gateway on 127.0.0.1:$(PORT) with its store, key and development token under $(DATA).
run: build
	./$(BUILD)/prova serve --listen 127.0.0.1:$(PORT) --data $(DATA)

# The same in the background: the log in $(DATA)/serve.log, the process id in $(DATA)/serve.pid; returns once the
# gateway answers /health. `make reload` re-reads the trusted senders (SIGHUP); `make stop` stops it (SIGTERM).
start: build
	@scripts/background.sh start ./$(BUILD)/prova $(PORT) $(DATA)

stop:
	@scripts/background.sh stop ./$(BUILD)/prova $(PORT) $(DATA)

reload:
	@scripts/background.sh reload ./$(BUILD)/prova $(PORT) $(DATA)

# Every test: unit, vectors, CLI, differential (Python, Node, OpenSSL), sanitizers, fuzzers.
check: setup
	@scripts/check.sh

# Long fuzzing (not part of check): every target for FUZZ_LONG_SECONDS, then its corpus minimized into fuzz/corpus.
FUZZ_LONG_SECONDS ?= 900
fuzz-long: setup
	@scripts/fuzz-long.sh $(FUZZ_LONG_SECONDS)

# The kill -9 crash harness (not part of check, which runs 3 cycles): N cycles of writes, kill -9, restart, check.
N ?= 100
crash-test: setup
	@scripts/crash-test.sh $(N)

test: build
	$(MESON) test -C $(BUILD) --print-errorlogs

bench: build
	@bench/run.sh $(BUILD)

install: build
	$(MESON) install -C $(BUILD)

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(FUZZ_BUILD)
