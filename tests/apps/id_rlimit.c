/* getrlimit, setrlimit, prlimit: lowering RLIMIT_NOFILE gives EMFILE. */
#include "check.h"
#include <sys/resource.h>

int main(void)
{
	struct rlimit rl, old;
	SYS(getrlimit(RLIMIT_NOFILE, &old));
	CHECK(old.rlim_cur > 16 && old.rlim_cur <= old.rlim_max);
	SYS(getrlimit(RLIMIT_STACK, &rl));
	CHECK(rl.rlim_cur >= 1 << 20);
	SYS(getrlimit(RLIMIT_AS, &rl));
	SYS(getrlimit(RLIMIT_CORE, &rl));
	SAY("limits readable\n");
	rl.rlim_cur = 32;
	rl.rlim_max = old.rlim_max;
	SYS(setrlimit(RLIMIT_NOFILE, &rl));
	int last = -1, opened = 0;
	for (int i = 0; i < 100; i++) {
		int fd = open("/dev/null", O_RDONLY);
		if (fd < 0) { CHECK(errno == EMFILE); break; }
		last = fd;
		opened++;
	}
	CHECK(last == 31);
	SAY("RLIMIT_NOFILE 32: highest descriptor %d, then EMFILE\n", last);
	ERR(dup2(0, 40), EBADF);
	for (int fd = 3; fd <= last; fd++) close(fd);
	struct rlimit got;
	SYS(prlimit(0, RLIMIT_NOFILE, NULL, &got));
	CHECK(got.rlim_cur == 32);
	rl.rlim_cur = old.rlim_max + 1;
	ERR(setrlimit(RLIMIT_NOFILE, &rl), EINVAL);
	SYS(setrlimit(RLIMIT_NOFILE, &old));
	ERR(getrlimit(999, &rl), EINVAL);
	SAY("prlimit and errors ok\n");
	DONE();
}
