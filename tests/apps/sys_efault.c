/* Bad application pointers: system calls return -1/EFAULT (as Linux does)
 * rather than crashing the process.  Each call is made twice, with a low
 * address ((void *)8) and with an unmapped page; one line per call. */
#include "check.h"
#include <poll.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <sys/statfs.h>
#include <netinet/in.h>

static void *bad[2];

/* T(name, call-using-B): the call, made with B = each bad pointer, must
 * fail with EFAULT. */
#define T(name, call) do { int _ok = 1; \
	for (int _i = 0; _i < 2; _i++) { void *B = bad[_i]; (void)B; \
		errno = 0; long _r = (long)(call); int _e = errno; \
		if (!(_r == -1 && _e == EFAULT)) { _ok = 0; \
			printf("%s: bad pointer %d: got %ld %s\n", name, _i, _r, \
			       _r == -1 ? strerrorname_np(_e) : "-"); \
			check_fail(__FILE__, __LINE__, name, 0); } } \
	if (_ok) printf("%s: EFAULT\n", name); } while (0)

int main(void)
{
	bad[0] = (void *)8;
	bad[1] = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(bad[1] != MAP_FAILED);
	SYS(munmap(bad[1], 4096));

	int fd = SYS(open("file", O_RDWR | O_CREAT | O_TRUNC, 0644));
	SYS(write(fd, "hello world\n", 12));
	int p[2];
	SYS(pipe(p));
	int sv[2];
	SYS(socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
	SYS(write(sv[1], "yyyy", 4));
	int us = SYS(socket(AF_INET, SOCK_DGRAM, 0));
	int ep = SYS(epoll_create1(0));
	int dfd = SYS(open(".", O_RDONLY | O_DIRECTORY));

	/* File I/O. */
	SYS(write(p[1], "xx", 2));
	T("read", syscall(SYS_read, p[0], B, 1));
	T("write", syscall(SYS_write, fd, B, 4));
	T("pread64", syscall(SYS_pread64, fd, B, 4, 0));
	T("pwrite64", syscall(SYS_pwrite64, fd, B, 4, 0));
	T("readv iov", syscall(SYS_readv, fd, B, 1));
	T("writev iov", syscall(SYS_writev, fd, B, 1));
	{
		struct iovec iv = { .iov_base = NULL, .iov_len = 4 };
		T("writev base", (iv.iov_base = B, syscall(SYS_writev, fd, &iv, 1)));
		T("preadv iov", syscall(SYS_preadv, fd, B, 1, 0, 0));
		T("pwritev iov", syscall(SYS_pwritev, fd, B, 1, 0, 0));
	}

	/* Paths and stat. */
	T("open", syscall(SYS_open, B, O_RDONLY));
	T("openat", syscall(SYS_openat, AT_FDCWD, B, O_RDONLY));
	T("mkdir", syscall(SYS_mkdir, B, 0755));
	T("unlink", syscall(SYS_unlink, B));
	T("rmdir", syscall(SYS_rmdir, B));
	T("rename", syscall(SYS_rename, B, "x"));
	T("access", syscall(SYS_access, B, F_OK));
	T("chdir", syscall(SYS_chdir, B));
	T("readlink path", syscall(SYS_readlink, B, (char[8]){0}, 8));
	T("stat path", syscall(SYS_stat, B, (struct stat[1]){0}));
	T("stat buf", syscall(SYS_stat, "file", B));
	T("lstat buf", syscall(SYS_lstat, "file", B));
	T("fstat", syscall(SYS_fstat, fd, B));
	T("newfstatat buf", syscall(SYS_newfstatat, AT_FDCWD, "file", B, 0));
	T("newfstatat path", syscall(SYS_newfstatat, AT_FDCWD, B, (struct stat[1]){0}, 0));
	T("statx buf", syscall(SYS_statx, AT_FDCWD, "file", 0, 0x7ff, B));
	T("getcwd", syscall(SYS_getcwd, B, 256));
	T("getdents64", syscall(SYS_getdents64, dfd, B, 4096));
	T("readlink buf", syscall(SYS_readlink, "/proc/self/exe", B, 64));

	/* Identity, limits and time. */
	T("uname", syscall(SYS_uname, B));
	T("sysinfo", syscall(SYS_sysinfo, B));
	T("getrlimit", syscall(SYS_getrlimit, RLIMIT_NOFILE, B));
	T("setrlimit", syscall(SYS_setrlimit, RLIMIT_NOFILE, B));
	T("prlimit64 new", syscall(SYS_prlimit64, 0, RLIMIT_NOFILE, B, NULL));
	T("prlimit64 old", syscall(SYS_prlimit64, 0, RLIMIT_NOFILE, NULL, B));
	T("getrusage", syscall(SYS_getrusage, 0, B));
	T("clock_gettime", syscall(SYS_clock_gettime, CLOCK_MONOTONIC, B));
	T("clock_getres", syscall(SYS_clock_getres, CLOCK_MONOTONIC, B));
	T("gettimeofday", syscall(SYS_gettimeofday, B, NULL));
	T("nanosleep", syscall(SYS_nanosleep, B, NULL));
	T("clock_nanosleep", syscall(SYS_clock_nanosleep, CLOCK_MONOTONIC, 0, B, NULL));
	T("getitimer", syscall(SYS_getitimer, ITIMER_REAL, B));
	T("setitimer", syscall(SYS_setitimer, ITIMER_REAL, B, NULL));
	T("getrandom", syscall(SYS_getrandom, B, 16, 0));
	T("getresuid", syscall(SYS_getresuid, B, B, B));

	/* Signals. */
	T("rt_sigaction new", syscall(SYS_rt_sigaction, SIGUSR1, B, NULL, 8));
	T("rt_sigaction old", syscall(SYS_rt_sigaction, SIGUSR1, NULL, B, 8));
	T("rt_sigprocmask set", syscall(SYS_rt_sigprocmask, SIG_BLOCK, B, NULL, 8));
	T("rt_sigprocmask old", syscall(SYS_rt_sigprocmask, SIG_BLOCK, NULL, B, 8));
	T("rt_sigpending", syscall(SYS_rt_sigpending, B, 8));
	T("sigaltstack new", syscall(SYS_sigaltstack, B, NULL));
	T("sigaltstack old", syscall(SYS_sigaltstack, NULL, B));

	/* Pipes and sockets. */
	T("pipe", syscall(SYS_pipe, B));
	T("pipe2", syscall(SYS_pipe2, B, 0));
	T("socketpair", syscall(SYS_socketpair, AF_UNIX, SOCK_STREAM, 0, B));
	T("sendmsg hdr", syscall(SYS_sendmsg, sv[0], B, 0));
	T("recvmsg hdr", syscall(SYS_recvmsg, sv[0], B, 0));
	{
		struct msghdr m = { 0 };
		m.msg_iovlen = 1;
		T("sendmsg iov", (m.msg_iov = B, syscall(SYS_sendmsg, sv[0], &m, 0)));
		T("recvmsg iov", (m.msg_iov = B, syscall(SYS_recvmsg, sv[0], &m, 0)));
	}
	T("sendto buf", syscall(SYS_sendto, sv[0], B, 4, 0, NULL, 0));
	T("sendto addr", syscall(SYS_sendto, us, "abc", 3, 0, B, sizeof(struct sockaddr_in)));
	T("recvfrom buf", syscall(SYS_recvfrom, sv[0], B, 4, MSG_DONTWAIT, NULL, NULL));
	T("getsockname len", syscall(SYS_getsockname, us, (struct sockaddr_in[1]){0}, B));
	{
		socklen_t l;
		T("getsockname addr", (l = sizeof(struct sockaddr_in), syscall(SYS_getsockname, us, B, &l)));
		T("getpeername addr", (l = sizeof(struct sockaddr_in), syscall(SYS_getpeername, sv[0], B, &l)));
		T("getsockopt val", (l = 4, syscall(SYS_getsockopt, us, SOL_SOCKET, SO_TYPE, B, &l)));
	}
	T("getpeername len", syscall(SYS_getpeername, sv[0], (struct sockaddr_in[1]){0}, B));
	T("getsockopt len", syscall(SYS_getsockopt, us, SOL_SOCKET, SO_TYPE, (int[1]){0}, B));
	T("setsockopt", syscall(SYS_setsockopt, us, SOL_SOCKET, SO_REUSEADDR, B, 4));
	T("bind", syscall(SYS_bind, us, B, sizeof(struct sockaddr_in)));
	T("connect", syscall(SYS_connect, us, B, sizeof(struct sockaddr_in)));

	/* Waiting. */
	T("poll", syscall(SYS_poll, B, 1, 0));
	T("ppoll", syscall(SYS_ppoll, B, 1, NULL, NULL, 8));
	T("select", syscall(SYS_select, 4, B, NULL, NULL, NULL));
	T("select timeout", syscall(SYS_select, 0, NULL, NULL, NULL, B));
	T("pselect6", syscall(SYS_pselect6, 4, B, NULL, NULL, NULL, NULL));
	T("epoll_ctl", syscall(SYS_epoll_ctl, ep, EPOLL_CTL_ADD, p[0], B));
	{
		struct epoll_event ev = { .events = EPOLLIN };
		SYS(epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev));
	}
	T("epoll_wait", syscall(SYS_epoll_wait, ep, B, 1, 0));
	T("epoll_pwait", syscall(SYS_epoll_pwait, ep, B, 1, 0, NULL, 8));
	T("futex wait", syscall(SYS_futex, B, 0 /* FUTEX_WAIT */, 0, NULL, NULL, 0));

	/* More sockets: names, control data, the vector calls. */
	{
		int dg[2];
		SYS(socketpair(AF_UNIX, SOCK_DGRAM, 0, dg));
		char buf[8];
		struct iovec iv = { buf, sizeof(buf) };
		struct msghdr m = { .msg_iov = &iv, .msg_iovlen = 1 };
		m.msg_controllen = 64;
		T("sendmsg control", (m.msg_control = B, syscall(SYS_sendmsg, dg[0], &m, 0)));
		m.msg_control = NULL;
		m.msg_controllen = 0;
		m.msg_namelen = sizeof(struct sockaddr_in);
		T("sendmsg name", (m.msg_name = B, syscall(SYS_sendmsg, us, &m, 0)));
		T("sendmmsg vec", syscall(SYS_sendmmsg, dg[0], B, 1, 0));
		T("recvmmsg vec", syscall(SYS_recvmmsg, dg[1], B, 1, MSG_DONTWAIT, NULL));
		int fds[1] = { 0 };
		union { struct cmsghdr h; char b[CMSG_SPACE(sizeof(int))]; } c;
		c.h.cmsg_len = CMSG_LEN(sizeof(int));
		c.h.cmsg_level = SOL_SOCKET;
		c.h.cmsg_type = SCM_RIGHTS;
		memcpy(CMSG_DATA(&c.h), fds, sizeof(int));
		SYS(write(dg[0], "ab", 2));
		SYS(write(dg[0], "cd", 2));
		m.msg_name = NULL;
		m.msg_namelen = 0;
		T("recvmsg buf", (iv.iov_base = B, syscall(SYS_recvmsg, dg[1], &m, MSG_DONTWAIT)));
		iv.iov_base = buf;
		SYS(close(dg[0]));
		SYS(close(dg[1]));
	}
	{
		int ls = SYS(socket(AF_UNIX, SOCK_STREAM, 0));
		sa_family_t fam = AF_UNIX; /* autobind */
		SYS(bind(ls, (struct sockaddr *)&fam, sizeof(fam)));
		SYS(listen(ls, 1));
		struct sockaddr_storage ss;
		socklen_t l = sizeof(ss);
		SYS(getsockname(ls, (struct sockaddr *)&ss, &l));
		/* Linux takes the connection, then fails to store the length:
		 * a new client each time. */
		int cs[2] = { -1, -1 }, k = 0;
		T("accept len", (cs[k] = socket(AF_UNIX, SOCK_STREAM, 0),
				 connect(cs[k++], (struct sockaddr *)&ss, l),
				 syscall(SYS_accept4, ls, &ss, B, SOCK_NONBLOCK)));
		close(cs[0]);
		close(cs[1]);
		SYS(close(ls));
	}

	/* Assorted out-structures. */
	T("fstatfs", syscall(SYS_fstatfs, fd, B));
	T("statfs buf", syscall(SYS_statfs, ".", B));
	T("statfs path", syscall(SYS_statfs, B, (char[256]){0}));
	T("truncate", syscall(SYS_truncate, B, 0));
	T("utimensat times", syscall(SYS_utimensat, AT_FDCWD, "file", B, 0));
	T("ioctl FIONREAD", syscall(SYS_ioctl, p[0], 0x541B /* FIONREAD */, B));
	T("fcntl F_GETLK", syscall(SYS_fcntl, fd, F_GETLK, B));
	T("sched_getaffinity", syscall(SYS_sched_getaffinity, 0, 128, B));
	T("sched_getparam", syscall(SYS_sched_getparam, 0, B));
	T("timer_create", syscall(SYS_timer_create, CLOCK_MONOTONIC, B, B));
	T("rt_sigtimedwait", syscall(SYS_rt_sigtimedwait, B, NULL, NULL, 8));
	T("rt_sigsuspend", syscall(SYS_rt_sigsuspend, B, 8));
	T("symlink", syscall(SYS_symlink, B, "link"));
	T("link", syscall(SYS_link, "file", B));
	T("chmod", syscall(SYS_chmod, B, 0644));
	T("prctl PR_GET_NAME", syscall(SYS_prctl, 16 /* PR_GET_NAME */, B, 0, 0, 0));
	T("prctl PR_SET_NAME", syscall(SYS_prctl, 15 /* PR_SET_NAME */, B, 0, 0, 0));
	T("arch_prctl ARCH_GET_FS", syscall(SYS_arch_prctl, 0x1003 /* ARCH_GET_FS */, B));
	T("sched_setaffinity", syscall(SYS_sched_setaffinity, 0, 128, B));
	T("getcpu", syscall(SYS_getcpu, B, NULL, NULL));
	T("rt_sigqueueinfo", syscall(SYS_rt_sigqueueinfo, getpid(), SIGUSR1, B));
	{
		void *pg = PSYS(mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
		T("mincore", syscall(SYS_mincore, pg, 4096, B));
		/* FUTEX_WAKE_OP writes the second word: unmapped or read-only. */
		static uint32_t w;
		long op = 1L << 12; /* FUTEX_OP(FUTEX_OP_SET, 1, FUTEX_OP_CMP_EQ, 0) */
		T("futex wake_op", syscall(SYS_futex, &w, 5 /* FUTEX_WAKE_OP */, 1, 1, B, op));
		T("futex wake_op read-only", syscall(SYS_futex, &w, 5, 1, 1, B ? pg : pg, op));
		SYS(munmap(pg, 4096));
	}
	T("timerfd_settime", syscall(SYS_timerfd_settime, p[0], 0, B, NULL));
	T("memfd_create", syscall(SYS_memfd_create, B, 0));
	T("fchmodat", syscall(SYS_fchmodat, AT_FDCWD, B, 0644));
	T("epoll_wait big", syscall(SYS_epoll_wait, ep, B, 8, 0));

	SYS(close(fd));
	DONE();
}
