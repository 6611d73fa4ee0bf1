#!/bin/sh
# Runs every test group and prints the total.  Each group prints one line
# per case, "PASS: name" or "FAIL: name: why" ("XFAIL: name: why" for a
# known failure, counted neither way); a group that prints nothing, times
# out or exits non-zero without saying why counts as a failure of its own.
cd "$(dirname "$0")/.." || exit 1
mkdir -p build
log=$(mktemp build/test.log.XXXXXX)
part=$(mktemp build/test.part.XXXXXX)
trap 'rm -f "$part" "$part.rc"' EXIT
for g in tests/*/run.sh; do
	echo "== $g"
	: > "$part"
	{ timeout 300 sh "$g" 2>&1; echo $? > "$part.rc"; } | tee -a "$part"
	rc=$(cat "$part.rc")
	if ! grep -q '^PASS: \|^FAIL: ' "$part"; then
		echo "FAIL: $g: printed no results (exit $rc)" | tee -a "$part"
	elif [ "$rc" -ne 0 ] && ! grep -q '^FAIL: ' "$part"; then
		echo "FAIL: $g: exited $rc without naming a failure" | tee -a "$part"
	fi
	cat "$part" >> "$log"
done
passed=$(grep -c '^PASS: ' "$log")
failed=$(grep -c '^FAIL: ' "$log")
echo
grep '^FAIL: ' "$log"
cp "$log" build/test.log && rm -f "$log"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
