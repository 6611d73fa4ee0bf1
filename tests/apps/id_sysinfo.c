/* sysinfo and the memory and processor counts. */
#include "check.h"
#include <sys/sysinfo.h>

int main(void)
{
	struct sysinfo si;
	SYS(sysinfo(&si));
	CHECK(si.totalram > 0 && si.freeram <= si.totalram && si.mem_unit >= 1);
	CHECK(si.uptime > 0);
	CHECK(si.procs >= 1);
	SAY("sysinfo: totalram > 0, free <= total, uptime > 0\n");
	CHECK(get_nprocs() >= 1 && get_nprocs_conf() >= get_nprocs());
	CHECK(get_phys_pages() > 0 && get_avphys_pages() <= get_phys_pages());
	SAY("nprocs and pages ok\n");
	double load[3];
	CHECK(getloadavg(load, 3) == 3);
	SAY("loadavg readable\n");
	DONE();
}
