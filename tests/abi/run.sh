#!/bin/sh
# The closed ABI: images above the PAL have no system call instruction,
# the PAL has them only in its gate, and the PAL is freestanding.
. tests/lib.sh
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT

if tools/check-closed-abi --pal build/pal build/libos.so build/tests/pal_conformance.so \
	> "$tmp/out" 2>&1; then
	pass closed_abi.real_images
else
	fail closed_abi.real_images "$(grep -v '^  ' "$tmp/out" | head -5)"
fi

undefined=$(nm -u build/pal)
check pal.no_undefined_symbols test -z "$undefined"
check pal.static_pie sh -c 'readelf -h build/pal | grep -q "DYN" && ! readelf -l build/pal | grep -q INTERP'

# Plant each kind of system call instruction in an image: the check must fail.
for insn in syscall sysenter 'int $0x80'; do
	cat > "$tmp/planted.c" <<C
__attribute__((visibility("default"))) int LibOsInitialize(void) { __asm__ volatile("$insn"); return 0; }
C
	gcc -shared -nostdlib -fPIC -o "$tmp/planted.so" "$tmp/planted.c"
	name="closed_abi.planted_$(echo "$insn" | tr -dc 'a-z0-9')"
	if tools/check-closed-abi "$tmp/planted.so" > "$tmp/out" 2>&1; then
		fail "$name" "the check passed an image with '$insn'"
	elif grep -q "in LibOsInitialize" "$tmp/out"; then
		pass "$name"
	else
		fail "$name" "failed without naming the function: $(cat "$tmp/out")"
	fi
done

# A syscall outside the PAL's gate (here: in a non-gate function) is refused.
cat > "$tmp/pal.c" <<'C'
void gate_ok(void) { __asm__ volatile("syscall"); }
void sneaky(void) { __asm__ volatile("syscall"); }
C
gcc -c -o "$tmp/pal.o" "$tmp/pal.c"
if tools/check-closed-abi --pal "$tmp/pal.o" > "$tmp/out" 2>&1; then
	fail closed_abi.pal_outside_gate "a syscall outside gate_* passed"
else
	check closed_abi.pal_outside_gate grep -q "in sneaky" "$tmp/out"
fi

# The host call list in docs/ABI.md matches the PAL's.
list=$(tools/check-closed-abi --pal build/pal | sed -n 's/^  \([a-z0-9_]*\)$/\1/p')
count=$(echo "$list" | wc -l)
check docs.host_call_count grep -q "The PAL can issue $count distinct host system calls" docs/ABI.md
missing=""
for c in $list; do grep -q "\`$c\`" docs/ABI.md 2>/dev/null || missing="$missing $c"; done
check docs.host_calls_listed test -z "$missing"
exit $FAILED
