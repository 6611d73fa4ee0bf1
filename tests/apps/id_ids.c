/* Process and user identity: pids, process groups, uids and gids. */
#include "check.h"
#include <grp.h>
#include <sys/syscall.h>

int main(void)
{
	pid_t pid = getpid();
	CHECK(pid > 0 && syscall(SYS_getpid) == pid);
	CHECK(getppid() >= 0);
	CHECK(getpgrp() >= 0 && getpgid(0) == getpgrp());
	/* 0 when the caller's session belongs to another pid namespace (a
	 * container's exec, as in CI): only an error is wrong. */
	CHECK(getsid(0) >= 0);
	SAY("pid, ppid, process group and session: ok\n");
	CHECK(getuid() == geteuid() && getgid() == getegid());
	uid_t r, e, s;
	SYS(getresuid(&r, &e, &s));
	CHECK(r == getuid() && e == r && s == r);
	gid_t gr, ge, gs;
	SYS(getresgid(&gr, &ge, &gs));
	CHECK(gr == getgid() && ge == gr && gs == gr);
	int ng = SYS(getgroups(0, NULL));
	CHECK(ng >= 0);
	SAY("uid: real, effective and saved agree\n");
	SYS(setuid(getuid()));
	SYS(setgid(getgid()));
	SYS(setpgid(0, 0));
	CHECK(getpgrp() == pid);
	SAY("setpgid(0,0) makes a group leader: %d\n", getpgrp() == pid);
	ERR(kill(999999, 0), ESRCH);
	SYS(kill(pid, 0));
	ERR(getpgid(999999), ESRCH);
	SAY("kill(pid, 0) probes\n");
	DONE();
}
