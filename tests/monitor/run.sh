#!/bin/sh
# The monitor's channel under attack.  A hostile library OS image
# (tests/monitor/hostile.c) sends one kind of malformed or abusive message
# on its channel to the monitor; each must end that picoprocess (SIGKILL:
# status 137) with exactly one "moat: picoprocess" line, while the monitor
# itself exits normally: no crash, and under build/asan/moat no
# AddressSanitizer or UBSan report.  Also: a well-formed request is
# answered (monitor.ok_dns), the manifest's process limit holds
# (monitor.process_limit), exit codes are only for one's own children
# (monitor.exit_code_owner), and DNS is refused without a network grant
# (monitor.dns_policy).
cd "$(dirname "$0")/../.." || exit 2
. tests/lib.sh
tmp=$(mktemp -d "${TMPDIR:-/tmp}/moat-monitor.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT INT TERM

IMAGE=build/tests/hostile-channel.so
mkdir -p build/tests
if ! gcc -shared -nostdlib -fPIC -ffreestanding -fno-stack-protector -Iinclude \
	-o "$IMAGE" tests/monitor/hostile.c 2>"$tmp/cc"; then
	fail monitor.build "$(head -c 300 "$tmp/cc")"
	exit 1
fi

# hostile NAME MODE MOAT: the picoprocess is ended, the monitor is not.
hostile() {
	name=$1 mode=$2 moat=$3
	timeout 60 env MOAT_PAL=build/pal "$moat" run --libos "$IMAGE" -- "$mode" \
		>"$tmp/out" 2>"$tmp/err" </dev/null
	rc=$?
	lines=$(grep -c '^moat: picoprocess ' "$tmp/err")
	if [ "$rc" -ne 137 ]; then
		fail "$name" "exit status $rc, want 137 (killed): $(head -c 400 "$tmp/err" | tr '\n' ' ')"
	elif [ "$lines" -ne 1 ]; then
		fail "$name" "$lines \"moat: picoprocess\" lines, want 1: $(head -c 400 "$tmp/err" | tr '\n' ' ')"
	elif grep -q 'AddressSanitizer\|runtime error\|LeakSanitizer' "$tmp/err"; then
		fail "$name" "sanitizer report: $(grep -m1 'AddressSanitizer\|runtime error\|LeakSanitizer' "$tmp/err")"
	else
		pass "$name"
	fi
}

for moat in build/moat build/asan/moat; do
	tag=""
	[ "$moat" = build/asan/moat ] && tag=".asan"
	if [ ! -x "$moat" ]; then
		fail "monitor.build$tag" "$moat missing (run make / make asan)"
		continue
	fi
	for mode in garbage bigsize unknown-type missing-nul arg-mismatch many-args fork-many \
		fd reply-type flood; do
		hostile "monitor.$mode$tag" "$mode" "$moat"
	done
	for mode in ok-dns bell-storm; do
		timeout 30 env MOAT_PAL=build/pal "$moat" run --libos "$IMAGE" -- "$mode" \
			>"$tmp/out" 2>"$tmp/err" </dev/null
		rc=$?
		name=monitor.$(echo "$mode" | tr - _)$tag
		if [ "$rc" -eq 0 ] && ! grep -q '^moat: picoprocess' "$tmp/err"; then
			pass "$name"
		else
			fail "$name" "exit status $rc: $(head -c 300 "$tmp/err" | tr '\n' ' ')"
		fi
	done
done

# Well-formed requests, answers checked (status/arg as the image prints them).
printf 'limits = { processes = 3; };\n' > "$tmp/limit.manifest"
timeout 30 env MOAT_PAL=build/pal build/moat run -m "$tmp/limit.manifest" --libos "$IMAGE" \
	-- spawn 4 >"$tmp/out" 2>"$tmp/err" </dev/null
rc=$?
got=$(grep '^create' "$tmp/err")
want="create0/2 create0/3 create-11/0 create-11/0 query-22/0 query-2/0 query-2/0 "
check monitor.process_limit test "$rc:$got" = "0:$want"
check monitor.exit_code_owner grep -q 'query-22/0 query-2/0 query-2/0' "$tmp/err"

printf 'network = { connect = ["127.0.0.1:80"]; };\n' > "$tmp/net.manifest"
timeout 30 env MOAT_PAL=build/pal build/moat run -m "$tmp/net.manifest" --libos "$IMAGE" \
	-- dns localhost >"$tmp/out" 2>"$tmp/net.err" </dev/null
rc1=$?
timeout 30 env MOAT_PAL=build/pal build/moat run -m "$tmp/net.manifest" --libos "$IMAGE" \
	-- dns 'two words' >"$tmp/out" 2>"$tmp/bad.err" </dev/null
rc2=$?
timeout 30 env MOAT_PAL=build/pal build/moat run --libos "$IMAGE" \
	-- dns localhost >"$tmp/out" 2>"$tmp/deny.err" </dev/null
rc3=$?
if [ "$rc1$rc2$rc3" = 000 ] && grep -qx 'dns0/0 127\.0\.0\.1' "$tmp/net.err" && grep -q '^dns-1/0 ' "$tmp/bad.err" &&
	grep -q '^dns-7/0 ' "$tmp/deny.err"; then
	pass monitor.dns_policy
else
	fail monitor.dns_policy "status $rc1/$rc2/$rc3: $(cat "$tmp/net.err" "$tmp/bad.err" "$tmp/deny.err" | tr '\n' ' ')"
fi
# The decoder's saved fuzz inputs (corpus and regressions), replayed under
# the sanitizers: none may crash it or break what the service relies on.
if gcc -std=gnu11 -g -O1 -fsanitize=address,undefined -fno-sanitize-recover=all -Iinclude \
	-Imonitor -o build/tests/replay-channel fuzz/replay.c fuzz/fuzz_channel.c \
	monitor/channel.c 2> "$tmp/replay.err" &&
	build/tests/replay-channel fuzz/corpus/channel/* fuzz/regressions/channel/* \
	2>> "$tmp/replay.err"; then
	pass monitor.fuzz_regressions_replayed
else
	fail monitor.fuzz_regressions_replayed "$(head -5 "$tmp/replay.err")"
fi
exit $FAILED
