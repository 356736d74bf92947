# hatch — a small, fast, trustworthy initramfs.
#
#   make          build build/init and build/luks-unlock (installs build deps,
#                 builds the libraries once)
#   make check    unit tests, generator tests, ShellCheck, QEMU boot tests
#   make demo     boot the demo disk in QEMU with the console shown live
#   make bench    time in the initramfs, image size, build time
#   make fuzz     libFuzzer targets tests/fuzz/fuzz_*.c, FUZZ_S seconds each
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
LIBS     := $(PREFIX_D)/lib/libdevmapper.a $(PREFIX_D)/lib/libblkid.a \
            $(PREFIX_D)/lib/libkmod.a $(PREFIX_D)/lib/libzstd.a
# luks-unlock, the program the luks hook adds for the init to unlock LUKS
# with: libcryptsetup before what it uses, json-c (LUKS2 metadata), libuuid
# and libdevmapper. Linked into the init, it was 330 KB of 780.
LUKS_SRC  := src/luksunlock.c
LUKS_OBJS := $(B)/obj/luksunlock.o $(B)/obj/luksflags.o $(B)/obj/log.o
LUKS_LIBS := $(PREFIX_D)/lib/libcryptsetup.a $(PREFIX_D)/lib/libjson-c.a \
            $(PREFIX_D)/lib/libuuid.a $(PREFIX_D)/lib/libdevmapper.a
# Which libcryptsetup was built, for --version (the library cannot say);
# read when compiling, after the libraries are built.
DEFS      = -DHATCH_CRYPTSETUP_VERSION='"$(shell cat $(PREFIX_D)/cryptsetup.version 2>/dev/null)"'


SRCS     := $(filter-out $(LUKS_SRC),$(wildcard src/*.c))
OBJS     := $(SRCS:src/%.c=$(B)/obj/%.o)
HDRS     := $(wildcard src/*.h)

# Pure parts of src/, unit-tested on the host under the sanitizers.
PURE     := src/cmdline.c src/rootspec.c src/uevent.c src/mountopts.c src/veritycfg.c \
	src/luksconf.c src/luksflags.c src/usrcfg.c \
	src/policy.c src/btrfssb.c src/mdconf.c
PURE     += src/lvmcfg.c
UNIT     := $(wildcard tests/unit/*.c)

.PHONY: all deps libs check unit check-gen check-gen-boot shellcheck e2e demo bench clean \
	distclean kernel install install-kernel-hook uninstall fuzz fuzz-build

PREFIX  ?= /usr/local
DESTDIR ?=

all: $(B)/init $(B)/luks-unlock

# Package installs are cheap to re-check; the stamp only avoids doing it on
# every make when nothing changed.
$(B)/.deps-ok: mk/deps.sh
	@mkdir -p $(B)
	@sh mk/deps.sh
	@touch $@
deps: $(B)/.deps-ok

$(PREFIX_D)/.all-done: mk/build-libs.sh | $(B)/.deps-ok
	@start=$$(date +%s); sh mk/build-libs.sh $(DEPS) && touch $@ && \
	  echo "hatch: libraries ready in $$(( $$(date +%s) - start )) s"
libs: $(PREFIX_D)/.all-done

$(B)/obj/%.o: src/%.c $(HDRS) $(PREFIX_D)/.all-done
	@mkdir -p $(@D)
	@echo "  CC      $<"
	@$(MUSLCC) $(CFLAGS) $(DEFS) -c -o $@ $<

$(B)/init: $(OBJS) $(LIBS)
	@echo "  LD      $@"
	@$(MUSLCC) $(CFLAGS) $(LDFLAGS) -o $@ $(OBJS) $(LIBS)
	@echo "hatch: build/init is $$(stat -c %s $@) bytes"

$(B)/luks-unlock: $(LUKS_OBJS) $(LUKS_LIBS)
	@echo "  LD      $@"
	@$(MUSLCC) $(CFLAGS) $(LDFLAGS) -o $@ $(LUKS_OBJS) $(LUKS_LIBS)
	@echo "hatch: build/luks-unlock is $$(stat -c %s $@) bytes"

$(B)/checkinit: tests/checkinit/checkinit.c | $(B)/.deps-ok
	@mkdir -p $(B)
	$(MUSLCC) -std=c11 -Wall -Wextra -Werror -Os -static -s -o $@ $<

$(B)/bench-hello: tests/bench-hello.c | $(B)/.deps-ok
	@mkdir -p $(B)
	$(MUSLCC) -std=c11 -Wall -Wextra -Werror -Os -static -s -o $@ $<

$(KERNEL)/kver: qemu/fetch-kernel.sh | $(B)/.deps-ok
	sh qemu/fetch-kernel.sh $(KERNEL)
kernel: $(KERNEL)/kver

# The ELF kernel inside the bzImage, which the tests boot through QEMU's PVH
# entry (qemu/pvh-kernel.sh says why); the demo and the bench boot the bzImage.
$(KERNEL)/vmlinux: $(KERNEL)/kver qemu/pvh-kernel.sh
	sh qemu/pvh-kernel.sh $(KERNEL)/vmlinuz $@

# --- tests -------------------------------------------------------------------
$(B)/unit-tests: $(UNIT) $(PURE) $(HDRS) | $(B)/.deps-ok
	@mkdir -p $(B)
	$(HOSTCC) $(CSTD) $(WARN) -g -O1 -fsanitize=address,undefined -fno-omit-frame-pointer \
	  -fno-sanitize-recover=all -Isrc -o $@ $(UNIT) $(PURE)

$(B)/test/fixtures/.done: tests/unit/mkfixtures.sh | $(B)/.deps-ok
	sh tests/unit/mkfixtures.sh $(B)/test/fixtures

unit: $(B)/unit-tests $(B)/test/fixtures/.done
	HATCH_FIXTURES=$(B)/test/fixtures $(B)/unit-tests

# libFuzzer: each tests/fuzz/fuzz_NAME.c is linked with the pure sources into
# build/fuzz/fuzz_NAME; tests/fuzz/run.sh runs every one on its seed corpus
# tests/fuzz/corpus/NAME/ for FUZZ_S seconds, two at a time.
FUZZCC      ?= clang
FUZZ_CFLAGS := $(CSTD) -g -O1 -fno-omit-frame-pointer -fsanitize=fuzzer,address,undefined \
	-fno-sanitize-recover=all -Wall -Wextra -Isrc
FUZZ_BINS   := $(patsubst tests/fuzz/fuzz_%.c,$(B)/fuzz/fuzz_%,$(wildcard tests/fuzz/fuzz_*.c))
FUZZ_S      ?= 60

$(B)/fuzz/fuzz_%: tests/fuzz/fuzz_%.c tests/fuzz/fuzz.h $(PURE) $(HDRS) | $(B)/.deps-ok
	@mkdir -p $(@D)
	@echo "  FUZZCC  $@"
	@$(FUZZCC) $(FUZZ_CFLAGS) -o $@ $< $(PURE)

fuzz-build: $(FUZZ_BINS)
fuzz: $(FUZZ_BINS)
	FUZZ_S=$(FUZZ_S) sh tests/fuzz/run.sh

$(B)/kvm-ok: | $(KERNEL)/kver
	sh qemu/kvm-probe.sh $(KERNEL)/vmlinuz $@

check-gen: $(KERNEL)/kver
	sh tests/gen/run.sh

# Optional (about a minute under TCG): every compression booted with a
# stand-in init; make e2e boots them with the real one.
check-gen-boot: $(KERNEL)/kver $(KERNEL)/vmlinux
	sh tests/gen/boot.sh

SHELL_SCRIPTS = mkinitramfs.sh $(wildcard gen/*.sh hooks/* mk/*.sh mk/kernel-*-hatch qemu/*.sh \
	tests/*.sh tests/*/*.sh) .ci/run
shellcheck: | $(B)/.deps-ok
	shellcheck -x $(SHELL_SCRIPTS)

e2e: $(B)/init $(B)/luks-unlock $(B)/checkinit $(KERNEL)/kver $(KERNEL)/vmlinux $(B)/kvm-ok
	bash tests/e2e/run.sh

# Everything, in one run that ends with the sum of the suites' counts.
check: $(B)/unit-tests $(B)/test/fixtures/.done $(B)/init $(B)/luks-unlock $(B)/checkinit $(KERNEL)/kver \
	$(KERNEL)/vmlinux $(B)/kvm-ok $(FUZZ_BINS)
	sh tests/check.sh

# Installs what is built and never compiles (often run as root after make):
# mk/install.sh fails clearly when build/init is missing. Then the manual
# pages (hatch-cmdline.7 made from cmdline-spec.md, so it says what the
# specification says) and the QEMU runner of --check --boot.
MANDIR       ?= $(PREFIX)/share/man
INSTALL_INIT ?= $(B)/init
install:
	DESTDIR="$(DESTDIR)" PREFIX="$(PREFIX)" INIT="$(INSTALL_INIT)" sh mk/install.sh
	mkdir -p "$(DESTDIR)$(MANDIR)/man8" "$(DESTDIR)$(MANDIR)/man7" "$(DESTDIR)$(PREFIX)/lib/hatch/qemu"
	cp man/hatch-mkinitramfs.8 "$(DESTDIR)$(MANDIR)/man8/hatch-mkinitramfs.8"
	sh man/md2man.sh cmdline-spec.md "$$(sed -n 1p VERSION)" >"$(DESTDIR)$(MANDIR)/man7/hatch-cmdline.7.tmp"
	mv -f "$(DESTDIR)$(MANDIR)/man7/hatch-cmdline.7.tmp" "$(DESTDIR)$(MANDIR)/man7/hatch-cmdline.7"
	cp qemu/boot.sh "$(DESTDIR)$(PREFIX)/lib/hatch/qemu/boot.sh"
	chmod 0644 "$(DESTDIR)$(MANDIR)/man8/hatch-mkinitramfs.8" "$(DESTDIR)$(MANDIR)/man7/hatch-cmdline.7"
	chmod 0755 "$(DESTDIR)$(PREFIX)/lib/hatch/qemu/boot.sh"

install-kernel-hook: install
	DESTDIR="$(DESTDIR)" PREFIX="$(PREFIX)" INIT=$(B)/init sh mk/install.sh --kernel-hook

# Removes what install and install-kernel-hook put (same PREFIX, DESTDIR).
uninstall:
	rm -f "$(DESTDIR)$(MANDIR)/man8/hatch-mkinitramfs.8" "$(DESTDIR)$(MANDIR)/man7/hatch-cmdline.7" \
	  "$(DESTDIR)$(PREFIX)/lib/hatch/qemu/boot.sh"
	if [ -d "$(DESTDIR)$(PREFIX)/lib/hatch/qemu" ]; then rmdir "$(DESTDIR)$(PREFIX)/lib/hatch/qemu"; fi
	DESTDIR="$(DESTDIR)" PREFIX="$(PREFIX)" sh mk/install.sh --uninstall

demo: $(B)/init $(B)/checkinit $(KERNEL)/kver $(B)/kvm-ok
	sh qemu/demo.sh

bench: $(B)/init $(B)/checkinit $(B)/bench-hello $(KERNEL)/kver
	sh tests/bench.sh

clean:
	rm -rf $(B)/obj $(B)/init $(B)/checkinit $(B)/unit-tests $(B)/test $(B)/fuzz
distclean:
	rm -rf $(B)
