/* flock, POSIX record locks and open file description locks. */
#include "check.h"
#include <sys/file.h>

int main(void)
{
	int a = SYS(open("lk.dat", O_RDWR | O_CREAT | O_TRUNC, 0644));
	int b = SYS(open("lk.dat", O_RDWR));
	SYS(write(a, "0123456789", 10));
	SYS(flock(a, LOCK_EX));
	ERR(flock(b, LOCK_EX | LOCK_NB), EWOULDBLOCK);
	ERR(flock(b, LOCK_SH | LOCK_NB), EWOULDBLOCK);
	SYS(flock(a, LOCK_UN));
	SYS(flock(b, LOCK_SH | LOCK_NB));
	SYS(flock(a, LOCK_SH | LOCK_NB));
	ERR(flock(a, LOCK_EX | LOCK_NB), EWOULDBLOCK);
	SYS(flock(b, LOCK_UN));
	SYS(flock(a, LOCK_EX | LOCK_NB));
	SYS(flock(a, LOCK_UN));
	SAY("flock: exclusive and shared conflicts ok\n");
	/* POSIX locks belong to the process: no conflict with itself. */
	struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 5 };
	SYS(fcntl(a, F_SETLK, &fl));
	struct flock q = { .l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 10 };
	SYS(fcntl(b, F_GETLK, &q));
	CHECK(q.l_type == F_UNLCK);
	SYS(fcntl(b, F_SETLK, &q));
	SAY("record locks: same process never conflicts\n");
	fl.l_type = F_UNLCK;
	fl.l_len = 0;
	SYS(fcntl(a, F_SETLK, &fl));
	/* Open file description locks conflict between descriptions. */
	struct flock o = { .l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 2, .l_len = 3 };
	SYS(fcntl(a, F_OFD_SETLK, &o));
	struct flock t = { .l_type = F_RDLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 10 };
	ERR(fcntl(b, F_OFD_SETLK, &t), EAGAIN);
	t.l_type = F_RDLCK;
	SYS(fcntl(b, F_OFD_GETLK, &t));
	CHECK(t.l_type == F_WRLCK && t.l_start == 2 && t.l_len == 3 && t.l_pid == -1);
	SAY("OFD lock conflict reported: start %ld len %ld\n", (long)t.l_start, (long)t.l_len);
	struct flock r = { .l_type = F_RDLCK, .l_whence = SEEK_SET, .l_start = 5, .l_len = 5 };
	SYS(fcntl(b, F_OFD_SETLK, &r));
	o.l_type = F_UNLCK;
	SYS(fcntl(a, F_OFD_SETLK, &o));
	t.l_type = F_WRLCK; t.l_start = 0; t.l_len = 5; t.l_pid = 0;
	SYS(fcntl(a, F_OFD_SETLK, &t));
	SAY("OFD locks released and retaken\n");
	struct flock bad = { .l_type = 99 };
	ERR(fcntl(a, F_SETLK, &bad), EINVAL);
	close(a); close(b);
	unlink("lk.dat");
	DONE();
}
