/* uname, gethostname, sysconf basics. */
#include "check.h"
#include <sys/utsname.h>

int main(void)
{
	struct utsname u;
	SYS(uname(&u));
	CHECK(!strcmp(u.sysname, "Linux"));
	CHECK(!strcmp(u.machine, "x86_64"));
	CHECK(u.release[0] >= '3' && u.release[0] <= '9' && strchr(u.release, '.'));
	CHECK(u.nodename[0] != 0 && u.version[0] != 0);
	SAY("sysname %s, machine %s\n", u.sysname, u.machine);
	char host[256];
	SYS(gethostname(host, sizeof(host)));
	CHECK(!strcmp(host, u.nodename));
	SAY("gethostname matches nodename: %d\n", !strcmp(host, u.nodename));
	CHECK(sysconf(_SC_PAGESIZE) == 4096);
	CHECK(sysconf(_SC_CLK_TCK) == 100);
	CHECK(sysconf(_SC_OPEN_MAX) > 0);
	CHECK(sysconf(_SC_NPROCESSORS_ONLN) >= 1);
	SAY("page size %ld, clock ticks %ld\n", sysconf(_SC_PAGESIZE), sysconf(_SC_CLK_TCK));
	DONE();
}
