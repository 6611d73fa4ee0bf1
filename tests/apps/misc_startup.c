/* What a program finds at start: arguments, environment, auxiliary vector, stdio. */
#include "check.h"
#include <elf.h>
#include <link.h>
#include <sys/auxv.h>

extern char **environ;

static int phdrs;
static int count(struct dl_phdr_info *info, size_t size, void *data)
{
	(void)info; (void)size; (void)data;
	phdrs++;
	return 0;
}

int main(int argc, char **argv)
{
	CHECK(argc == 1 && argv[1] == NULL);
	CHECK(argv[0] && argv[0][0]);
	SAY("argc %d\n", argc);
	int n = 0;
	for (char **e = environ; *e; e++) {
		n++;
		CHECK(strchr(*e, '='));
	}
	CHECK(getenv("PATH") != NULL);
	CHECK(!getenv("MOAT_SANDBOX_ID") && !getenv("MOAT_CHANNEL_FD"));
	SAY("environment: PATH set, no MOAT_ settings leaked\n");
	SYS(setenv("APPS_X", "1", 1));
	CHECK(!strcmp(getenv("APPS_X"), "1"));
	SYS(unsetenv("APPS_X"));
	CHECK(!getenv("APPS_X"));
	CHECK(getauxval(AT_PAGESZ) == 4096);
	CHECK(getauxval(AT_PHDR) != 0 && getauxval(AT_PHNUM) > 0);
	CHECK(getauxval(AT_RANDOM) != 0);
	CHECK(getauxval(AT_ENTRY) != 0);
	CHECK(getauxval(AT_UID) == getuid() && getauxval(AT_EUID) == geteuid());
	CHECK(getauxval(AT_SECURE) == 0);
	CHECK(getauxval(AT_HWCAP) != 0);
	CHECK(getauxval(AT_EXECFN) != 0);
	const char *plat = (const char *)getauxval(AT_PLATFORM);
	CHECK(plat && !strcmp(plat, "x86_64"));
	SAY("auxv: page size, phdrs, random, entry, ids, platform ok\n");
	dl_iterate_phdr(count, NULL);
	CHECK(phdrs >= 1);
	CHECK(isatty(0) == 0 || isatty(0) == 1);
	/* Descriptors 0, 1 and 2 are open. */
	for (int fd = 0; fd < 3; fd++)
		CHECK(fcntl(fd, F_GETFD) >= 0);
	CHECK(fcntl(3, F_GETFD) == -1 && errno == EBADF);
	SAY("descriptors 0-2 open, 3 closed\n");
	fprintf(stderr, "a line on stderr\n");
	double d = strtod("3.25", NULL);
	char fmt[64];
	snprintf(fmt, sizeof(fmt), "%.3f %e %g", d * 2, d, 1e-5);
	CHECK(!strcmp(fmt, "6.500 3.250000e+00 1e-05"));
	SAY("floating point formatting: %s\n", fmt);
	DONE();
}
