# Run by tests/debian/run.sh (case dash_script) as `/bin/dash dash_script.sh`
# from a scratch directory: every external command below is a child process
# (fork and exec), every pipeline and subshell a forked shell.  Output must
# be deterministic and must not name pids or the (per-run) directory.
set -u
trap 'echo "EXIT trap: status $?"' EXIT
usr1=0
trap 'usr1=$((usr1 + 1)); echo "USR1 trap: $usr1"' USR1

echo "== pipelines"
printf 'delta\nalpha\ncharlie\nbravo\n' | sort | tr a-z A-Z | head -n 3
printf '%s\n' 3 1 2 | sort -n | awk '{ s = s $1 } END { print "joined", s }'
echo one two three | wc -w
seq 1 1000 | grep 7 | wc -l
yes moat | head -n 2
false | true; echo "false | true: $?"
true | false; echo "true | false: $?"
! false | false; echo "! false | false: $?"
printf 'x\ny\n' | while read -r v; do echo "read $v"; done

echo "== subshells"
x=outer
(x=inner; echo "in the subshell: x=$x"; exit 3); echo "subshell: status $? x=$x"
( (exit 6) ); echo "nested subshell: $?"
here=$(pwd)
(cd /; echo "subshell cd: $(pwd)"); [ "$(pwd)" = "$here" ] && echo "parent directory unchanged"
(trap 'echo "subshell EXIT trap"' EXIT; echo "subshell with its own EXIT trap")
{ y=braces; }; echo "brace group runs in the shell: y=$y"

echo "== command substitution"
n=$(printf 'a\nb\nc\n' | wc -l); echo "lines: $n"
nested=$(echo "outer $(echo "middle $(echo inner)")"); echo "$nested"
old=`echo back quotes`; echo "$old"
v=$(exit 5); echo "status of \$(exit 5): $?"
t=$(printf 'trailing\n\n\n'); echo "[$t]"
echo "arithmetic on output: $(( $(echo 6) * $(echo 7) ))"
set -- $(echo word1 word2 word3); echo "split into $# words, second $2"

echo "== redirections"
echo first > out.txt
echo second >> out.txt
cat < out.txt
wc -l < out.txt
{ echo to-stdout; echo to-stderr >&2; } > both.txt 2>&1
sort both.txt
ls missing-file > ls.txt 2>&1; echo "ls status $?, $(grep -c 'No such file' ls.txt) error line"
echo gone 2>/dev/null >/dev/null; echo "dev null ok"
exec 4> fd4.txt; echo "through fd 4" >&4; exec 4>&-; cat fd4.txt
read -r line < out.txt; echo "read from file: $line"
cat <<EOT
here-document: x=$x n=$n
EOT
tr a-z A-Z <<'EOT' | cat -n
quoted $x here-document
EOT
while read -r l; do echo "loop read: $l"; done < out.txt
echo "status of a failed redirect: $(cat 2>/dev/null < no-such-file; echo $?)"

echo "== background jobs"
(sleep 0.3; echo job-a > a.out; exit 7) &
pa=$!
(echo job-b > b.out) &
pb=$!
sh -c 'exit 9' &
pc=$!
[ "$pa" != "$pb" ] && [ "$pa" != "$$" ] && echo "distinct pids"
wait $pa; echo "job a: $?"
wait $pb; echo "job b: $?"
wait $pc; echo "job c: $?"
cat a.out b.out
for i in 1 2 3 4; do (sleep 0.$i; echo "worker $i" > w$i.out) & done
wait; echo "wait for all: $?"
cat w1.out w2.out w3.out w4.out
# In a subshell without the EXIT trap: a child killed before it has run
# sleep would otherwise run the trap.
(trap - EXIT; sleep 30 & ps=$!; kill -TERM $ps; wait $ps; echo "sleep killed by SIGTERM: $?")

echo "== traps"
kill -USR1 $$
echo "after kill: usr1=$usr1"
kill -USR1 $$; kill -USR1 $$
echo "after two more: usr1=$usr1"
sh -c 'kill -USR1 $PPID'; sleep 0.2
echo "signalled by a child: usr1=$usr1"
trap - USR1
trap 'echo "HUP trap"' HUP
kill -HUP $$
echo "done"
exit 4
