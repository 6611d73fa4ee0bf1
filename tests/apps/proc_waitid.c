/* waitid: P_PID and P_ALL with WEXITED fill siginfo (si_pid, si_uid,
 * si_signo SIGCHLD, si_code CLD_EXITED/CLD_KILLED/CLD_DUMPED, si_status);
 * WNOWAIT leaves the zombie to be collected again; WNOHANG with nothing
 * to report returns 0 with si_pid 0; WSTOPPED/WCONTINUED; P_PGID. */
#include "check.h"
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>

static const char *code_name(int c)
{
	switch (c) {
	case CLD_EXITED: return "CLD_EXITED";
	case CLD_KILLED: return "CLD_KILLED";
	case CLD_DUMPED: return "CLD_DUMPED";
	case CLD_STOPPED: return "CLD_STOPPED";
	case CLD_CONTINUED: return "CLD_CONTINUED";
	}
	return "other";
}

int main(void)
{
	alarm(5);
	siginfo_t si;
	pid_t pid = spawn(9);
	memset(&si, 0, sizeof(si));
	SYS(waitid(P_PID, pid, &si, WEXITED | WNOWAIT));
	CHECK(si.si_pid == pid && si.si_code == CLD_EXITED && si.si_status == 9);
	SAY("WNOWAIT: %s status %d\n", code_name(si.si_code), si.si_status);
	memset(&si, 0, sizeof(si));
	SYS(waitid(P_PID, pid, &si, WEXITED));
	CHECK(si.si_pid == pid && si.si_signo == SIGCHLD && si.si_code == CLD_EXITED &&
	      si.si_status == 9 && si.si_uid == getuid());
	SAY("collected after WNOWAIT: signo %s, %s status %d, pid %d, uid %d\n",
	    sigabbrev_np(si.si_signo), code_name(si.si_code), si.si_status, si.si_pid == pid,
	    si.si_uid == getuid());
	ERR(waitid(P_PID, pid, &si, WEXITED), ECHILD);
	SAY("then gone: ECHILD\n");

	pid = spawn(-1);
	memset(&si, 0xff, sizeof(si));
	int r = waitid(P_ALL, 0, &si, WEXITED | WNOHANG);
	CHECK(r == 0 && si.si_pid == 0);
	SAY("running child, WNOHANG: %d, si_pid %d\n", r, si.si_pid);
	SYS(kill(pid, SIGKILL));
	memset(&si, 0, sizeof(si));
	SYS(waitid(P_ALL, 0, &si, WEXITED));
	CHECK(si.si_pid == pid && si.si_code == CLD_KILLED && si.si_status == SIGKILL);
	SAY("P_ALL after SIGKILL: %s signal %s\n", code_name(si.si_code), sigabbrev_np(si.si_status));

	/* A non-dumpable child killed by SIGQUIT dumps no core. */
	pid = FORK();
	if (pid == 0) {
		/* Not dumpable: no core even through a core_pattern pipe. */
		struct rlimit rl = { 0, 0 };
		setrlimit(RLIMIT_CORE, &rl);
		prctl(PR_SET_DUMPABLE, 0);
		raise(SIGQUIT);
		_exit(100);
	}
	memset(&si, 0, sizeof(si));
	SYS(waitid(P_PID, pid, &si, WEXITED));
	CHECK(si.si_pid == pid && si.si_code == CLD_KILLED && si.si_status == SIGQUIT);
	SAY("SIGQUIT without core: %s signal %s\n", code_name(si.si_code), sigabbrev_np(si.si_status));

	/* Stops and continues are reported only when asked for. */
	pid = spawn(-1);
	SYS(kill(pid, SIGSTOP));
	memset(&si, 0, sizeof(si));
	SYS(waitid(P_PID, pid, &si, WSTOPPED));
	CHECK(si.si_pid == pid && si.si_code == CLD_STOPPED && si.si_status == SIGSTOP);
	SAY("WSTOPPED: %s signal %s\n", code_name(si.si_code), sigabbrev_np(si.si_status));
	SYS(kill(pid, SIGCONT));
	memset(&si, 0, sizeof(si));
	SYS(waitid(P_PID, pid, &si, WCONTINUED));
	CHECK(si.si_pid == pid && si.si_code == CLD_CONTINUED && si.si_status == SIGCONT);
	SAY("WCONTINUED: %s signal %s\n", code_name(si.si_code), sigabbrev_np(si.si_status));
	memset(&si, 0xff, sizeof(si));
	CHECK(waitid(P_PID, pid, &si, WEXITED | WNOHANG) == 0 && si.si_pid == 0);
	SYS(kill(pid, SIGTERM));
	memset(&si, 0, sizeof(si));
	SYS(waitid(P_PID, pid, &si, WEXITED));
	CHECK(si.si_code == CLD_KILLED && si.si_status == SIGTERM);
	SAY("then SIGTERM: %s signal %s\n", code_name(si.si_code), sigabbrev_np(si.si_status));

	/* P_PGID: only children in that group. */
	pid_t a = FORK();
	if (a == 0) {
		setpgid(0, 0);
		_exit(21);
	}
	setpgid(a, a);
	pid_t b = spawn(22);
	memset(&si, 0, sizeof(si));
	SYS(waitid(P_PGID, a, &si, WEXITED));
	CHECK(si.si_pid == a && si.si_status == 21);
	SAY("P_PGID collected the child in that group: %d\n", si.si_pid == a);
	ERR(waitid(P_PGID, a, &si, WEXITED), ECHILD);
	memset(&si, 0, sizeof(si));
	SYS(waitid(P_ALL, 0, &si, WEXITED));
	CHECK(si.si_pid == b && si.si_status == 22);
	SAY("P_ALL collected the other: %d\n", si.si_pid == b);
	ERR(waitid(P_ALL, 0, &si, WEXITED), ECHILD);
	ERR(waitid(P_ALL, 0, &si, 0), EINVAL);
	SAY("no options: EINVAL\n");
	DONE();
}
