/* memfd_create: an anonymous file; write, map, seals. */
#include "check.h"
#include <sys/mman.h>

int main(void)
{
	int m = SYS(memfd_create("apps-test", MFD_CLOEXEC | MFD_ALLOW_SEALING));
	CHECK(write(m, "memfd data", 10) == 10);
	struct stat st;
	SYS(fstat(m, &st));
	CHECK(S_ISREG(st.st_mode) && st.st_size == 10);
	SYS(ftruncate(m, 8192));
	char *p = PSYS(mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_SHARED, m, 0));
	CHECK(!memcmp(p, "memfd data", 10));
	p[4096] = 'Q';
	char c;
	CHECK(pread(m, &c, 1, 4096) == 1 && c == 'Q');
	SAY("mapping and file agree: %c\n", c);
	char link[64], target[256];
	snprintf(link, sizeof(link), "/proc/self/fd/%d", m);
	ssize_t n = readlink(link, target, sizeof(target) - 1);
	target[n > 0 ? n : 0] = 0;
	CHECK(!strncmp(target, "/memfd:apps-test", 16));
	SAY("named %s\n", target);
	SYS(munmap(p, 8192));
	SYS(fcntl(m, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW));
	CHECK(fcntl(m, F_GET_SEALS) == (F_SEAL_SHRINK | F_SEAL_GROW));
	ERR(ftruncate(m, 100), EPERM);
	ERR(ftruncate(m, 100000), EPERM);
	SYS(fcntl(m, F_ADD_SEALS, F_SEAL_WRITE));
	ERR(pwrite(m, "x", 1, 0), EPERM);
	ERR(mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_SHARED, m, 0), EPERM);
	SYS(fcntl(m, F_ADD_SEALS, F_SEAL_SEAL));
	ERR(fcntl(m, F_ADD_SEALS, F_SEAL_WRITE), EPERM);
	SAY("seals enforced\n");
	int plain = SYS(memfd_create("x", 0));
	ERR(fcntl(plain, F_ADD_SEALS, F_SEAL_WRITE), EPERM);
	close(plain);
	close(m);
	DONE();
}
