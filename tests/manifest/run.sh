#!/bin/sh
# The manifest parser, through `moat manifest-check`: every bad manifest in
# tests/manifest/bad/ gives exactly the one line its first line expects
# ("# expect: moat: @:LINE: what", @ standing for the file) and exit status
# 1; good manifests print the normalised fields; the documented example in
# docs/MANIFEST.md parses; the built-in default is what docs say; and every
# fuzzer input kept in fuzz/ ends in status 0 or 1, never a crash.  Runs
# with build/moat and, when built, build/asan/moat.  When `moat run`
# reads manifests, a bad one must print the same line and start nothing.
. tests/lib.sh
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT

moats=$MOAT
[ -x build/asan/moat ] && [ "$MOAT" = build/moat ] && moats="$moats build/asan/moat"
top=$(pwd)

# bad NAME FILE EXPECTED-LINE MOAT [ARGS...]
bad() {
	name=$1 file=$2 want=$3 moat=$4; shift 4
	timeout 10 "$moat" manifest-check "$file" "$@" > "$tmp/out" 2> "$tmp/err"
	rc=$?
	got=$(head -n 1 "$tmp/err")
	if [ "$rc" -ne 1 ]; then
		fail "$name" "exit status $rc, stderr: $(head -c 300 "$tmp/err")"
	elif [ "$(wc -l < "$tmp/err")" -ne 1 ]; then
		fail "$name" "$(wc -l < "$tmp/err") lines on stderr: $(head -c 300 "$tmp/err")"
	elif [ "$got" != "$want" ]; then
		fail "$name" "got '$got', want '$want'"
	elif [ -s "$tmp/out" ]; then
		fail "$name" "printed a manifest too"
	else
		pass "$name"
	fi
}

# good NAME FILE MOAT PATTERN... : status 0 and each pattern matches a line.
good() {
	name=$1 file=$2 moat=$3; shift 3
	timeout 10 "$moat" manifest-check "$file" > "$tmp/out" 2> "$tmp/err"
	rc=$?
	if [ "$rc" -ne 0 ]; then
		fail "$name" "exit status $rc: $(head -c 300 "$tmp/err")"
		return
	fi
	for pat in "$@"; do
		if ! grep -qxF -- "$pat" "$tmp/out"; then
			fail "$name" "no line '$pat' in: $(tr '\n' '|' < "$tmp/out")"
			return
		fi
	done
	pass "$name"
}

# Cases that cannot be plain text files.
printf 'program = "/bin/true";\nargs = ["a"];\n\0;\n' > "$tmp/nul.conf"
mkdir "$tmp/dir.conf"

for moat in $moats; do
	v=$(basename "$(dirname "$moat")")
	n=0
	for f in tests/manifest/bad/*.conf; do
		name=$(basename "$f" .conf)
		want=$(head -n 1 "$f" | sed -n 's/^# expect: //p' | sed "s|@|$f|")
		bad "manifest.$v.bad.$name" "$f" "$want" "$moat"
		n=$((n + 1))
	done
	check "manifest.$v.bad_kinds_at_least_14" test "$n" -ge 14
	bad "manifest.$v.bad.nul_byte" "$tmp/nul.conf" \
		"moat: $tmp/nul.conf:3: a NUL byte: the manifest must be text" "$moat"
	bad "manifest.$v.bad.no_such_file" "$tmp/none.conf" \
		"moat: $tmp/none.conf: cannot read the manifest: No such file or directory" "$moat"
	bad "manifest.$v.bad.directory" "$tmp/dir.conf" \
		"moat: $tmp/dir.conf: cannot read the manifest: not a regular file" "$moat"
	# A program after -- makes a manifest without one good; not a bad one.
	bad "manifest.$v.bad.argv_does_not_fix_errors" tests/manifest/bad/bad_mode.conf \
		"moat: tests/manifest/bad/bad_mode.conf:3: mode 'rx' is not \"ro\" or \"rw\"" \
		"$moat" -- /bin/true
	timeout 10 "$moat" manifest-check tests/manifest/bad/program_missing.conf -- /bin/echo hi \
		> "$tmp/out" 2>&1
	check "manifest.$v.program_after_dashes" sh -c "test $? -eq 0 &&
		grep -qx 'program: /bin/echo' '$tmp/out' && grep -qx 'arg: hi' '$tmp/out'"

	# The documented example, extracted from docs/MANIFEST.md.
	awk '/^<!-- example -->$/ { on = 1; next } on && /^```$/ { if (in_block) exit; in_block = 1; next }
	     in_block' docs/MANIFEST.md > "$tmp/example.conf"
	good "manifest.$v.good.documented_example" "$tmp/example.conf" "$moat" \
		'program: /usr/bin/python3' 'arg: -m' 'arg: 8080' 'env: LANG=C.UTF-8' \
		'mount: bind /usr /usr ro' 'mount: bind /etc /etc ro' \
		'mount: symlink /bin -> usr/bin' 'mount: tmpfs /tmp rw size=67108864' \
		'mount: tmpfs /srv rw size=1048576' 'network: yes' 'listen: 8080' \
		'connect: 127.0.0.1:6379' 'connect: example.org:443' 'connect: [::1]:80' \
		'limits: memory=536870912 processes=64 threads=256 files=256 cpu_seconds=60' \
		'extension: trace'

	# Normalised paths, defaults for what is left out, sizes, L integers.
	cat > "$tmp/norm.conf" <<-'EOF'
	// no mounts key: the default's mounts
	program = "/bin/true";
	limits = { memory = 4294967296L; files = 65536; };
	EOF
	good "manifest.$v.good.defaults_fill_in" "$tmp/norm.conf" "$moat" \
		'mount: bind /usr /usr ro' 'mount: tmpfs /tmp rw size=67108864' 'network: none' \
		'limits: memory=4294967296 processes=256 threads=1024 files=65536 cpu_seconds=0'
	cat > "$tmp/paths.conf" <<-'EOF'
	program = "/bin/true";
	mounts = (
	  { host = "/usr/"; guest = "//usr/./"; mode = "rw"; },
	  { type = "tmpfs"; guest = "/scratch/"; size = "2g"; mode = "ro"; },
	  { type = "tmpfs"; guest = "/scratch/sub"; size = 4096; }
	);
	network = { listen = []; connect = []; };
	EOF
	good "manifest.$v.good.normalised_paths" "$tmp/paths.conf" "$moat" \
		'mount: bind /usr /usr rw' 'mount: tmpfs /scratch ro size=2147483648' \
		'mount: tmpfs /scratch/sub rw size=4096' 'network: none'
	printf 'program = "/bin/true";\nmounts = ();\n' > "$tmp/empty.conf"
	good "manifest.$v.good.no_mounts" "$tmp/empty.conf" "$moat" 'program: /bin/true'
	check "manifest.$v.good.no_mounts_is_empty" sh -c "! grep -q '^mount:' '$tmp/out'"

	# The built-in default.
	(cd "$tmp" && timeout 10 "$(cd "$top" && realpath "$moat")" manifest-check --default) > "$tmp/out" 2>&1
	cwd=$(cd "$tmp" && pwd -P)
	check "manifest.$v.default" sh -c "
		grep -qx 'mount: bind /usr /usr ro' '$tmp/out' &&
		grep -qx 'mount: bind /etc /etc ro' '$tmp/out' &&
		grep -qx 'mount: tmpfs /tmp rw size=67108864' '$tmp/out' &&
		grep -qx 'network: none' '$tmp/out' && ! grep -q '^listen\|^connect' '$tmp/out'"
	# mktemp's directory is under /tmp: mounted over the tmpfs, after it.
	check "manifest.$v.default.cwd_rw_after_tmp" sh -c "
		grep -qx 'mount: bind $cwd $cwd rw' '$tmp/out' &&
		grep '^mount:' '$tmp/out' | tail -n 1 | grep -qx 'mount: bind $cwd $cwd rw'"
	if [ -L /bin ]; then
		check "manifest.$v.default.merged_usr_links" \
			grep -qx "mount: symlink /bin -> $(readlink /bin)" "$tmp/out"
	fi
	(cd /usr/share && timeout 10 "$(cd "$top" && realpath "$moat")" manifest-check --default) > "$tmp/out" 2>&1
	check "manifest.$v.default.no_cwd_inside_usr" sh -c "test \$(grep -c '^mount: bind .* rw\$' '$tmp/out') -eq 0"
	(cd /tmp && timeout 10 "$(cd "$top" && realpath "$moat")" manifest-check --default) > "$tmp/out" 2>&1
	check "manifest.$v.default.cwd_is_tmp" sh -c "grep -qx 'mount: bind /tmp /tmp rw' '$tmp/out' &&
		! grep -q '^mount: tmpfs /tmp' '$tmp/out'"
	(cd / && timeout 10 "$(cd "$top" && realpath "$moat")" manifest-check --default) > "$tmp/out" 2>&1
	check "manifest.$v.default.no_cwd_at_root" sh -c "! grep -q 'mount: bind / / rw' '$tmp/out'"

	# Every kept fuzzer input: status 0 or 1, never a crash.
	n=0 bad_ones=""
	for f in fuzz/corpus/manifest/* fuzz/regressions/manifest/*; do
		[ -f "$f" ] || continue
		timeout 10 "$moat" manifest-check "$f" -- /bin/true > /dev/null 2> "$tmp/err"
		rc=$?
		n=$((n + 1))
		if [ "$rc" -gt 1 ] || grep -q 'Sanitizer\|runtime error' "$tmp/err"; then
			bad_ones="$bad_ones $f($rc)"
		fi
	done
	if [ "$n" -eq 0 ]; then
		fail "manifest.$v.fuzz_inputs" "no inputs in fuzz/corpus/manifest"
	elif [ -n "$bad_ones" ]; then
		fail "manifest.$v.fuzz_inputs" "crashed on:$bad_ones"
	else
		pass "manifest.$v.fuzz_inputs"
	fi
done

# moat run: the same line from a bad manifest, and nothing started.
if grep -q 'moat_manifest_load' monitor/run.c 2>/dev/null; then
	for f in tests/manifest/bad/bad_mode.conf tests/manifest/bad/syntax_error.conf \
		 tests/manifest/bad/missing_host.conf tests/manifest/bad/memory_too_small.conf; do
		name=manifest.run.$(basename "$f" .conf)
		want=$(head -n 1 "$f" | sed -n 's/^# expect: //p' | sed "s|@|$f|")
		timeout 10 "$MOAT" run -m "$f" -- /bin/sleep 7.3579 > "$tmp/out" 2> "$tmp/err"
		rc=$?
		left=$(pgrep -f 'sleep 7.3579' | wc -l)
		if [ "$rc" -eq 0 ] || [ "$rc" -eq 124 ]; then
			fail "$name" "exit status $rc"
		elif [ "$(cat "$tmp/err")" != "$want" ]; then
			fail "$name" "stderr was: $(head -c 300 "$tmp/err"), want $want"
		elif [ "$left" -ne 0 ]; then
			fail "$name" "$left processes started"
		else
			pass "$name"
		fi
	done
	timeout 10 "$MOAT" run -m tests/manifest/bad/program_missing.conf > "$tmp/out" 2> "$tmp/err"
	check manifest.run.program_missing sh -c "test $? -ne 0 && test $? -ne 124 &&
		test \$(wc -l < '$tmp/err') -eq 1 && grep -q 'no program' '$tmp/err'"
fi
exit $FAILED
