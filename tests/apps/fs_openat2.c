/* openat2: RESOLVE_BENEATH keeps a path inside its directory (a path that
 * leaves it, or an absolute one, is EXDEV; ".." that stays inside is
 * fine); bad sizes, flags and resolve bits are EINVAL. */
#include "check.h"
#include <linux/openat2.h>
#include <sys/syscall.h>

static long openat2_(int dfd, const char *path, uint64_t flags, uint64_t mode, uint64_t resolve,
		     size_t size)
{
	struct open_how how = {.flags = flags, .mode = mode, .resolve = resolve};
	return syscall(SYS_openat2, dfd, path, &how, size);
}

int main(void)
{
	SYS(mkdir("o2.dir", 0755));
	SYS(mkdir("o2.dir/sub", 0755));
	close(SYS(open("o2.dir/in", O_CREAT | O_WRONLY, 0644)));
	close(SYS(open("o2.out", O_CREAT | O_WRONLY, 0644)));
	int dfd = SYS(open("o2.dir", O_RDONLY | O_DIRECTORY));
	size_t sz = sizeof(struct open_how);

	close((int)SYS(openat2_(dfd, "in", O_RDONLY, 0, RESOLVE_BENEATH, sz)));
	close((int)SYS(openat2_(dfd, "sub/../in", O_RDONLY, 0, RESOLVE_BENEATH, sz)));
	SAY("inside the directory: opened\n");
	ERR(openat2_(dfd, "../o2.out", O_RDONLY, 0, RESOLVE_BENEATH, sz), EXDEV);
	ERR(openat2_(dfd, "sub/../../o2.out", O_RDONLY, 0, RESOLVE_BENEATH, sz), EXDEV);
	ERR(openat2_(dfd, "/", O_RDONLY, 0, RESOLVE_BENEATH, sz), EXDEV);
	close((int)SYS(openat2_(AT_FDCWD, "o2.dir/in", O_RDONLY, 0, RESOLVE_BENEATH, sz)));
	ERR(openat2_(AT_FDCWD, "../o2.out", O_RDONLY, 0, RESOLVE_BENEATH, sz), EXDEV);
	SAY("leaving it, or an absolute path: EXDEV (from the working directory too)\n");
	close((int)SYS(openat2_(dfd, "../o2.out", O_RDONLY, 0, 0, sz)));
	SAY("without RESOLVE_BENEATH: opened\n");

	ERR(openat2_(dfd, "in", O_RDONLY, 0, 0, sz - 8), EINVAL);
	ERR(openat2_(dfd, "in", O_RDONLY, 0644, 0, sz), EINVAL);
	ERR(openat2_(dfd, "in", O_RDONLY, 0, 1ull << 40, sz), EINVAL);
	ERR(openat2_(dfd, "in", O_RDONLY, 0, RESOLVE_BENEATH | RESOLVE_IN_ROOT, sz), EINVAL);
	SAY("bad size, mode without O_CREAT, unknown or clashing resolve bits: EINVAL\n");
	close(dfd);
	SAY("result: ok\n");
	return 0;
}
