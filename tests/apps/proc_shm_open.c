/* POSIX shared memory between processes: shm_open/ftruncate/mmap in the
 * parent, the child opens the object by name and writes; O_EXCL gives
 * EEXIST; after shm_unlink the name is gone (ENOENT) but mappings and open
 * descriptors still work. */
#include "check.h"
#include <sys/mman.h>
#include <sys/wait.h>

int main(void)
{
	alarm(5);
	char name[64];
	snprintf(name, sizeof(name), "/moat-proc-shm-%ld", (long)getpid());
	int fd = SYS(shm_open(name, O_RDWR | O_CREAT | O_EXCL, 0600));
	SYS(ftruncate(fd, 8192));
	struct stat st;
	SYS(fstat(fd, &st));
	CHECK(st.st_size == 8192);
	SAY("shm object size: %ld\n", (long)st.st_size);
	char *m = PSYS(mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0));
	strcpy(m, "from the parent");
	ERR(shm_open(name, O_RDWR | O_CREAT | O_EXCL, 0600), EEXIST);
	SAY("second exclusive create: EEXIST\n");

	pid_t pid = FORK();
	if (pid == 0) {
		/* Not using the inherited descriptor or mapping. */
		int f = shm_open(name, O_RDWR, 0);
		if (f < 0)
			_exit(1);
		struct stat s;
		if (fstat(f, &s) || s.st_size != 8192)
			_exit(2);
		char *p = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_SHARED, f, 0);
		if (p == MAP_FAILED || strcmp(p, "from the parent"))
			_exit(3);
		strcpy(p + 4096, "from the child");
		_exit(0);
	}
	int ws = 0;
	CHECK(waitpid(pid, &ws, 0) == pid && WIFEXITED(ws) && WEXITSTATUS(ws) == 0);
	SAY("child opened it by name and saw the parent's data: status %d\n",
	    WIFEXITED(ws) ? WEXITSTATUS(ws) : -1);
	CHECK(!strcmp(m + 4096, "from the child"));
	SAY("child's write: '%s'\n", m + 4096);

	SYS(shm_unlink(name));
	ERR(shm_open(name, O_RDWR, 0), ENOENT);
	ERR(shm_unlink(name), ENOENT);
	SAY("after shm_unlink: ENOENT\n");
	/* Unlinked, still shared by the descriptor and mappings. */
	pid = FORK();
	if (pid == 0) {
		char *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
		if (p == MAP_FAILED)
			_exit(1);
		strcpy(p + 100, "after unlink");
		_exit(0);
	}
	CHECK(wait_ok(pid));
	CHECK(!strcmp(m + 100, "after unlink"));
	SAY("unlinked object still shared: '%s'\n", m + 100);
	SYS(munmap(m, 8192));
	SYS(close(fd));
	DONE();
}
