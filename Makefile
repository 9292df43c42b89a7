# SPDX-License-Identifier: GPL-2.0
#
# vgen top-level Makefile. Everything is built under build/ (git-ignored);
# downloaded and built kernels are cached in $(VGEN_CACHE), outside the
# repository. See README.md and Documentation/testing.md.
#
#   make            vgen.ko against KDIR, libvgen, the selftests
#   make module     vgen.ko against KDIR only (build/kmod-<kver>/vgen.ko)
#   make check      host tests, then the selftests in the test VM on the
#                   stock 6.1, stock 6.12 and debug kernels
#   make run        the two-VP demo guest (vgen-run --vps 2 demo.elf) in the
#                   stock-kernel VM
#   make style      checkpatch on kmod/ and uapi/
#   make deps       install the Debian packages needed
#   make clean      remove build/ (not the kernel cache)

VGEN_CACHE ?= $(HOME)/.cache/vgen
export VGEN_CACHE

SRC   := $(CURDIR)
BUILD := $(SRC)/build
VM    := $(SRC)/selftests/vm
# build/ is fixed: the scripts under selftests/vm use it too.
export VGEN_BUILD := $(BUILD)

LINUX_SOURCE := /usr/src/linux-source-6.1.tar.xz
LINUX_PREFIX := linux-source-6.1

# KDIR: the running kernel's build tree if there is one, else the stock
# test kernel's headers (resolved and installed by build-module).
RUNNING_KDIR := /lib/modules/$(shell uname -r)/build
KDIR ?= $(if $(wildcard $(RUNNING_KDIR)/Makefile),$(RUNNING_KDIR))

SUBMAKE := $(MAKE) --no-print-directory

.PHONY: all module libvgen kselftest selftests check run style deps \
	deps-check clean bench bench-vm fuzz

all: deps-check module libvgen selftests

# ---------------------------------------------------------------- deps
deps:
	$(VM)/deps

# Cheap check (dpkg-query); runs `make deps` only if something is missing.
deps-check:
	@$(VM)/deps --check 2>/dev/null || $(SUBMAKE) deps

# --------------------------------------------------------------- module
module:
	@$(VM)/build-module $(if $(KDIR),$(KDIR),--kernel stock)

# --------------------------------------------------------------- libvgen
# autoreconf when configure is missing or older than its inputs.
libvgen/configure: libvgen/configure.ac $(wildcard libvgen/Makefile.am)
	cd libvgen && autoreconf -fi
	touch $@

$(BUILD)/libvgen/config.status: libvgen/configure
	mkdir -p $(BUILD)/libvgen
	cd $(BUILD)/libvgen && $(SRC)/libvgen/configure --enable-static

libvgen: $(BUILD)/libvgen/config.status
	$(SUBMAKE) -C $(BUILD)/libvgen

# ----------------------------------------------------- kselftest headers
KSELFTEST_HDRS := kselftest_harness.h kselftest.h

$(BUILD)/kselftest/kselftest_harness.h: $(LINUX_SOURCE)
	mkdir -p $(BUILD)/kselftest
	tar -xJf $(LINUX_SOURCE) -C $(BUILD)/kselftest \
		--strip-components=4 --touch \
		$(addprefix $(LINUX_PREFIX)/tools/testing/selftests/,$(KSELFTEST_HDRS))

kselftest: $(BUILD)/kselftest/kselftest_harness.h

# ------------------------------------------------------------- selftests
selftests/configure: selftests/configure.ac $(wildcard selftests/Makefile.am)
	cd selftests && autoreconf -fi
	touch $@

$(BUILD)/selftests/config.status: selftests/configure \
		$(BUILD)/libvgen/config.status \
		$(BUILD)/kselftest/kselftest_harness.h
	mkdir -p $(BUILD)/selftests
	cd $(BUILD)/selftests && $(SRC)/selftests/configure \
		--with-libvgen-src=$(SRC)/libvgen \
		--with-libvgen-build=$(BUILD)/libvgen \
		--with-kselftest=$(BUILD)/kselftest

selftests: libvgen kselftest $(BUILD)/selftests/config.status
	$(SUBMAKE) -C $(BUILD)/selftests

# ----------------------------------------------------------------- check
# Host tests first, then one VM boot per kernel running every test program.
LIST_TESTS  = $(SUBMAKE) -s -C $(BUILD)/selftests list-tests
LIST_GUESTS = $(SUBMAKE) -s -C $(BUILD)/selftests list-guests

# vgenctl goes into the VM next to the tests (netlink_test runs it).
check: all
	@guests=$$($(LIST_GUESTS)) && tests=$$($(LIST_TESTS)) && \
	$(VM)/check --svp $(SRC)/selftests/svp \
		$$(for g in $$guests; do echo --guest $$g; done) \
		--guest $(BUILD)/libvgen/vgenctl $$tests

run: all
	@guests=$$($(LIST_GUESTS)) && \
	$(VM)/vgen-vm --kernel stock --add $(BUILD)/libvgen/vgen-run \
		$$(for g in $$guests; do echo --add $$g; done) \
		-- vgen-run --vps 2 --stats demo.elf

# ------------------------------------------------------------------ fuzz
# Host only: selftests/svp/difftest with random seeds next to a libFuzzer
# target on the interpreter's decode and execute (needs clang).
fuzz:
	$(MAKE) -C selftests/svp fuzz

# ----------------------------------------------------------------- bench
# Host benchmark: workloads natively, in the software VP and in unicorn;
# prints one markdown table (see Documentation/benchmarks.md).
bench: deps-check
	$(MAKE) -C selftests/bench run
	$(MAKE) bench-vm

# In the test VM (stock kernel): exit, interrupt and VP-creation latencies
# of the vgen and KVM backends side by side (selftests/vm_bench.c).
bench-vm: all
	$(VM)/vgen-vm --kernel stock --timeout 3600 \
		--add $(BUILD)/selftests/vm_bench -- vm_bench

# ----------------------------------------------------------------- style
CHECKPATCH := $(BUILD)/checkpatch/scripts/checkpatch.pl

$(CHECKPATCH): $(LINUX_SOURCE)
	mkdir -p $(BUILD)/checkpatch
	tar -xJf $(LINUX_SOURCE) -C $(BUILD)/checkpatch \
		--strip-components=1 --touch \
		$(LINUX_PREFIX)/scripts/checkpatch.pl \
		$(LINUX_PREFIX)/scripts/spelling.txt \
		$(LINUX_PREFIX)/scripts/const_structs.checkpatch

style: $(CHECKPATCH)
	perl $(CHECKPATCH) --no-tree --terse -f \
		$(filter-out kmod/compat.h,$(wildcard kmod/*.[ch])) uapi/linux/vgen.h
	@# compat.h exists to test LINUX_VERSION_CODE, so only that is allowed.
	perl $(CHECKPATCH) --no-tree --terse --ignore LINUX_VERSION_CODE -f \
		kmod/compat.h

# ----------------------------------------------------------------- clean
clean:
	rm -rf $(BUILD)
