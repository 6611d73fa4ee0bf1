#ifndef MOAT_PAL_LINUX_LOADER_H
#define MOAT_PAL_LINUX_LOADER_H

#include "pal.h"

/* ELF constants the kernel's <linux/elf.h> does not define. */
#define DT_GNU_HASH 0x6ffffef5
#define R_X86_64_NONE 0
#define R_X86_64_64 1
#define R_X86_64_GLOB_DAT 6
#define R_X86_64_JUMP_SLOT 7
#define R_X86_64_RELATIVE 8

/* Maps an ELF executable's segments; *why explains a failure. */
int pal_elf_map(int fd, void *hint, bool writable, struct dk_image_info *info,
		const char **why);
/* Maps, relocates and links a library OS image; *entry = LibOsInitialize. */
int pal_elf_load_image(int fd, struct dk_image_info *info, void **entry, const char **why);

#endif
