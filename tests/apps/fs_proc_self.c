/* /proc/self: exe, cmdline, status, stat, fd, comm, environ. */
#include "check.h"
#include <dirent.h>

static ssize_t slurp(const char *p, char *buf, size_t len)
{
	int fd = open(p, O_RDONLY);
	if (fd < 0) return -1;
	size_t n = 0;
	ssize_t r;
	while (n < len - 1 && (r = read(fd, buf + n, len - 1 - n)) > 0)
		n += r;
	buf[n] = 0;
	close(fd);
	return n;
}

int main(int argc, char **argv)
{
	(void)argc;
	char buf[65536], exe[4096];
	ssize_t n = SYS(readlink("/proc/self/exe", exe, sizeof(exe) - 1));
	if (n < 0) n = 0;
	exe[n] = 0;
	const char *base = strrchr(exe, '/');
	const char *me = strrchr(argv[0], '/');
	CHECK(exe[0] == '/' && base && me && !strcmp(base, me));
	SAY("exe: absolute, ends with the program name %d\n", base && me && !strcmp(base, me));
	n = slurp("/proc/self/cmdline", buf, sizeof(buf));
	CHECK(n > 0 && !strcmp(buf, argv[0]));
	SAY("cmdline: argv[0] matches %d\n", n > 0 && !strcmp(buf, argv[0]));
	n = slurp("/proc/self/status", buf, sizeof(buf));
	CHECK(n > 0);
	char *name = strstr(buf, "Name:\t");
	char want[64];
	snprintf(want, sizeof(want), "Name:\t%.15s\n", me ? me + 1 : "");
	CHECK(name == buf && !strncmp(name, want, strlen(want)));
	char *pid = strstr(buf, "\nPid:\t");
	CHECK(pid && atoi(pid + 6) == getpid());
	char *thr = strstr(buf, "\nThreads:\t");
	CHECK(thr && atoi(thr + 10) == 1);
	SAY("status: Name, Pid and Threads right\n");
	n = slurp("/proc/self/stat", buf, sizeof(buf));
	CHECK(n > 0 && atoi(buf) == getpid());
	char *rp = strrchr(buf, ')');
	CHECK(rp && rp[1] == ' ' && rp[2] == 'R');
	SAY("stat: pid and state R\n");
	n = slurp("/proc/self/comm", buf, sizeof(buf));
	snprintf(want, sizeof(want), "%.15s\n", me ? me + 1 : "");
	CHECK(n > 0 && !strcmp(buf, want));
	SAY("comm: %s", buf);
	int fd = SYS(open("/dev/null", O_RDONLY));
	char link[64], target[256];
	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	n = SYS(readlink(link, target, sizeof(target) - 1));
	target[n > 0 ? n : 0] = 0;
	CHECK(!strcmp(target, "/dev/null"));
	SAY("fd link: %s\n", target);
	DIR *d = PSYS(opendir("/proc/self/fd"));
	int count = 0, seen = 0;
	struct dirent *e;
	while (d && (e = readdir(d))) {
		if (e->d_name[0] == '.') continue;
		count++;
		if (atoi(e->d_name) == fd) seen = 1;
	}
	if (d) closedir(d);
	CHECK(seen && count >= 4);
	SAY("fd directory lists the new descriptor %d\n", seen);
	setenv("MOAT_APPS_MARK", "x", 1);
	n = slurp("/proc/self/environ", buf, sizeof(buf));
	CHECK(n >= 0);
	n = slurp("/proc/self/auxv", buf, sizeof(buf));
	CHECK(n > 0 && n % 16 == 0);
	SAY("auxv readable\n");
	char self[64];
	n = SYS(readlink("/proc/self", self, sizeof(self) - 1));
	self[n > 0 ? n : 0] = 0;
	CHECK(atoi(self) == getpid());
	DONE();
}
