#!/bin/sh
# shloop.sh N: runs the external command /bin/true N times (default 1000)
# from a /bin/sh loop (bench/proc.sh times it from outside with walltime).
n=${1:-1000}
i=0
while [ "$i" -lt "$n" ]; do
	/bin/true || exit 1
	i=$((i + 1))
done
