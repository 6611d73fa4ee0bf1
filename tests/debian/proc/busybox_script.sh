# Run by tests/debian/run.sh (case busybox_sh) as
# `busybox sh busybox_script.sh BUSYBOX` from a scratch directory.  Busybox's
# ash runs its applets (sort, wc, tr...) in forked children, and "$BB" APPLET
# through exec.  Output must be deterministic and must not name pids or the
# (per-run) directory.
BB=${1:?usage: busybox sh busybox_script.sh PATH-OF-BUSYBOX}
trap 'echo "EXIT trap: status $?"' EXIT

classify() {
	case $1 in
	*[!0-9]*|'') echo "$1: not a number" ;;
	*[02468]) echo "$1: even" ;;
	*) echo "$1: odd" ;;
	esac
}
fact() {
	if [ "$1" -le 1 ]; then echo 1; return; fi
	echo $(( $1 * $(fact $(( $1 - 1 ))) ))
}
square_all() { while read -r n; do echo $((n * n)); done; }
count_words() { tr -s ' ' '\n' | grep -v '^$' | wc -l; }

echo "== functions and case"
for v in 7 10 x42 ''; do classify "$v"; done
echo "10! = $(fact 10)"
case "$(echo MiXeD | tr A-Z a-z)" in mixed) echo "case on a substitution: lower" ;; *) echo "case: no match" ;; esac

echo "== loops"
i=0; total=0
while [ $i -lt 10 ]; do i=$((i + 1)); total=$((total + i)); done
echo "while: total $total"
until [ $i -eq 0 ]; do i=$((i - 2)); done; echo "until: i=$i"
for f in a b c; do echo "file $f" > "f_$f.txt"; done
for f in f_*.txt; do printf '%s: %s\n' "$f" "$(cat "$f")"; done
for n in 1 2 3 4 5 6; do [ $n -eq 2 ] && continue; [ $n -eq 5 ] && break; echo "loop $n"; done

echo "== pipelines with applets"
"$BB" seq 1 20 | square_all | "$BB" tail -n 3 | "$BB" tr '\n' ' '; echo
seq 1 100 | grep 3 | wc -l
echo "the quick  brown fox jumps over  the lazy dog" | count_words
printf 'pear\napple\nfig\napple\npear\napple\n' | sort | uniq -c | sort -rn | head -n 2 | awk '{ print $2 "=" $1 }'
echo hello | "$BB" md5sum | cut -d' ' -f1
yes busybox | head -n 3 | "$BB" sed 's/^/y: /'
printf 'b\na\n' | sort | "$BB" xargs echo "xargs got:"
false | true; echo "false | true: $?"
true | false; echo "true | false: $?"

echo "== command substitution"
words=$(echo one two three | wc -w); echo "words: $words"
upper=$(echo "$(echo inner | tr a-z A-Z) outer"); echo "nested: $upper"
v=$(exit 6); echo "status of \$(exit 6): $?"
set -- $("$BB" seq 3 5); echo "positional from applet output: $# args, sum $(( $1 + $2 + $3 ))"
lines=`"$BB" cat f_a.txt f_b.txt | wc -l`; echo "back quotes: $lines lines"

echo "== subshells and redirections"
x=outer; (x=inner; exit 4); echo "subshell: status $? x=$x"
{ echo to-stdout; echo to-stderr >&2; } > both.txt 2>&1; sort both.txt
echo appended >> f_a.txt; wc -l < f_a.txt
"$BB" ls missing-file > ls.txt 2>&1; echo "ls status $?, $(grep -c 'No such file' ls.txt) error line"

echo "== background jobs"
(sleep 0.3; echo slow > slow.out; exit 3) &
slow=$!
(echo quick > quick.out) &
quick=$!
"$BB" sh -c 'exit 5' &
other=$!
wait $quick; echo "quick job: $?"
wait $slow; echo "slow job: $?"
wait $other; echo "busybox sh -c job: $?"
cat quick.out slow.out
for k in 1 2 3 4; do (sleep 0.$k; fact $((k + 2)) > job$k.out) & done
wait; echo "all jobs: $?"
cat job1.out job2.out job3.out job4.out | tr '\n' ' '; echo
kill -0 $$ && echo "kill -0 on self: ok"
exit 2
