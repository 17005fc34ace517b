# Socket Gateway — the developer entry points. `make help` lists them.
BUILD      ?= build
ASAN_BUILD ?= build-asan
FUZZ_BUILD ?= build-fuzz
FUZZ_SECONDS ?= 30
JOBS       ?= $(shell nproc)
PORT       ?= 8000
HOST       ?= 127.0.0.1
DEV_SECRET ?= dev-secret-change-me
SOAK_SECONDS ?= 600

.PHONY: help deps test-deps python-package demo-deps build build-asan run run-uvicorn run-server test test-unit test-e2e test-python test-bench-smoke test-asan wheel deb test-package fuzz-deps fuzz bench-deps bench bench-full bench-recovery soak clean

help:
	@echo "make build      install missing packages, build build/socket-gateway"
	@echo "make run        install the Python package, start the FastAPI demo (python -m socket_gateway serve) on $(HOST):$(PORT)"
	@echo "make run-uvicorn the same demo under uvicorn"
	@echo "make run-server build and start the standalone socket-gateway on port $(PORT) with a development secret"
	@echo "make test       build, then unit, layering, end-to-end, ASGI-mode and browser tests"
	@echo "make test-asan  the same tests on an AddressSanitizer+UBSan build ($(ASAN_BUILD))"
	@echo "make wheel      the self-contained manylinux wheel (package + server) and the sdist in dist/"
	@echo "make deb        the server's Debian package in dist/"
	@echo "make test-package  wheel and .deb installed and run in a clean Debian 12 root (debootstrap)"
	@echo "make fuzz       build the libFuzzer targets ($(FUZZ_BUILD), clang) and run each FUZZ_SECONDS=$(FUZZ_SECONDS) s"
	@echo "make bench      the quick benchmarks against the peers (about 15 min): BENCHMARKS.md; bench-full: all of it"
	@echo "make bench-recovery  ours with connection-state recovery on against off only (about 3 min)"
	@echo "make soak       soak and churn, SOAK_SECONDS=$(SOAK_SECONDS) of load on one node then on two (Redis): docs/reliability.md"

deps:
	@scripts/install-deps.sh

test-deps: deps
	@scripts/install-test-deps.sh

# The socket_gateway package in .venv (pip install ., skipped when its sources did not change).
python-package: deps
	@scripts/install-python-package.sh

demo-deps: python-package
	@examples/fastapi_app/install-deps.sh

$(BUILD)/build.ninja:
	cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo

build: deps $(BUILD)/build.ninja
	cmake --build $(BUILD) -j $(JOBS)

$(ASAN_BUILD)/build.ninja:
	cmake -S . -B $(ASAN_BUILD) -G Ninja -DCMAKE_BUILD_TYPE=Debug -DSG_SANITIZE=ON

build-asan: deps $(ASAN_BUILD)/build.ninja
	cmake --build $(ASAN_BUILD) -j $(JOBS)

# The demo takes SOCKET_GATEWAY_JWT_SECRET from the environment (a development default otherwise).
# `serve` is the fast way (our C++ host owns the port, FastAPI gets the rest as ASGI); the same
# app file runs under uvicorn too.
run: demo-deps
	cd examples/fastapi_app && ../../.venv/bin/python -m socket_gateway serve app:app --host $(HOST) --port $(PORT)

run-uvicorn: demo-deps
	cd examples/fastapi_app && ../../.venv/bin/python -m uvicorn app:app --host $(HOST) --port $(PORT)

run-server: build
	SOCKET_GATEWAY_JWT_SECRET=$${SOCKET_GATEWAY_JWT_SECRET:-$(DEV_SECRET)} \
	  $(BUILD)/socket-gateway --port $(PORT)

test-unit: build
	ctest --test-dir $(BUILD) --output-on-failure -j $(JOBS)

test-e2e: build test-deps python-package
	SG_BUILD_DIR=$(BUILD) .venv/bin/python -m pytest tests/e2e -q
	cd tests/e2e/node && SG_BUILD_DIR=../../../$(BUILD) node --test --test-concurrency=1

# The package beside FastAPI, every test under both uvicorn and `python -m socket_gateway serve`
# (python-socketio, socket.io-client, raw HTTP), and the demo in Chromium. SG_TEST_SERVERS=serve
# (or uvicorn) runs one kind. Not in test-asan: the package is not built with sanitizers.
test-python: test-deps demo-deps
	.venv/bin/python -m pytest tests/python -q

# The load generator's smoke run against our server, and the benchmark peers' contract check (node, python, serve).
test-bench-smoke: build test-deps python-package
	SG_BUILD_DIR=$(BUILD) .venv/bin/python -m pytest -c tests/bench/pytest.ini tests/bench -q

test: test-unit test-e2e test-python test-bench-smoke

test-asan: build-asan test-deps python-package
	ctest --test-dir $(ASAN_BUILD) --output-on-failure -j $(JOBS)
	SG_BUILD_DIR=$(ASAN_BUILD) SG_SANITIZED=1 .venv/bin/python -m pytest tests/e2e -q
	cd tests/e2e/node && SG_BUILD_DIR=../../../$(ASAN_BUILD) SG_SANITIZED=1 node --test --test-concurrency=1

# Every parser's libFuzzer target (tests/fuzz, docs/fuzzing.md), built with clang, ASan and
# UBSan, each run FUZZ_SECONDS on a scratch copy of its seed corpus; fails on any crash, leak
# or timeout.
fuzz-deps: deps
	@scripts/install-fuzz-deps.sh

$(FUZZ_BUILD)/build.ninja:
	cmake -S . -B $(FUZZ_BUILD) -G Ninja -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_COMPILER=clang++ -DSG_FUZZ=ON \
	  -DSG_BUILD_PROGRAMS=OFF -DSG_BUILD_BENCH=OFF

fuzz: fuzz-deps
	$(MAKE) --no-print-directory $(FUZZ_BUILD)/build.ninja
	cmake --build $(FUZZ_BUILD) --target fuzz -j $(JOBS)
	tests/fuzz/run.sh $(FUZZ_BUILD) $(FUZZ_SECONDS)

# Packages: the wheel (extension + server binary, Boost/OpenSSL/hiredis static, auditwheel-repaired
# to a manylinux tag) and the sdist, the server's .deb (CPack), in dist/; build trees in
# build-package/. test-package installs them in a clean Debian 12 root made by debootstrap
# (cached under /var/cache/socket-gateway-test-root) and gets pushes through; needs root.
wheel: deps
	@scripts/build-wheel.sh

deb: deps
	@scripts/build-deb.sh

test-package: wheel deb test-deps
	.venv/bin/python -m pytest -c tests/package/pytest.ini tests/package -q

# Benchmarks (not part of make test): ours (standalone and serve), ASGI mode, Node socket.io and
# python-socketio under one contract, servers on core 0 and sg-loadgen on core 1; the REST
# scenario (serve, uvicorn, granian under wrk); writes BENCHMARKS.md and bench/results/.
bench-deps: build python-package test-deps
	bench/install-deps.sh

bench: bench-deps
	SG_BUILD_DIR=$(BUILD) .venv/bin/python bench/run.py --quick

bench-full: bench-deps
	SG_BUILD_DIR=$(BUILD) .venv/bin/python bench/run.py --full

# Only the standalone server with recovery on against off (S2, S3, S6): its report beside its
# .jsonl in bench/results/, and BENCHMARKS.md's recovery section.
bench-recovery: build test-deps
	SG_BUILD_DIR=$(BUILD) .venv/bin/python bench/run.py --only recovery

# Soak and churn (bench/soak, not a test): SOAK_SECONDS of churning clients, emits and
# non-readers against one node, then against two nodes on a private redis-server; rewrites the
# generated part of docs/reliability.md. About 2 x (SOAK_SECONDS + 70 s).
soak: build test-deps
	.venv/bin/pip install -q -r bench/requirements.txt
	SG_BUILD_DIR=$(BUILD) .venv/bin/python bench/soak/run.py --seconds $(SOAK_SECONDS) --doc

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(FUZZ_BUILD)
