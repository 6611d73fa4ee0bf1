# Run by tests/debian/run.sh (case bash_script) as `/bin/bash bash_script.sh`
# from a scratch directory: pipelines, subshells, command and process
# substitution, redirections, jobs and traps, each a forked bash or a child
# program.  Output must be deterministic and must not name pids or the
# (per-run) directory.
set -u
trap 'echo "EXIT trap: status $?"' EXIT
usr1=0
trap 'usr1=$((usr1 + 1)); echo "USR1 trap: $usr1"' USR1

echo "== arrays"
fruits=(cherry apple "banana split" date)
echo "count ${#fruits[@]}, third '${fruits[2]}', last ${fruits[-1]}"
fruits+=(elderberry)
sorted=$(printf '%s\n' "${fruits[@]}" | sort | paste -sd,)
echo "sorted: $sorted"
declare -A colour=([sky]=blue [grass]=green [snow]=white)
for k in $(printf '%s\n' "${!colour[@]}" | sort); do echo "$k is ${colour[$k]}"; done
mapfile -t squares < <(for i in 1 2 3 4 5; do echo $((i * i)); done)
echo "mapfile from process substitution: ${squares[*]} (${#squares[@]} lines)"
IFS=: read -r -a parts <<< "a:b c:d"
echo "read -a from a here-string: ${#parts[@]} fields, second '${parts[1]}'"

echo "== pipelines and pipefail"
printf 'delta\nalpha\ncharlie\nbravo\n' | sort | tr a-z A-Z | head -n 3
seq 1 1000 | grep 7 | wc -l
false | true; echo "false | true without pipefail: $?"
true | (exit 3) | true; echo "PIPESTATUS: ${PIPESTATUS[*]}"
set -o pipefail
false | true; echo "false | true with pipefail: $?"
true | (exit 3) | (exit 5) | true; echo "rightmost failure with pipefail: $?"
yes | head -n 1 >/dev/null; echo "yes | head with pipefail: $? (SIGPIPE 141)"
set +o pipefail
n=0; printf '1\n2\n3\n' | while read -r v; do n=$((n + v)); done; echo "pipeline loop ran in a subshell: n=$n"
shopt -s lastpipe; set +m
n=0; printf '1\n2\n3\n' | while read -r v; do n=$((n + v)); done; echo "with lastpipe: n=$n"
shopt -u lastpipe

echo "== subshells"
x=outer
(x=inner; echo "in the subshell: x=$x"; exit 3); echo "subshell: status $? x=$x"
(if [ "$BASHPID" != "$$" ]; then echo "subshell: BASHPID is not \$\$"; fi)
if [ "$BASHPID" = "$$" ]; then echo "main shell: BASHPID is \$\$"; fi
echo "command substitution subshell level: $(echo $BASH_SUBSHELL) (main $BASH_SUBSHELL)"

echo "== command substitution"
printf 'line one\nline two\n' > file.txt
content=$(< file.txt); echo "\$(< file): [$content]"
n=$(wc -l < file.txt); echo "lines: $n"
nested=$(echo "outer $(echo "middle $(echo inner)")"); echo "$nested"
v=$(exit 5); echo "status of \$(exit 5): $?"
echo "arithmetic on output: $(( $(echo 6) * $(echo 7) ))"

echo "== process substitution"
diff <(printf 'a\nb\nc\n') <(printf 'a\nB\nc\n'); echo "diff status: $?"
cat <(echo from-a) <(echo from-b)
paste <(seq 1 3) <(seq 4 6) | tr '\t' ' '
while read -r w; do echo "read: $w"; done < <(printf 'p\nq\n' | sort -r)
tee >(tr a-z A-Z > upper.txt) > /dev/null <<< "tee into >(...)"
wait $!; cat upper.txt

echo "== redirections"
echo first > out.txt
echo second >> out.txt
cat < out.txt
{ echo to-stdout; echo to-stderr >&2; } > both.txt 2>&1
sort both.txt
{ echo out; echo err >&2; } &> amp.txt; sort amp.txt | paste -sd' '
ls missing-file 2>&1 | grep -c 'No such file'
exec {fd}> fd.txt; echo "through a dynamic fd" >&$fd; exec {fd}>&-; cat fd.txt
cat <<< "here-string $x"
tr a-z A-Z <<'EOT' | cat -n
quoted $x here-document
EOT

echo "== background jobs"
(sleep 0.3; echo job-a > a.out; exit 7) &
pa=$!
(echo job-b > b.out) &
pb=$!
bash -c 'exit 9' &
pc=$!
[ "$pa" != "$pb" ] && [ "$pa" != "$$" ] && echo "distinct pids"
wait $pa; echo "job a: $?"
wait $pb; echo "job b: $?"
wait $pc; echo "job c: $?"
cat a.out b.out
rm -f go
(while [ ! -e go ]; do sleep 0.05; done; exit 11) & (exit 12) &
wait -n; first=$?; touch go; wait -n; echo "wait -n: $first then $?"
for i in 1 2 3 4; do (sleep 0.$i; echo "worker $i" > w$i.out) & done
wait; echo "wait for all: $?"
cat w1.out w2.out w3.out w4.out
# In a subshell without the EXIT trap: a child killed before it has run
# sleep would otherwise run the trap.
(trap - EXIT; sleep 30 & ps=$!; kill -TERM $ps; wait $ps; echo "sleep killed by SIGTERM: $?")
coproc UPPER { tr a-z A-Z; }
echo "to the coprocess" >&"${UPPER[1]}"; exec {UPPER[1]}>&-
read -r reply <&"${UPPER[0]}"; wait $UPPER_PID; echo "coproc said: $reply, status $?"

echo "== traps"
kill -USR1 $$
echo "after kill: usr1=$usr1"
kill -USR1 $$; kill -USR1 $$
echo "after two more: usr1=$usr1"
bash -c 'kill -USR1 $PPID'; sleep 0.2
echo "signalled by a child: usr1=$usr1"
trap 'echo "ERR trap: status $?"' ERR
false
trap - ERR
f() { trap 'echo "RETURN trap"' RETURN; echo "in f"; }
f; trap - RETURN
echo "done"
exit 4
