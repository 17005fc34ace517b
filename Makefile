# Socket Gateway — the developer entry points. `make help` lists them.
BUILD      ?= build
ASAN_BUILD ?= build-asan
JOBS       ?= $(shell nproc)
PORT       ?= 8000

.PHONY: help deps test-deps build build-asan run test test-unit test-e2e test-asan clean

help:
	@echo "make build      install missing packages, build build/socket-gateway"
	@echo "make run        build and start the server on port $(PORT) with a development secret"
	@echo "make test       build, then unit, layering and end-to-end tests"
	@echo "make test-asan  the same tests on an AddressSanitizer+UBSan build ($(ASAN_BUILD))"

deps:
	@scripts/install-deps.sh

test-deps: deps
	@scripts/install-test-deps.sh

$(BUILD)/build.ninja:
	cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo

build: deps $(BUILD)/build.ninja
	cmake --build $(BUILD) -j $(JOBS)

$(ASAN_BUILD)/build.ninja:
	cmake -S . -B $(ASAN_BUILD) -G Ninja -DCMAKE_BUILD_TYPE=Debug -DSG_SANITIZE=ON

build-asan: deps $(ASAN_BUILD)/build.ninja
	cmake --build $(ASAN_BUILD) -j $(JOBS)

run: build
	SOCKET_GATEWAY_JWT_SECRET=$${SOCKET_GATEWAY_JWT_SECRET:-dev-secret-change-me} \
	  $(BUILD)/socket-gateway --port $(PORT)

test-unit: build
	ctest --test-dir $(BUILD) --output-on-failure -j $(JOBS)

test-e2e: build test-deps
	SG_BUILD_DIR=$(BUILD) .venv/bin/python -m pytest tests/e2e -q
	cd tests/e2e/node && SG_BUILD_DIR=../../../$(BUILD) node --test --test-concurrency=1

test: test-unit test-e2e

test-asan: build-asan test-deps
	ctest --test-dir $(ASAN_BUILD) --output-on-failure -j $(JOBS)
	SG_BUILD_DIR=$(ASAN_BUILD) SG_SANITIZED=1 .venv/bin/python -m pytest tests/e2e -q
	cd tests/e2e/node && SG_BUILD_DIR=../../../$(ASAN_BUILD) SG_SANITIZED=1 node --test --test-concurrency=1

clean:
	rm -rf $(BUILD) $(ASAN_BUILD)
