# libhf_hub — two commands do everything on a fresh machine:
#   make demo   build, start the hub emulator with a demo repo, download through the C API
#   make test   every suite: Rust, C/C++ (ctest), Go, interop with the official Python client
#   make bench  release build; this library vs the official Python client and curl (see BENCHMARKS.md)
#   make docs   the C API reference (doxygen, warnings are errors) into build/docs/html
# The build is done once (cargo into target/, CMake into build/) and reused by every suite.

SHELL := /bin/bash
ROOT := $(abspath .)
BUILD := $(ROOT)/build
TOOLS := $(ROOT)/.tools
VENV := $(ROOT)/.venv
CARGO ?= cargo
CBINDGEN_VERSION := 0.29.4
TOXIPROXY_VERSION := v2.12.0
# The fault-injecting TCP proxy of tests/faults.rs (and of bench/run.sh, which runs `make toxiproxy`).
TOXIPROXY := $(TOOLS)/bin/toxiproxy-server
APT_PACKAGES := cmake ninja-build g++ pkg-config libgtest-dev googletest valgrind curl strace doxygen
export PATH := $(TOOLS)/bin:$(HOME)/.cargo/bin:/usr/local/go/bin:$(PATH)
export CARGO_TERM_COLOR := never

EMULATOR := $(ROOT)/target/debug/hub-emulator
# The staged library folder (CMake): libhf_hub.so with its SONAME chain (libhf_hub.so.0.<minor>).
LIB_DIR := $(BUILD)/lib
# The Go package finds the library through pkg-config (#cgo pkg-config: hf_hub); in-tree it uses an
# uninstalled hf_hub.pc that points at the build tree (written by the go-pc target).
GO_PC_DIR := $(BUILD)/pkgconfig-uninstalled
GO_ENV := PKG_CONFIG_PATH=$(GO_PC_DIR) CGO_LDFLAGS="-Wl,-rpath,$(LIB_DIR)" HF_EMULATOR_BIN=$(EMULATOR)

.PHONY: fuzz fuzz-smoke all deps apt-deps tools toxiproxy venv build cargo-build cmake-build header docs lint test test-rust test-c \
        go-pc test-go test-interop demo bench clean

all: build

# ---- what a fresh machine lacks -------------------------------------------------------------
deps: apt-deps tools toxiproxy venv

apt-deps:
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing; \
	fi

tools: $(TOOLS)/.cbindgen-$(CBINDGEN_VERSION)
$(TOOLS)/.cbindgen-$(CBINDGEN_VERSION):
	@if cbindgen --version 2>/dev/null | grep -q "$(CBINDGEN_VERSION)"; then \
	  echo "cbindgen $(CBINDGEN_VERSION) found"; \
	else \
	  $(CARGO) install --locked --quiet cbindgen --version $(CBINDGEN_VERSION) --root $(TOOLS); \
	fi
	@mkdir -p $(TOOLS) && touch $@

# toxiproxy-server from its Go module (go install builds `server`; renamed on the way in). Installed
# again when the binary is missing or was installed for another version (the stamp file).
toxiproxy:
	@if [ -x $(TOXIPROXY) ] && [ -f $(TOOLS)/.toxiproxy-$(TOXIPROXY_VERSION) ]; then :; else \
	  command -v go >/dev/null || { echo "go is needed to install toxiproxy (tests/faults.rs)"; exit 1; }; \
	  echo "installing toxiproxy-server $(TOXIPROXY_VERSION) into $(TOOLS)/bin"; \
	  gobin=$$(mktemp -d) && \
	  GOBIN=$$gobin go install github.com/Shopify/toxiproxy/v2/cmd/server@$(TOXIPROXY_VERSION) && \
	  mkdir -p $(TOOLS)/bin && mv $$gobin/server $(TOXIPROXY) && rm -rf $$gobin && \
	  rm -f $(TOOLS)/.toxiproxy-* && touch $(TOOLS)/.toxiproxy-$(TOXIPROXY_VERSION); \
	fi

venv: $(VENV)/.installed
$(VENV)/.installed: tests/interop/requirements.txt
	python3 -m venv $(VENV)
	$(VENV)/bin/pip install -q -r tests/interop/requirements.txt
	@touch $@

# ---- build once ---------------------------------------------------------------------------------
build: apt-deps cargo-build cmake-build

cargo-build:
	$(CARGO) build --workspace --all-targets

cmake-build: cargo-build
	cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=Debug -DHF_HUB_BUILD_TESTS=ON >/dev/null
	cmake --build $(BUILD)

# Regenerate the committed header after an ABI change.
header: tools
	cbindgen --config cbindgen.toml --output include/hf_hub.h

# The API reference from the header's doc comments (docs/Doxyfile): any doxygen warning fails.
docs: apt-deps
	@mkdir -p $(BUILD)/docs
	HF_HUB_VERSION=$$(sed -n 's/^version *= *"\(.*\)"/\1/p' Cargo.toml | head -n 1) doxygen docs/Doxyfile
	@echo "API reference: $(BUILD)/docs/html/index.html"

# ---- checks -------------------------------------------------------------------------------------
go-pc:
	@mkdir -p $(GO_PC_DIR)
	@printf 'Name: hf_hub\nDescription: libhf_hub (build tree)\nVersion: 0.1.0\nCflags: -I$(ROOT)/include\nLibs: -L$(LIB_DIR) -Wl,-rpath,$(LIB_DIR) -lhf_hub\nLibs.private: -lpthread -lutil -lrt -lm -ldl -lgcc_s\n' > $(GO_PC_DIR)/hf_hub.pc

lint: tools go-pc
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --workspace --all-targets -- -D warnings
	cd bindings/go && $(GO_ENV) go vet ./...
	@test -z "$$(gofmt -l bindings/go examples/go 2>/dev/null)" || { echo "gofmt:"; gofmt -l bindings/go examples/go; exit 1; }

test: deps build lint docs test-rust test-c test-go test-interop fuzz-smoke
	@echo "make test: all suites passed"

# Includes tests/header.rs, which fails when include/hf_hub.h differs from what cbindgen makes now,
# and tests/faults.rs, which runs toxiproxy-server (HF_TOXIPROXY_BIN) and fails without it.
test-rust: tools toxiproxy
	HF_TOXIPROXY_BIN=$(TOXIPROXY) $(CARGO) test --workspace --features hf_hub/fuzzing

# Every cargo-fuzz target (nightly, libFuzzer + ASan) briefly; `make fuzz` runs them longer.
# A crash fails the run and its input lands in fuzz/regressions/<target>/ (replayed by test-rust).
FUZZ_SMOKE_SECONDS ?= 10
FUZZ_SECONDS ?= 300
fuzz-smoke:
	FUZZ_SEED=1 bash scripts/fuzz.sh $(FUZZ_SMOKE_SECONDS)

fuzz:
	bash scripts/fuzz.sh $(FUZZ_SECONDS)

test-c: cmake-build
	ctest --test-dir $(BUILD) --output-on-failure -j2

test-go: cmake-build go-pc
	cd bindings/go && $(GO_ENV) go test -race -count=1 ./...
	cd bindings/go && $(GO_ENV) go test -count=1 -tags static -run 'TestStatusCodes|TestVersionNumber|TestDownload' ./...

test-interop: venv cmake-build go-pc
	HF_EMULATOR_BIN=$(EMULATOR) HF_DOWNLOAD_BIN=$(BUILD)/bin/hf_download HF_CACHE_BIN=$(BUILD)/bin/hf_cache $(VENV)/bin/python -m pytest tests/interop -q

# ---- demo ---------------------------------------------------------------------------------------
demo: build
	@bash scripts/demo.sh "$(EMULATOR)" "$(BUILD)/bin/hf_download" "$(BUILD)/demo"

# ---- benchmarks (not part of `make test`) -------------------------------------------------------
bench:
	bash bench/run.sh

clean:
	rm -rf $(BUILD) target
