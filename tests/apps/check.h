/*
 * Shared by the tests/apps programs.  Each program prints a deterministic
 * transcript (no pids, addresses, times or random values) and exits 0 when
 * every check held; a failed check prints "FAIL: file:line: what" and the
 * program ends with status 1 (unless it declares another expected status
 * with an "// expect-exit: N" line, see run.sh).
 */
#ifndef APPS_CHECK_H
#define APPS_CHECK_H
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static int check_fails;

static void check_fail(const char *file, int line, const char *what, int err)
{
	__atomic_add_fetch(&check_fails, 1, __ATOMIC_SEQ_CST);
	if (err)
		printf("FAIL: %s:%d: %s (errno %s)\n", file, line, what, strerrorname_np(err));
	else
		printf("FAIL: %s:%d: %s\n", file, line, what);
	fflush(stdout);
}

/* CHECK(cond): a plain assertion. */
#define CHECK(c) do { if (!(c)) check_fail(__FILE__, __LINE__, #c, 0); } while (0)
/* SYS(call): the call must not return -1; yields its value. */
#define SYS(x) ({ errno = 0; long _r = (long)(x); \
	if (_r == -1) { check_fail(__FILE__, __LINE__, #x, errno); } \
	_r; })
/* PSYS(call): the pointer-returning call must not fail (NULL or MAP_FAILED). */
#define PSYS(x) ({ errno = 0; void *_p = (void *)(x); \
	if (!_p || _p == (void *)-1) { check_fail(__FILE__, __LINE__, #x, errno); } \
	_p; })
/* ERR(call, E): the call must return -1 with errno E. */
#define ERR(x, e) do { errno = 0; long _r = (long)(x); int _e = errno; \
	if (!(_r == -1 && _e == (e))) { char _b[300]; \
		snprintf(_b, sizeof(_b), "%s: want -1 %s, got %ld %s", #x, \
			 strerrorname_np(e), _r, _r == -1 ? strerrorname_np(_e) : "-"); \
		check_fail(__FILE__, __LINE__, _b, 0); } } while (0)
/* ZERO(call): a pthread-style call that returns 0 or an error number. */
#define ZERO(x) do { int _e = (x); if (_e) check_fail(__FILE__, __LINE__, #x, _e); } while (0)

#define SAY(...) printf(__VA_ARGS__)
#define DONE() do { printf("result: %s\n", check_fails ? "failed" : "ok"); \
	return check_fails ? 1 : 0; } while (0)

/* Line-buffered stdout: a transcript survives a crash up to the last line. */
__attribute__((constructor)) static void check_init(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
}

static inline double check_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* FORK(): fork with stdout flushed; a failed fork ends the test at once, so
 * that no -1 ever reaches kill() or setpgid(). */
#define FORK() ({ fflush(stdout); pid_t _p = fork(); \
	if (_p < 0) { check_fail(__FILE__, __LINE__, "fork()", errno); exit(1); } \
	_p; })

/* wait_ok(pid): reaps the child; true when it exited with code 0. */
static inline int wait_ok(pid_t pid)
{
	int st = 0;
	return waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 0;
}

/* wait_status(pid): reaps the child; its exit code, 128 + the signal that
 * ended it, or -1 when waitpid fails. */
static inline int wait_status(pid_t pid)
{
	int st = 0;
	if (waitpid(pid, &st, 0) != pid)
		return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/* spawn(code): a child that exits with code, or with code < 0 pauses until
 * a signal ends it. */
static inline pid_t spawn(int code)
{
	pid_t pid = FORK();
	if (pid == 0) {
		alarm(5);
		if (code < 0)
			for (;;)
				pause();
		_exit(code);
	}
	return pid;
}

/* read_all(fd, buf, size): reads until EOF or buf is full, NUL-terminates;
 * returns the length. */
static inline size_t read_all(int fd, char *buf, size_t size)
{
	size_t got = 0;
	ssize_t n;
	while (got < size - 1 && (n = read(fd, buf + got, size - 1 - got)) > 0)
		got += n;
	buf[got] = 0;
	return got;
}

/* send_fd_to(sock, fd, tag, to, tolen): sends tag with fd attached
 * (SCM_RIGHTS), to an address if to is not NULL; 0 or -1. */
static inline int send_fd_to(int sock, int fd, const char *tag, const void *to, socklen_t tolen)
{
	union {
		struct cmsghdr h;
		char b[CMSG_SPACE(sizeof(int))];
	} c;
	memset(&c, 0, sizeof(c));
	struct iovec iov = { (void *)tag, strlen(tag) };
	struct msghdr m = { .msg_name = (void *)to, .msg_namelen = to ? tolen : 0,
			    .msg_iov = &iov, .msg_iovlen = 1, .msg_control = c.b,
			    .msg_controllen = sizeof(c.b) };
	c.h.cmsg_level = SOL_SOCKET;
	c.h.cmsg_type = SCM_RIGHTS;
	c.h.cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(&c.h), &fd, sizeof(int));
	return sendmsg(sock, &m, 0) == (ssize_t)strlen(tag) ? 0 : -1;
}
#define send_fd(sock, fd, tag) send_fd_to(sock, fd, tag, NULL, 0)

/* recv_fd(sock, tag, size): receives a tag (NUL-terminated) with one
 * descriptor attached; the descriptor, or -1. */
static inline int recv_fd(int sock, char *tag, size_t size)
{
	union {
		struct cmsghdr h;
		char b[CMSG_SPACE(sizeof(int))];
	} c;
	struct iovec iov = { tag, size - 1 };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = c.b,
			    .msg_controllen = sizeof(c.b) };
	ssize_t n = recvmsg(sock, &m, 0);
	if (n <= 0)
		return -1;
	tag[n] = 0;
	struct cmsghdr *h = CMSG_FIRSTHDR(&m);
	if (!h || h->cmsg_level != SOL_SOCKET || h->cmsg_type != SCM_RIGHTS)
		return -1;
	int fd;
	memcpy(&fd, CMSG_DATA(h), sizeof(int));
	return fd;
}

/* run_capture(path, argv, envp, out, size): execve in a child with stdout on
 * a pipe; the output in out, returns wait_status() (-1 on a setup error). */
static inline int run_capture(const char *path, char *const argv[], char *const envp[],
			      char *out, size_t size)
{
	int pfd[2];
	if (pipe(pfd))
		return -1;
	fflush(stdout);
	pid_t pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		dup2(pfd[1], 1);
		close(pfd[0]);
		close(pfd[1]);
		execve(path, argv, envp);
		_exit(127);
	}
	close(pfd[1]);
	read_all(pfd[0], out, size);
	close(pfd[0]);
	return wait_status(pid);
}
#endif
