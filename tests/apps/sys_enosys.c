/* A system call the library OS does not implement fails with ENOSYS and is named in
 * one log line on moat's stderr.  Natively these numbers are unassigned or removed,
 * so they fail with ENOSYS too. */
// moat-stderr: nfsservctl
#include "check.h"
#include <sys/syscall.h>

int main(void)
{
	ERR(syscall(400), ENOSYS);
	ERR(syscall(1000), ENOSYS);
	ERR(syscall(SYS_nfsservctl, 0, 0, 0), ENOSYS);
	ERR(syscall(SYS_vserver), ENOSYS);
	ERR(syscall(SYS_tuxcall), ENOSYS);
	SAY("unimplemented calls: ENOSYS\n");
	/* The program carries on normally afterwards. */
	CHECK(getpid() > 0);
	SAY("still running\n");
	DONE();
}
