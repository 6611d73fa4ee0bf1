/* wait(-1) with several children: three children exit in an order the
 * parent controls (each waits for its own go byte), and each wait returns
 * the one that just exited with its own status; then three exit freely and
 * three waits collect exactly those pids, each with the matching status. */
#include "check.h"
#include <sys/wait.h>

int main(void)
{
	alarm(5);
	pid_t pids[3];
	int go[3][2];
	for (int i = 0; i < 3; i++) {
		SYS(pipe(go[i]));
		pids[i] = FORK();
		if (pids[i] == 0) {
			alarm(5);
			for (int j = 0; j <= i; j++)
				close(go[j][1]);
			char c;
			_exit(read(go[i][0], &c, 1) == 1 ? 10 + i : 100);
		}
		SYS(close(go[i][0]));
	}
	int order[3] = { 2, 0, 1 };
	for (int k = 0; k < 3; k++) {
		int i = order[k];
		SYS(write(go[i][1], "g", 1));
		int st = 0;
		pid_t r = wait(&st);
		CHECK(r == pids[i]);
		CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 10 + i);
		SAY("released child %d: wait returned it %d, status %d\n", i, r == pids[i],
		    WIFEXITED(st) ? WEXITSTATUS(st) : -1);
		SYS(close(go[i][1]));
	}
	ERR(wait(NULL), ECHILD);

	/* Free-running: match statuses to pids. */
	for (int i = 0; i < 3; i++) {
		pids[i] = FORK();
		if (pids[i] == 0) {
			usleep(1000 * (3 - i));
			_exit(20 + i);
		}
	}
	int seen = 0;
	for (int k = 0; k < 3; k++) {
		int st = 0;
		pid_t r = SYS(waitpid(-1, &st, 0));
		int i = r == pids[0] ? 0 : r == pids[1] ? 1 : r == pids[2] ? 2 : -1;
		CHECK(i >= 0);
		if (i < 0)
			continue;
		CHECK(!(seen & (1 << i)));
		seen |= 1 << i;
		CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 20 + i);
	}
	CHECK(seen == 7);
	SAY("three free-running children collected, statuses match pids: %d\n", seen == 7);
	ERR(waitpid(-1, NULL, 0), ECHILD);

	/* A child killed by a signal among exiting ones. */
	int pfd[2];
	SYS(pipe(pfd));
	pid_t sleeper = FORK();
	if (sleeper == 0) {
		alarm(5);
		close(pfd[1]);
		char c;
		(void)read(pfd[0], &c, 1);
		_exit(100);
	}
	pid_t quick = FORK();
	if (quick == 0)
		_exit(5);
	SYS(close(pfd[0]));
	int st = 0;
	CHECK(wait(&st) == quick && WIFEXITED(st) && WEXITSTATUS(st) == 5);
	SYS(kill(sleeper, SIGKILL));
	CHECK(wait(&st) == sleeper && WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL);
	SAY("exit then kill: collected in that order with status 5 and SIGKILL\n");
	SYS(close(pfd[1]));
	ERR(wait(NULL), ECHILD);
	DONE();
}
