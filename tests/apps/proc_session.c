/* Sessions: setsid in a child makes it leader of a new session and a new
 * group (sid == pgid == its pid) without a controlling terminal; a second
 * setsid, or setsid in a group leader, gives EPERM; getsid of another
 * process; a grandchild inherits the session; setpgid across sessions
 * gives EPERM. */
#include "check.h"
#include <sys/wait.h>

int main(void)
{
	alarm(5);
	pid_t me = getpid();
	pid_t mysid = getsid(0);
	CHECK(mysid >= 0);
	/* Leading a group forbids setsid. */
	SYS(setpgid(0, 0));
	ERR(setsid(), EPERM);
	SAY("setsid in a group leader: EPERM\n");

	int pfd[2], go[2];
	SYS(pipe(pfd));
	SYS(pipe(go));
	pid_t pid = FORK();
	if (pid == 0) {
		alarm(5);
		close(go[1]);
		int bad = 0;
		pid_t self = getpid();
		pid_t s = setsid();
		if (s != self)
			bad |= 1;
		if (getsid(0) != self || getpgrp() != self || getpgid(0) != self)
			bad |= 2;
		errno = 0;
		if (setsid() != -1 || errno != EPERM)
			bad |= 4;
		/* No controlling terminal in a new session (on a host that
		 * has /dev/tty at all). */
		if (access("/dev/tty", F_OK) == 0) {
			errno = 0;
			int t = open("/dev/tty", O_RDWR);
			if (t != -1 || errno != ENXIO)
				bad |= 8;
		}
		pid_t gc = fork();
		if (gc == 0)
			_exit(getsid(0) == self && getpgrp() == self ? 0 : 1);
		int st = 0;
		if (waitpid(gc, &st, 0) != gc || !WIFEXITED(st) || WEXITSTATUS(st) != 0)
			bad |= 16;
		if (write(pfd[1], &bad, sizeof(bad)) != sizeof(bad))
			_exit(100);
		char c;
		(void)!read(go[0], &c, 1);
		_exit(0);
	}
	SYS(close(go[0]));
	int bad = -1;
	CHECK(read(pfd[0], &bad, sizeof(bad)) == sizeof(bad));
	SAY("child: setsid returned its pid %d\n", !(bad & 1));
	SAY("child: sid, pgrp and pgid equal its pid %d\n", !(bad & 2));
	SAY("child: second setsid EPERM %d\n", !(bad & 4));
	SAY("child: /dev/tty gives ENXIO %d\n", !(bad & 8));
	SAY("grandchild inherited the session and group %d\n", !(bad & 16));
	CHECK(bad == 0);
	/* Seen from the parent while the child is alive. */
	pid_t s = getsid(pid);
	CHECK(s == pid);
	CHECK(getpgid(pid) == pid);
	SAY("getsid and getpgid of the child from the parent: %d %d\n", s == pid, getpgid(pid) == pid);
	CHECK(getsid(0) == mysid && getpgrp() == me);
	SAY("parent's session unchanged: %d\n", getsid(0) == mysid);
	ERR(setpgid(pid, me), EPERM);
	SAY("moving the child into the parent's group: EPERM\n");
	ERR(getsid(999999), ESRCH);
	SYS(close(go[1]));
	CHECK(wait_ok(pid));
	DONE();
}
