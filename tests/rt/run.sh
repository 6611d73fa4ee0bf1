#!/bin/sh
# lib/rt, the freestanding helpers every layer inside a picoprocess links:
# built for the host with their names changed, then compared with the host
# libc's (tests/rt/strings.c); the zone of own mappings against a pretend
# address space (tests/rt/zone.c).
cd "$(dirname "$0")/../.." || exit 2
. tests/lib.sh
tmp=$(mktemp -d "${TMPDIR:-/tmp}/moat-rt.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT INT TERM
RENAME="-Dmemcpy=rtx_memcpy -Dmemmove=rtx_memmove -Dmemset=rtx_memset -Dmemcmp=rtx_memcmp
	-Dstrlen=rtx_strlen -Dstrnlen=rtx_strnlen -Dstrcmp=rtx_strcmp -Dstrncmp=rtx_strncmp
	-Dstrchr=rtx_strchr -Dstrrchr=rtx_strrchr"
# shellcheck disable=SC2086
if gcc -O2 -ffreestanding -fno-builtin -fno-tree-loop-distribute-patterns $RENAME -Iinclude \
	-c lib/rt/string.c -o "$tmp/string.o" 2>"$tmp/cc" &&
	gcc -O2 -o "$tmp/strings" tests/rt/strings.c "$tmp/string.o" 2>>"$tmp/cc"; then
	timeout 60 "$tmp/strings" || FAILED=1
else
	fail rt.build "$(head -c 300 "$tmp/cc" | tr '\n' ' ')"
fi
if gcc -O2 -Wall -Iinclude -o "$tmp/zone" tests/rt/zone.c lib/rt/zone.c 2>"$tmp/cc"; then
	timeout 60 "$tmp/zone" || FAILED=1
else
	fail rt.zone_build "$(head -c 300 "$tmp/cc" | tr '\n' ' ')"
fi
exit $FAILED
