/* Zombies: a child that has exited but is not reaped still exists --
 * kill(pid, 0) succeeds, a real signal is accepted and changes nothing,
 * getpgid and getsid work -- until waitpid collects it; then ESRCH. */
#include "check.h"
#include <sys/wait.h>

int main(void)
{
	alarm(5);
	pid_t pid = FORK();
	if (pid == 0)
		_exit(4);
	/* Wait for the exit without reaping. */
	siginfo_t si;
	memset(&si, 0, sizeof(si));
	SYS(waitid(P_PID, pid, &si, WEXITED | WNOWAIT));
	CHECK(si.si_pid == pid && si.si_code == CLD_EXITED);
	SAY("child exited, not reaped: %d\n", si.si_pid == pid);
	int r = kill(pid, 0);
	CHECK(r == 0);
	SAY("zombie: kill(pid, 0) = %d\n", r);
	r = kill(pid, SIGTERM);
	CHECK(r == 0);
	SAY("zombie: kill(pid, SIGTERM) = %d\n", r);
	pid_t g = getpgid(pid);
	CHECK(g == getpgrp());
	SAY("zombie: getpgid is the parent's group: %d\n", g == getpgrp());
	CHECK(getsid(pid) == getsid(0));
	SAY("zombie: getsid works: %d\n", getsid(pid) == getsid(0));
	usleep(20000);
	CHECK(kill(pid, 0) == 0);
	SAY("still there later: %d\n", kill(pid, 0) == 0);

	int st = 0;
	CHECK(waitpid(pid, &st, 0) == pid);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 4);
	SAY("reaped: status %d (the SIGTERM changed nothing)\n", WIFEXITED(st) ? WEXITSTATUS(st) : -1);
	ERR(kill(pid, 0), ESRCH);
	ERR(getpgid(pid), ESRCH);
	SAY("after reaping: ESRCH\n");

	/* Several zombies at once, reaped in reverse order. */
	pid_t z[5];
	for (int i = 0; i < 5; i++) {
		z[i] = FORK();
		if (z[i] == 0)
			_exit(i);
	}
	for (int i = 0; i < 5; i++)
		SYS(waitid(P_PID, z[i], &si, WEXITED | WNOWAIT));
	int alive = 0;
	for (int i = 0; i < 5; i++)
		alive += kill(z[i], 0) == 0;
	CHECK(alive == 5);
	SAY("five zombies answer kill(pid, 0): %d\n", alive);
	int ok = 0;
	for (int i = 4; i >= 0; i--) {
		ok += waitpid(z[i], &st, 0) == z[i] && WEXITSTATUS(st) == i;
		errno = 0;
		ok += kill(z[i], 0) == -1 && errno == ESRCH;
	}
	CHECK(ok == 10);
	SAY("each gone once reaped: %d\n", ok == 10);
	DONE();
}
