/* The file of a bound AF_UNIX socket is a socket for every process: a
 * child binds and listens on a path; the parent sees a socket (stat,
 * lstat, readdir), open gives ENXIO, a connect reaches the child, and an
 * exec'd program (test -S, stat -c %F, ls -l) sees a socket too.  After
 * the child exits the file stays a socket (nobody listens: ECONNREFUSED,
 * a second bind: EADDRINUSE) until unlinked; it can be renamed and linked
 * like any file.  mknod(S_IFSOCK) makes one too. */
#include "check.h"
#include <dirent.h>
#include <sys/socket.h>
#include <sys/sysmacros.h>
#include <sys/un.h>
#include <sys/wait.h>

static struct sockaddr_un addr(const char *path)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	strncpy(a.sun_path, path, sizeof(a.sun_path) - 1);
	return a;
}

/* The exit status of a program run with argv, its output in out. */
static int run(char *const argv[], char *out, size_t size)
{
	int p[2];
	SYS(pipe(p));
	pid_t pid = FORK();
	if (pid == 0) {
		dup2(p[1], 1);
		close(p[0]);
		close(p[1]);
		execv(argv[0], argv);
		_exit(127);
	}
	close(p[1]);
	size_t got = 0;
	ssize_t n;
	while (got + 1 < size && (n = read(p[0], out + got, size - 1 - got)) > 0)
		got += (size_t)n;
	out[got] = 0;
	close(p[0]);
	int ws = 0;
	CHECK(waitpid(pid, &ws, 0) == pid);
	return WIFEXITED(ws) ? WEXITSTATUS(ws) : 128 + WTERMSIG(ws);
}

static int test_s(const char *path)
{
	char out[16];
	char *argv[] = { "/usr/bin/test", "-S", (char *)path, NULL };
	return run(argv, out, sizeof(out));
}

static unsigned char dirent_type(const char *name)
{
	DIR *d = opendir(".");
	unsigned char t = 255;
	struct dirent *e;
	while (d && (e = readdir(d)))
		if (!strcmp(e->d_name, name))
			t = e->d_type;
	if (d)
		closedir(d);
	return t;
}

static int connect_to(const char *path)
{
	struct sockaddr_un a = addr(path);
	int s = SYS(socket(AF_UNIX, SOCK_STREAM, 0));
	if (connect(s, (struct sockaddr *)&a, sizeof(a)) < 0) {
		int e = errno;
		close(s);
		errno = e;
		return -1;
	}
	return s;
}

int main(void)
{
	alarm(10);
	umask(022);
	int ready[2];
	SYS(pipe(ready));
	pid_t child = FORK();
	if (child == 0) {
		close(ready[0]);
		int l = socket(AF_UNIX, SOCK_STREAM, 0);
		struct sockaddr_un a = addr("srv.sock");
		if (l < 0 || bind(l, (struct sockaddr *)&a, sizeof(a)) || listen(l, 4))
			_exit(1);
		if (write(ready[1], "r", 1) != 1)
			_exit(2);
		int c = accept(l, NULL, NULL);
		char buf[8] = {0};
		if (c < 0 || read(c, buf, sizeof(buf) - 1) != 4 || strcmp(buf, "ping") ||
		    write(c, "pong", 4) != 4)
			_exit(3);
		close(c);
		_exit(0); /* the socket file stays */
	}
	close(ready[1]);
	char r;
	CHECK(read(ready[0], &r, 1) == 1);
	close(ready[0]);

	struct stat st, lst;
	SYS(stat("srv.sock", &st));
	SYS(lstat("srv.sock", &lst));
	CHECK(S_ISSOCK(st.st_mode) && S_ISSOCK(lst.st_mode));
	CHECK((st.st_mode & 07777) == 0755);
	CHECK(st.st_ino == lst.st_ino && st.st_nlink == 1);
	SAY("another process's socket file: stat socket %d, lstat socket %d, mode %o\n",
	    S_ISSOCK(st.st_mode), S_ISSOCK(lst.st_mode), st.st_mode & 07777);
	unsigned char t = dirent_type("srv.sock");
	CHECK(t == DT_SOCK);
	SAY("readdir: DT_SOCK %d\n", t == DT_SOCK);
	ERR(open("srv.sock", O_RDONLY), ENXIO);
	ERR(open("srv.sock", O_WRONLY | O_NONBLOCK), ENXIO);
	ERR(open("srv.sock", O_RDONLY | O_DIRECTORY), ENOTDIR);
	int o = SYS(open("srv.sock", O_PATH | O_CLOEXEC));
	SYS(fstat(o, &st));
	CHECK(S_ISSOCK(st.st_mode) && st.st_ino == lst.st_ino);
	char lk[8];
	ERR(readlinkat(o, "", lk, sizeof(lk)), ENOENT);
	SYS(close(o));
	SYS(symlink("srv.sock", "via.link"));
	o = SYS(open("via.link", O_PATH | O_CLOEXEC));
	SYS(fstat(o, &st));
	CHECK(S_ISSOCK(st.st_mode) && st.st_ino == lst.st_ino);
	SYS(close(o));
	o = SYS(open("via.link", O_PATH | O_NOFOLLOW | O_CLOEXEC));
	SYS(fstat(o, &st));
	CHECK(S_ISLNK(st.st_mode));
	SYS(close(o));
	ERR(open("via.link", O_RDONLY), ENXIO);
	SYS(unlink("via.link"));
	SAY("open: ENXIO; O_PATH: a socket %d\n", S_ISSOCK(lst.st_mode));

	/* Programs run by exec see it too. */
	CHECK(test_s("srv.sock") == 0);
	char out[256];
	char *stat_argv[] = { "/usr/bin/stat", "-c", "%F", "srv.sock", NULL };
	CHECK(run(stat_argv, out, sizeof(out)) == 0);
	CHECK(!strcmp(out, "socket\n"));
	SAY("stat -c %%F: %s", out);
	char *ls_argv[] = { "/bin/ls", "-l", "srv.sock", NULL };
	CHECK(run(ls_argv, out, sizeof(out)) == 0);
	CHECK(out[0] == 's');
	SAY("ls -l: type '%c'\n", out[0]);

	int s = connect_to("srv.sock");
	CHECK(s >= 0);
	char buf[8] = {0};
	CHECK(write(s, "ping", 4) == 4);
	CHECK(read(s, buf, sizeof(buf) - 1) == 4);
	CHECK(!strcmp(buf, "pong"));
	SAY("connected to the child: '%s'\n", buf);
	close(s);
	int ws = 0;
	CHECK(waitpid(child, &ws, 0) == child && WIFEXITED(ws) && WEXITSTATUS(ws) == 0);
	SAY("child status %d\n", WIFEXITED(ws) ? WEXITSTATUS(ws) : -1);

	/* After the child: still a socket file, nobody behind it. */
	SYS(stat("srv.sock", &st));
	CHECK(S_ISSOCK(st.st_mode));
	CHECK(test_s("srv.sock") == 0);
	SAY("after the child exited: socket %d\n", S_ISSOCK(st.st_mode));
	CHECK(connect_to("srv.sock") == -1 && errno == ECONNREFUSED);
	SAY("connect: %s\n", strerrorname_np(errno));
	int b = SYS(socket(AF_UNIX, SOCK_STREAM, 0));
	struct sockaddr_un a = addr("srv.sock");
	ERR(bind(b, (struct sockaddr *)&a, sizeof(a)), EADDRINUSE);
	SAY("bind over it: EADDRINUSE\n");

	/* A file like any other: renamed, linked, unlinked. */
	SYS(rename("srv.sock", "moved.sock"));
	ERR(stat("srv.sock", &st), ENOENT);
	SYS(stat("moved.sock", &st));
	CHECK(S_ISSOCK(st.st_mode));
	SYS(link("moved.sock", "linked.sock"));
	SYS(lstat("linked.sock", &lst));
	CHECK(S_ISSOCK(lst.st_mode) && lst.st_ino == st.st_ino && lst.st_nlink == 2);
	SAY("renamed and linked: socket %d, links %d\n", S_ISSOCK(lst.st_mode),
	    (int)lst.st_nlink);
	SYS(unlink("moved.sock"));
	SYS(unlink("linked.sock"));
	ERR(stat("linked.sock", &st), ENOENT);
	CHECK(test_s("linked.sock") == 1);
	SAY("unlinked: gone\n");
	/* Now the name is free: bind again, and this time close first. */
	SYS(bind(b, (struct sockaddr *)&a, sizeof(a)));
	SYS(close(b));
	SYS(stat("srv.sock", &st));
	CHECK(S_ISSOCK(st.st_mode));
	SYS(unlink("srv.sock"));
	SAY("bound again after unlink: socket %d\n", S_ISSOCK(st.st_mode));

	/* mknod makes one too; a regular file is no socket. */
	SYS(mknod("node.sock", S_IFSOCK | 0640, 0));
	SYS(stat("node.sock", &st));
	CHECK(S_ISSOCK(st.st_mode) && (st.st_mode & 07777) == 0640);
	CHECK(test_s("node.sock") == 0);
	SAY("mknod S_IFSOCK: socket %d, mode %o\n", S_ISSOCK(st.st_mode), st.st_mode & 07777);
	ERR(mknod("node.sock", S_IFSOCK | 0640, 0), EEXIST);
	SYS(unlink("node.sock"));
	int f = SYS(open("plain", O_CREAT | O_WRONLY, 0600));
	close(f);
	CHECK(test_s("plain") == 1);
	SYS(unlink("plain"));
	SAY("a regular file: test -S fails\n");
	DONE();
}
