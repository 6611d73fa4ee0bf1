/* Many processes: 50 children forked and reaped one at a time, 50 alive at
 * once (distinct pids, all reaped by pid, exit codes summed), a chain of
 * 20 nested forks each adding one to its child's status, and a tree of
 * 2^5 leaves counting themselves through a pipe. */
#include "check.h"
#include <sys/wait.h>

#define N 50

static int code_of(pid_t pid)
{
	int st = 0;
	if (waitpid(pid, &st, 0) != pid)
		return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* Forks depth levels below itself; returns the depth it reached. */
static int chain(int depth)
{
	if (depth == 0)
		return 0;
	fflush(stdout);
	pid_t pid = fork();
	if (pid < 0)
		return -100;
	if (pid == 0)
		_exit(chain(depth - 1));
	int c = code_of(pid);
	return c < 0 ? -100 : c + 1;
}

int main(void)
{
	alarm(5);
	int sum = 0, ok = 0;
	for (int i = 0; i < N; i++) {
		fflush(stdout);
		pid_t pid = fork();
		if (pid == 0)
			_exit(i);
		if (pid < 0)
			continue;
		int c = code_of(pid);
		ok += c == i;
		sum += c;
	}
	CHECK(ok == N && sum == N * (N - 1) / 2);
	SAY("sequential: %d children, exit codes sum to %d\n", ok, sum);

	pid_t pids[N];
	int go[2];
	SYS(pipe(go));
	for (int i = 0; i < N; i++) {
		fflush(stdout);
		pids[i] = fork();
		if (pids[i] == 0) {
			alarm(5);
			close(go[1]);
			char c;
			/* All wait for the pipe to close: all alive at once. */
			_exit(read(go[0], &c, 1) == 0 ? 100 + i : 0);
		}
		CHECK(pids[i] > 0);
	}
	int distinct = 1;
	for (int i = 0; i < N; i++)
		for (int j = 0; j < i; j++)
			if (pids[i] == pids[j])
				distinct = 0;
	CHECK(distinct);
	int alive = 0;
	for (int i = 0; i < N; i++)
		alive += pids[i] > 0 && kill(pids[i], 0) == 0;
	CHECK(alive == N);
	SAY("concurrent: %d alive at once, pids distinct %d\n", alive, distinct);
	SYS(close(go[0]));
	SYS(close(go[1]));
	sum = 0;
	ok = 0;
	/* Reap in reverse order of creation. */
	for (int i = N - 1; i >= 0; i--) {
		int c = pids[i] > 0 ? code_of(pids[i]) : -1;
		ok += c == 100 + i;
		sum += c - 100;
	}
	CHECK(ok == N && sum == N * (N - 1) / 2);
	SAY("all reaped: %d, codes sum to %d\n", ok, sum);
	ERR(wait(NULL), ECHILD);

	int d = chain(20);
	CHECK(d == 20);
	SAY("nested chain of forks: depth %d\n", d);

	/* A binary tree: each of 5 levels forks once more in every process. */
	int p[2];
	SYS(pipe(p));
	pid_t top = getpid();
	fflush(stdout);
	int level;
	pid_t kids[5];
	int nkids = 0;
	for (level = 0; level < 5; level++) {
		pid_t pid = fork();
		if (pid < 0)
			break;
		if (pid == 0) {
			alarm(5);
			nkids = 0;
		} else
			kids[nkids++] = pid;
	}
	/* Every process writes one byte and reaps the children it forked. */
	int bad = write(p[1], "x", 1) != 1;
	for (int i = 0; i < nkids; i++)
		bad |= code_of(kids[i]) != 0;
	if (getpid() != top)
		_exit(bad);
	SYS(close(p[1]));
	char buf[64];
	int total = 0;
	ssize_t n;
	while ((n = read(p[0], buf, sizeof(buf))) > 0)
		total += n;
	CHECK(!bad && total == 32);
	SAY("tree of forks: %d processes\n", total);
	DONE();
}
