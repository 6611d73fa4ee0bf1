/* Process groups: setpgid puts a child in a new group and a second child
 * into it (both sides call it, as shells do); getpgid reports it; kill of
 * -pgid reaches every member and not the parent; kill(0, sig) from a group
 * leader reaches its whole group; setpgid errors. */
#include "check.h"
#include <sys/wait.h>

static pid_t sleeper(pid_t group)
{
	pid_t pid = FORK();
	if (pid == 0) {
		alarm(5);
		setpgid(0, group);
		for (;;)
			pause();
	}
	return pid;
}

static volatile int hits;
static void on_usr1(int sig) { (void)sig; hits++; }

int main(void)
{
	alarm(5);
	/* The test itself leads its own group, apart from its caller's. */
	SYS(setpgid(0, 0));
	pid_t me = getpid();
	CHECK(getpgrp() == me);

	pid_t a = sleeper(0);
	SYS(setpgid(a, a));
	pid_t b = sleeper(a);
	SYS(setpgid(b, a));
	CHECK(getpgid(a) == a && getpgid(b) == a);
	SAY("both children in the first child's group: %d %d\n", getpgid(a) == a, getpgid(b) == a);
	CHECK(getpgrp() == me);
	SAY("parent's group unchanged: %d\n", getpgrp() == me);
	SYS(kill(-a, SIGTERM));
	int st = 0, dead = 0;
	for (int i = 0; i < 2; i++) {
		pid_t r = wait(&st);
		if ((r == a || r == b) && WIFSIGNALED(st) && WTERMSIG(st) == SIGTERM)
			dead++;
	}
	CHECK(dead == 2);
	SAY("kill(-pgid, SIGTERM) ended %d members, the parent survived\n", dead);
	ERR(kill(-a, 0), ESRCH);
	SAY("group gone: kill(-pgid, 0) gives ESRCH\n");

	/* kill(0, sig) from a child that leads a new group with two
	 * grandchildren; the test's group is not hit. */
	pid_t leader = FORK();
	if (leader == 0) {
		alarm(5);
		if (setpgid(0, 0))
			_exit(100);
		pid_t g1 = sleeper(getpid());
		pid_t g2 = sleeper(getpid());
		/* Installed after the forks: the grandchildren keep SIG_DFL. */
		signal(SIGUSR1, on_usr1);
		if (kill(0, SIGUSR1))
			_exit(101);
		int bad = 0, s = 0;
		if (waitpid(g1, &s, 0) != g1 || !WIFSIGNALED(s) || WTERMSIG(s) != SIGUSR1)
			bad |= 1;
		if (waitpid(g2, &s, 0) != g2 || !WIFSIGNALED(s) || WTERMSIG(s) != SIGUSR1)
			bad |= 2;
		if (hits != 1)
			bad |= 4;
		_exit(bad);
	}
	CHECK(waitpid(leader, &st, 0) == leader && WIFEXITED(st) && WEXITSTATUS(st) == 0);
	SAY("kill(0, SIGUSR1) reached the leader and both grandchildren: status %d\n",
	    WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st));

	/* A child can join its parent's group again, and errors. */
	pid_t c = sleeper(me);	/* its own setpgid agrees with the final one */
	SYS(setpgid(c, c));
	SYS(setpgid(c, me));
	CHECK(getpgid(c) == me);
	SAY("child moved back into the parent's group: %d\n", getpgid(c) == me);
	ERR(setpgid(c, 999999), EPERM);
	ERR(setpgid(999999, 0), ESRCH);
	ERR(setpgid(0, -1), EINVAL);
	ERR(getpgid(999999), ESRCH);
	ERR(kill(-999999, SIGTERM), ESRCH);
	SAY("errors: EPERM for a missing group, ESRCH for a missing pid, EINVAL\n");
	SYS(kill(c, SIGKILL));
	CHECK(waitpid(c, &st, 0) == c);
	ERR(wait(NULL), ECHILD);
	DONE();
}
