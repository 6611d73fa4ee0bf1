/* WNOHANG: waitpid returns 0 while the child runs, the pid once it has
 * exited; ECHILD with no children, for a pid that is not a child, and for
 * waitpid(-1) after the last child was reaped. */
#include "check.h"
#include <sys/wait.h>

int main(void)
{
	alarm(5);
	int st = 0;
	ERR(waitpid(-1, &st, WNOHANG), ECHILD);
	ERR(wait(&st), ECHILD);
	SAY("no children: ECHILD for WNOHANG and for wait\n");
	ERR(waitpid(getppid(), &st, WNOHANG), ECHILD);
	ERR(waitpid(getpid(), &st, 0), ECHILD);
	SAY("not a child: ECHILD\n");

	int go[2];
	SYS(pipe(go));
	pid_t pid = FORK();
	if (pid == 0) {
		close(go[1]);
		alarm(5);
		char c = 0;
		if (read(go[0], &c, 1) != 1)
			_exit(100);
		_exit(c);
	}
	SYS(close(go[0]));
	st = 12345;
	pid_t r = waitpid(pid, &st, WNOHANG);
	CHECK(r == 0);
	SAY("child blocked: waitpid(pid, WNOHANG) = %d\n", (int)r);
	r = waitpid(-1, &st, WNOHANG);
	CHECK(r == 0);
	SAY("child blocked: waitpid(-1, WNOHANG) = %d\n", (int)r);
	usleep(20000);
	CHECK(waitpid(pid, &st, WNOHANG) == 0);
	SYS(write(go[1], "\x21", 1));
	/* Poll until it is collected: 33 from the byte it read. */
	int polls = 0;
	while ((r = waitpid(pid, &st, WNOHANG)) == 0 && polls < 2000) {
		polls++;
		usleep(1000);
	}
	CHECK(r == pid);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 33);
	SAY("after it exits: collected %d, code %d\n", r == pid, WIFEXITED(st) ? WEXITSTATUS(st) : -1);
	ERR(waitpid(pid, &st, WNOHANG), ECHILD);
	ERR(waitpid(-1, &st, WNOHANG), ECHILD);
	SAY("reaped: ECHILD again\n");

	/* A child that already exited is collected at once with WNOHANG
	 * (waitid WNOWAIT waits for it without reaping). */
	pid = FORK();
	if (pid == 0)
		_exit(9);
	siginfo_t si;
	SYS(waitid(P_PID, pid, &si, WEXITED | WNOWAIT));
	r = waitpid(pid, &st, WNOHANG);
	CHECK(r == pid && WIFEXITED(st) && WEXITSTATUS(st) == 9);
	SAY("exited child, WNOHANG: collected %d, code %d\n", r == pid, WIFEXITED(st) ? WEXITSTATUS(st) : -1);

	/* Two children, one exited: WNOHANG on -1 picks the exited one. */
	SYS(pipe(go));
	pid_t slow = FORK();
	if (slow == 0) {
		close(go[1]);
		alarm(5);
		char c;
		_exit(read(go[0], &c, 1) == 0 ? 2 : 100);
	}
	SYS(close(go[0]));
	pid_t fast = FORK();
	if (fast == 0)
		_exit(1);
	SYS(waitid(P_PID, fast, &si, WEXITED | WNOWAIT));
	r = waitpid(-1, &st, WNOHANG);
	CHECK(r == fast && WEXITSTATUS(st) == 1);
	SAY("waitpid(-1, WNOHANG) took the exited child: %d\n", r == fast);
	CHECK(waitpid(-1, &st, WNOHANG) == 0);
	SYS(close(go[1]));
	r = waitpid(-1, &st, 0);
	CHECK(r == slow && WIFEXITED(st) && WEXITSTATUS(st) == 2);
	SAY("then the other one, blocking: %d\n", r == slow);
	ERR(wait(NULL), ECHILD);
	DONE();
}
