# hatch — a small, fast, trustworthy initramfs.
#
#   make          build build/init (installs build deps, builds the libraries once)
#   make check    unit tests, generator tests, ShellCheck, QEMU boot tests
#   make demo     boot the demo disk in QEMU with the console shown live
#   make bench    time in the initramfs, image size, build time
#
# Everything built or downloaded lands in build/ (git-ignored).

B        := build
DEPS     := $(B)/deps
PREFIX_D := $(DEPS)/prefix
KERNEL   := $(B)/kernel

MUSLCC   := musl-gcc
HOSTCC   ?= gcc
CSTD     := -std=c11 -D_GNU_SOURCE
WARN     := -Wall -Wextra -Werror -Wshadow -Wformat=2 -Wno-format-nonliteral
# Kernel headers for musl-gcc (see mk/build-libs.sh) and the libraries.
INCS     := -isystem $(DEPS)/inc -I$(PREFIX_D)/include
CFLAGS   := $(CSTD) $(WARN) -Os -ffunction-sections -fdata-sections $(INCS)
LDFLAGS  := -static -Wl,--gc-sections -s
LIBS     := $(PREFIX_D)/lib/libdevmapper.a $(PREFIX_D)/lib/libblkid.a $(PREFIX_D)/lib/libkmod.a

SRCS     := $(wildcard src/*.c)
OBJS     := $(SRCS:src/%.c=$(B)/obj/%.o)
HDRS     := $(wildcard src/*.h)

# Pure parts of src/, unit-tested on the host under the sanitizers.
PURE     := src/cmdline.c src/rootspec.c src/uevent.c src/mountopts.c src/veritycfg.c
UNIT     := $(wildcard tests/unit/*.c)

.PHONY: all deps libs check unit check-gen shellcheck e2e demo bench clean distclean kernel

all: $(B)/init

# Package installs are cheap to re-check; the stamp only avoids doing it on
# every make when nothing changed.
$(B)/.deps-ok: mk/deps.sh
	@mkdir -p $(B)
	@sh mk/deps.sh
	@touch $@
deps: $(B)/.deps-ok

$(PREFIX_D)/.all-done: mk/build-libs.sh | $(B)/.deps-ok
	@start=$$(date +%s); sh mk/build-libs.sh $(DEPS) && \
	  echo "hatch: libraries built in $$(( $$(date +%s) - start )) s"
libs: $(PREFIX_D)/.all-done

$(B)/obj/%.o: src/%.c $(HDRS) $(PREFIX_D)/.all-done
	@mkdir -p $(@D)
	$(MUSLCC) $(CFLAGS) -c -o $@ $<

$(B)/init: $(OBJS) $(LIBS)
	$(MUSLCC) $(CFLAGS) $(LDFLAGS) -o $@ $(OBJS) $(LIBS)
	@echo "hatch: build/init is $$(stat -c %s $@) bytes"

$(B)/checkinit: tests/checkinit/checkinit.c | $(B)/.deps-ok
	@mkdir -p $(B)
	$(MUSLCC) -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -Os -static -s -o $@ $<

$(KERNEL)/kver: qemu/fetch-kernel.sh | $(B)/.deps-ok
	sh qemu/fetch-kernel.sh $(KERNEL)
kernel: $(KERNEL)/kver

# --- tests -------------------------------------------------------------------
$(B)/unit-tests: $(UNIT) $(PURE) $(HDRS) | $(B)/.deps-ok
	@mkdir -p $(B)
	$(HOSTCC) $(CSTD) $(WARN) -g -O1 -fsanitize=address,undefined -fno-omit-frame-pointer \
	  -fno-sanitize-recover=all -Isrc -o $@ $(UNIT) $(PURE)

$(B)/test/fixtures/.done: tests/unit/mkfixtures.sh | $(B)/.deps-ok
	sh tests/unit/mkfixtures.sh $(B)/test/fixtures

unit: $(B)/unit-tests $(B)/test/fixtures/.done
	HATCH_FIXTURES=$(B)/test/fixtures $(B)/unit-tests

check-gen: $(B)/init $(KERNEL)/kver
	sh tests/gen/run.sh

SHELL_SCRIPTS = mkinitramfs.sh $(wildcard hooks/* mk/*.sh qemu/*.sh tests/*/*.sh) .ci/run
shellcheck: | $(B)/.deps-ok
	shellcheck -x $(SHELL_SCRIPTS)

e2e: $(B)/init $(B)/checkinit $(KERNEL)/kver
	sh tests/e2e/run.sh

check: unit shellcheck check-gen e2e

demo: $(B)/init $(B)/checkinit $(KERNEL)/kver
	sh qemu/demo.sh

bench: $(B)/init $(B)/checkinit $(KERNEL)/kver
	sh tests/bench.sh

clean:
	rm -rf $(B)/obj $(B)/init $(B)/checkinit $(B)/unit-tests $(B)/test
distclean:
	rm -rf $(B)
