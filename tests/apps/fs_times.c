/* utimensat, futimens, utimes: times set and read back. */
#include "check.h"
#include <sys/time.h>
#include <utime.h>

int main(void)
{
	int fd = SYS(open("tm.txt", O_CREAT | O_WRONLY, 0644));
	struct timespec ts[2] = { { 1000000000, 123456789 }, { 1200000000, 987654321 } };
	SYS(futimens(fd, ts));
	struct stat st;
	SYS(stat("tm.txt", &st));
	CHECK(st.st_atim.tv_sec == 1000000000 && st.st_atim.tv_nsec == 123456789);
	CHECK(st.st_mtim.tv_sec == 1200000000 && st.st_mtim.tv_nsec == 987654321);
	SAY("futimens: atime %ld mtime %ld\n", (long)st.st_atim.tv_sec, (long)st.st_mtim.tv_sec);
	struct timespec keep[2] = { { 0, UTIME_OMIT }, { 1300000000, 0 } };
	SYS(utimensat(AT_FDCWD, "tm.txt", keep, 0));
	SYS(stat("tm.txt", &st));
	CHECK(st.st_atim.tv_sec == 1000000000 && st.st_mtim.tv_sec == 1300000000);
	SAY("UTIME_OMIT keeps atime: %ld\n", (long)st.st_atim.tv_sec);
	struct timeval tv[2] = { { 1100000000, 0 }, { 1100000001, 0 } };
	SYS(utimes("tm.txt", tv));
	SYS(stat("tm.txt", &st));
	CHECK(st.st_atime == 1100000000 && st.st_mtime == 1100000001);
	struct utimbuf ub = { 1, 2 };
	SYS(utime("tm.txt", &ub));
	SYS(stat("tm.txt", &st));
	CHECK(st.st_atime == 1 && st.st_mtime == 2);
	SAY("utimes and utime ok\n");
	time_t before = time(NULL);
	SYS(utimensat(AT_FDCWD, "tm.txt", NULL, 0));
	SYS(stat("tm.txt", &st));
	CHECK(st.st_mtime >= before - 2 && st.st_mtime <= time(NULL) + 2);
	SAY("NULL sets the current time\n");
	/* A write moves mtime. */
	SYS(utime("tm.txt", &ub));
	SYS(write(fd, "x", 1));
	SYS(fstat(fd, &st));
	CHECK(st.st_mtime > 2);
	SAY("write updated mtime\n");
	close(fd);
	unlink("tm.txt");
	DONE();
}
