#!/bin/sh
# Runs every test group and prints the total.  Each group prints one line
# per case, "PASS: name" or "FAIL: name: why"; a group that dies or times
# out counts as a failure of its own.
cd "$(dirname "$0")/.." || exit 1
log=build/test.log
: > "$log"
groups=$(ls tests/*/run.sh)
for g in $groups; do
	echo "== $g"
	timeout 300 sh "$g" 2>&1 | tee -a "$log.part"
	rc=$?
	if ! grep -q '^PASS: \|^FAIL: ' "$log.part" 2>/dev/null; then
		echo "FAIL: $g: printed no results (exit $rc)" | tee -a "$log.part"
	fi
	cat "$log.part" >> "$log"; rm -f "$log.part"
done
passed=$(grep -c '^PASS: ' "$log")
failed=$(grep -c '^FAIL: ' "$log")
echo
grep '^FAIL: ' "$log"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
