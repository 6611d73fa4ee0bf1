# moat — plain Makefile.  `make` builds everything into build/.
# Freestanding code (PAL, library OS images, extensions, lib/rt) is built
# without the host libc; host-side code (monitor, tools) is ordinary C.

CC       ?= gcc
BUILD    ?= build
WARN     := -std=gnu11 -Wall -Wextra -Werror
OPT      ?= -O2 -g
# Inside the picoprocess: no libc, no stack protector (no TLS canary: the app
# owns %fs), and no loops turned back into memcpy calls inside memcpy.
# The PAL and the library OS are general-registers-only: a downcall or an
# emulated system call must leave the application's vector registers alone.
FREE     := $(WARN) $(OPT) -ffreestanding -fno-stack-protector -fvisibility=hidden \
            -fno-tree-loop-distribute-patterns -fno-plt -Iinclude
PAL_CFLAGS   := $(FREE) -fPIE -Ipal -mgeneral-regs-only
IMAGE_CFLAGS := $(FREE) -fPIC
HOST_CFLAGS  ?= $(WARN) $(OPT) -Iinclude
HOST_LDFLAGS ?=
# A library OS image: a self-contained ELF shared object.
IMAGE_LDFLAGS := -shared -nostdlib -Wl,-z,defs -Wl,--hash-style=both -Wl,-Bsymbolic \
                 -Wl,-z,noexecstack -Wl,-z,now

RT_SRC   := $(wildcard lib/rt/*.c)
PAL_SRC  := $(wildcard pal/common/*.c pal/linux/*.c pal/linux/*.S)
LIBOS_SRC := $(wildcard libos/*.c libos/*.S libos/fs/*.c)
CONF_SRC := $(wildcard tests/pal/*.c)
MOAT_SRC := $(wildcard monitor/*.c)

obj = $(patsubst %,$(BUILD)/obj/$(1)/%.o,$(2))

RT_PAL_OBJ   := $(call obj,pal,$(RT_SRC))
RT_IMAGE_OBJ := $(call obj,image,$(RT_SRC))
PAL_OBJ      := $(call obj,pal,$(PAL_SRC))
LIBOS_OBJ    := $(call obj,libos,$(LIBOS_SRC))
CONF_OBJ     := $(call obj,image,$(CONF_SRC))
MOAT_OBJ     := $(call obj,host,$(MOAT_SRC))

IMAGES := $(BUILD)/libos.so $(BUILD)/tests/pal_conformance.so $(BUILD)/vdso.so
BENCH_IMAGES := $(patsubst bench/images/%.c,$(BUILD)/bench/%.so,$(wildcard bench/images/*.c))

.PHONY: all run test check-abi bench clean asan fuzz
.SECONDARY:
all: $(BUILD)/moat $(BUILD)/pal $(IMAGES) check-abi

$(BUILD)/obj/pal/%.o: % $(wildcard include/moat/*.h pal/*.h pal/*/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(PAL_CFLAGS) -c $< -o $@
$(BUILD)/obj/image/%.o: % $(wildcard include/moat/*.h libos/*.h tests/pal/*.h bench/images/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(IMAGE_CFLAGS) -c $< -o $@
# The library OS: general registers only (it never touches the application's
# vector state), and the generated table of system call names.
LIBOS_CFLAGS := $(IMAGE_CFLAGS) -mgeneral-regs-only -Ilibos -I$(BUILD)/gen
$(BUILD)/obj/libos/%.o: % $(wildcard include/moat/*.h libos/*.h libos/*/*.h) $(BUILD)/gen/syscall_names.h
	@mkdir -p $(dir $@)
	$(CC) $(LIBOS_CFLAGS) -c $< -o $@
$(BUILD)/gen/syscall_names.h: tools/gen-syscall-names
	@mkdir -p $(dir $@)
	tools/gen-syscall-names > $@
$(BUILD)/obj/host/%.o: % $(wildcard include/moat/*.h monitor/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(HOST_CFLAGS) -c $< -o $@

# The fork_hot section (lib/fork_hot.lds) of the PAL and of the library OS
# must fit in one page: the link fails otherwise.
check_fork_hot = size=$$(readelf -SW $(1) | sed -n 's/.* fork_hot *PROGBITS *[0-9a-f]* [0-9a-f]* \([0-9a-f]*\) .*/\1/p'); \
	if [ -z "$$size" ] || [ $$((0x$$size)) -gt 4096 ]; then \
	  echo "$(1): section fork_hot missing or over 4096 bytes" >&2; rm -f $(1); exit 1; fi

# The PAL: a static position-independent executable that relocates itself.
$(BUILD)/pal: $(PAL_OBJ) $(RT_PAL_OBJ) lib/fork_hot.lds
	$(CC) -static-pie -nostdlib -Wl,--no-dynamic-linker -Wl,-z,noexecstack \
	      -Wl,-z,norelro -Wl,-e,_start -Wl,-T,lib/fork_hot.lds -o $@ $(filter %.o,$^) -lgcc
	@$(call check_fork_hot,$@)

$(BUILD)/libos.so: $(LIBOS_OBJ) $(call obj,libos,$(RT_SRC)) lib/fork_hot.lds
	$(CC) $(IMAGE_LDFLAGS) -Wl,-T,lib/fork_hot.lds -o $@ $(filter %.o,$^) -lgcc
	@$(call check_fork_hot,$@)
# The vDSO the application sees: a tiny image of its own (no relocations,
# no system call instruction), embedded in libos.so by libos/vdso_image.S.
VDSO_LDFLAGS := -shared -nostdlib -Wl,-T,libos/vdso/vdso.lds -Wl,--hash-style=both \
                -Wl,-soname=linux-vdso.so.1 -Wl,--no-undefined -Wl,--eh-frame-hdr \
                -Wl,-z,max-page-size=4096 -Wl,-z,noexecstack -Wl,--build-id=none -Wl,-S
$(BUILD)/vdso.so: libos/vdso/vdso.c libos/vdso/vdso.h libos/vdso/vdso.lds
	@mkdir -p $(dir $@)
	$(CC) $(IMAGE_CFLAGS) -mgeneral-regs-only $(VDSO_LDFLAGS) -o $@ $<
	@if readelf -rW $@ | grep -q R_X86_64; then echo "$@: has relocations" >&2; rm -f $@; exit 1; fi
$(BUILD)/obj/libos/libos/vdso_image.S.o: $(BUILD)/vdso.so
$(BUILD)/obj/libos/libos/vdso_image.S.o: LIBOS_CFLAGS += -DVDSO_PATH='"$(BUILD)/vdso.so"'
$(BUILD)/tests/pal_conformance.so: $(CONF_OBJ) $(RT_IMAGE_OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(IMAGE_LDFLAGS) -o $@ $^ -lgcc
$(BUILD)/bench/%.so: $(BUILD)/obj/image/bench/images/%.c.o $(RT_IMAGE_OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(IMAGE_LDFLAGS) -o $@ $^ -lgcc

MOAT_LIBS := -lseccomp -lconfig
$(BUILD)/moat: $(MOAT_OBJ)
	$(CC) $(HOST_LDFLAGS) -o $@ $^ $(MOAT_LIBS)

# The closed-ABI check: no system call instruction in any image above the PAL.
check-abi: $(BUILD)/pal $(IMAGES)
	@tools/check-closed-abi --pal $(BUILD)/pal $(IMAGES) > $(BUILD)/closed-abi.txt || \
	  { cat $(BUILD)/closed-abi.txt; exit 1; }

run:
	tools/install-deps build
	$(MAKE) all
	$(BUILD)/moat run -- /bin/sh -c 'echo hello from a pipeline of picoprocesses | tr a-z A-Z; \
		echo "sh is pid $$$$ of its sandbox; ls | wc -l counts $$(ls /usr/bin | wc -l) in /usr/bin"'

test: 
	tools/install-deps test
	$(MAKE) all
	$(MAKE) asan
	tests/run.sh

# Host-side code again under AddressSanitizer and UBSan, into build/asan/.
asan:
	$(MAKE) BUILD=$(BUILD)/asan HOST_CFLAGS="$(WARN) -O1 -g -Iinclude -fsanitize=address,undefined -fno-omit-frame-pointer" \
	        HOST_LDFLAGS="-fsanitize=address,undefined" $(BUILD)/asan/moat

bench: all $(BENCH_IMAGES)
	tools/install-deps bench
	tools/check-closed-abi $(BENCH_IMAGES) > /dev/null
	BUILD=$(BUILD) CC=$(CC) bench/run.sh

clean:
	rm -rf $(BUILD)

# Fuzzing (clang's libFuzzer) over the manifest parser and the monitor's
# channel decoder, for FUZZ_SECONDS each.  New corpus entries stay in
# build/; crashes are written there too: keep them in fuzz/regressions/.
FUZZ_SECONDS ?= 60
FUZZ_FLAGS := -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all -Iinclude -Imonitor
$(BUILD)/fuzz/manifest: fuzz/fuzz_manifest.c monitor/manifest.c monitor/manifest.h
	@mkdir -p $(dir $@)
	clang $(FUZZ_FLAGS) fuzz/fuzz_manifest.c monitor/manifest.c -lconfig -o $@
$(BUILD)/fuzz/channel: fuzz/fuzz_channel.c monitor/channel.c monitor/channel.h include/moat/channel.h
	@mkdir -p $(dir $@)
	clang $(FUZZ_FLAGS) fuzz/fuzz_channel.c monitor/channel.c -o $@
fuzz:
	tools/install-deps fuzz
	$(MAKE) $(BUILD)/fuzz/manifest $(BUILD)/fuzz/channel
	for t in manifest channel; do \
	  rm -rf $(BUILD)/fuzz/corpus-$$t && cp -r fuzz/corpus/$$t $(BUILD)/fuzz/corpus-$$t && \
	  $(BUILD)/fuzz/$$t -max_total_time=$(FUZZ_SECONDS) -artifact_prefix=$(BUILD)/fuzz/$$t- \
	    $(BUILD)/fuzz/corpus-$$t fuzz/regressions/$$t || exit 1; \
	done
