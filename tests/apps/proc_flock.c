/* File locks between processes: flock (whole-file, per open file) and
 * fcntl F_SETLK/F_SETLKW/F_GETLK (byte ranges, per process).  A child
 * meets EWOULDBLOCK/EAGAIN while the parent holds a conflicting lock,
 * F_GETLK names the holder, a blocked F_SETLKW or flock waits for the
 * release, and flock on a descriptor inherited through fork shares the
 * lock. */
#include "check.h"
#include <sys/file.h>
#include <sys/wait.h>

static int to_child[2], to_parent[2];

static void tell(int fd, char c) { CHECK(write(fd, &c, 1) == 1); }
static char hear(int fd)
{
	char c = 0;
	CHECK(read(fd, &c, 1) == 1);
	return c;
}

static int lk(int fd, int cmd, short type, off_t start, off_t len)
{
	struct flock fl = { .l_type = type, .l_whence = SEEK_SET, .l_start = start, .l_len = len };
	return fcntl(fd, cmd, &fl);
}

/* The child; its exit code's bits say which expectations failed. */
static int child(pid_t parent)
{
	int bad = 0;
	int fd = open("locked.dat", O_RDWR);
	if (fd < 0)
		return 255;
	/* Step 1: the parent holds flock LOCK_EX and fcntl lock [0,100). */
	hear(to_child[0]);
	errno = 0;
	if (flock(fd, LOCK_EX | LOCK_NB) != -1 || errno != EWOULDBLOCK)
		bad |= 1;
	errno = 0;
	if (flock(fd, LOCK_SH | LOCK_NB) != -1 || errno != EWOULDBLOCK)
		bad |= 1;
	errno = 0;
	if (lk(fd, F_SETLK, F_WRLCK, 50, 10) != -1 || (errno != EAGAIN && errno != EACCES))
		bad |= 2;
	errno = 0;
	if (lk(fd, F_SETLK, F_RDLCK, 99, 1) != -1 || (errno != EAGAIN && errno != EACCES))
		bad |= 2;
	struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 10, .l_len = 5 };
	if (fcntl(fd, F_GETLK, &fl) || fl.l_type != F_WRLCK || fl.l_pid != parent ||
	    fl.l_start != 0 || fl.l_len != 100)
		bad |= 4;
	/* Beyond the parent's range: free. */
	if (lk(fd, F_SETLK, F_WRLCK, 100, 100))
		bad |= 8;
	/* Step 2: wait in F_SETLKW and flock until the parent releases. */
	tell(to_parent[1], 'w');
	if (lk(fd, F_SETLKW, F_WRLCK, 0, 100))
		bad |= 16;
	if (flock(fd, LOCK_EX))
		bad |= 16;
	tell(to_parent[1], 'g');
	/* Step 3: the parent checks that the child holds them. */
	hear(to_child[0]);
	close(fd);
	return bad;
}

int main(void)
{
	alarm(5);
	int fd = SYS(open("locked.dat", O_RDWR | O_CREAT | O_TRUNC, 0644));
	SYS(ftruncate(fd, 4096));
	SYS(pipe(to_child));
	SYS(pipe(to_parent));
	pid_t me = getpid();
	pid_t pid = FORK();
	if (pid == 0) {
		alarm(5);
		_exit(child(me));
	}
	SYS(flock(fd, LOCK_EX));
	SYS(lk(fd, F_SETLK, F_WRLCK, 0, 100));
	tell(to_child[1], '1');
	CHECK(hear(to_parent[0]) == 'w');
	/* The child is about to block; give it time to get there. */
	usleep(50000);
	/* The child's range lock [100,200) blocks ours now. */
	ERR(lk(fd, F_SETLK, F_WRLCK, 150, 1), EAGAIN);
	SYS(lk(fd, F_SETLK, F_UNLCK, 0, 100));
	SYS(flock(fd, LOCK_UN));
	CHECK(hear(to_parent[0]) == 'g');
	int fd2 = SYS(open("locked.dat", O_RDWR));
	ERR(flock(fd2, LOCK_SH | LOCK_NB), EWOULDBLOCK);
	ERR(lk(fd, F_SETLK, F_RDLCK, 0, 1), EAGAIN);
	SAY("the child holds both locks after the parent released them\n");
	tell(to_child[1], '3');
	int st = 0;
	CHECK(waitpid(pid, &st, 0) == pid && WIFEXITED(st));
	int bad = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
	SAY("child: flock conflicts EWOULDBLOCK %d\n", !(bad & 1));
	SAY("child: fcntl conflicts EAGAIN %d\n", !(bad & 2));
	SAY("child: F_GETLK names the parent's lock %d\n", !(bad & 4));
	SAY("child: lock beyond the parent's range %d\n", !(bad & 8));
	SAY("child: F_SETLKW and flock waited for the release %d\n", !(bad & 16));
	CHECK(bad == 0);
	/* The child's exit dropped its locks. */
	SYS(flock(fd2, LOCK_SH | LOCK_NB));
	SYS(lk(fd, F_SETLK, F_WRLCK, 0, 0));
	SAY("after the child exits its locks are gone\n");
	SYS(flock(fd2, LOCK_UN));
	SYS(close(fd2));
	SYS(lk(fd, F_SETLK, F_UNLCK, 0, 0));

	/* flock through a descriptor inherited across fork is the same lock:
	 * the child can take it again and its unlock releases the parent's. */
	SYS(flock(fd, LOCK_EX));
	pid = FORK();
	if (pid == 0) {
		int r = flock(fd, LOCK_EX | LOCK_NB);
		_exit(r == 0 && flock(fd, LOCK_UN) == 0 ? 0 : 1);
	}
	CHECK(wait_ok(pid));
	fd2 = SYS(open("locked.dat", O_RDWR));
	SYS(flock(fd2, LOCK_EX | LOCK_NB));
	SAY("inherited flock: shared with the child, released by its LOCK_UN\n");
	SYS(close(fd2));
	/* fcntl locks are not inherited: a child conflicts with the parent. */
	SYS(lk(fd, F_SETLK, F_WRLCK, 0, 10));
	pid = FORK();
	if (pid == 0) {
		errno = 0;
		int r = lk(fd, F_SETLK, F_WRLCK, 5, 1);
		_exit(r == -1 && errno == EAGAIN ? 0 : 1);
	}
	CHECK(wait_ok(pid));
	SAY("fcntl lock not inherited: the child gets EAGAIN on the inherited descriptor\n");
	SYS(close(fd));
	SYS(unlink("locked.dat"));
	DONE();
}
