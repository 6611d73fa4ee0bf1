/* execve failures, each tried in a forked child that reports errno through
 * its exit code: ENOENT, EACCES (no execute bit, a directory), ENOEXEC (an
 * executable file of garbage without #!), ENOTDIR, ENOENT for a missing #!
 * interpreter, E2BIG (one argument over 128 KiB, and too much in total),
 * EFAULT (argv, an argument, an environment string). */
#include "check.h"
#include <sys/mman.h>
#include <sys/wait.h>

extern char **environ;

/* The errno of execve(path, argv, envp) in a child; -1 if it ran. */
static int exec_errno_env(const char *path, char **argv, char **envp)
{
	fflush(stdout);
	pid_t pid = fork();
	if (pid < 0)
		return -2;
	if (pid == 0) {
		execve(path, argv, envp);
		_exit(errno < 200 ? errno : 200);
	}
	int st = 0;
	if (waitpid(pid, &st, 0) != pid)
		return -2;
	if (!WIFEXITED(st))
		return -1;
	return WEXITSTATUS(st);
}

static int exec_errno(const char *path, char **argv)
{
	return exec_errno_env(path, argv, environ);
}

static void make(const char *path, const char *text, size_t len, mode_t mode)
{
	int fd = SYS(open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600));
	CHECK(write(fd, text, len) == (ssize_t)len);
	SYS(close(fd));
	SYS(chmod(path, mode));
}

static void expect(const char *what, const char *path, char **argv, int want)
{
	int e = exec_errno(path, argv);
	CHECK(e == want);
	SAY("%s: %s\n", what, e > 0 ? strerrorname_np(e) : e == -1 ? "it ran" : "error");
}

int main(void)
{
	alarm(5);
	char *args[] = { "x", NULL };
	expect("missing file", "./does-not-exist", args, ENOENT);
	expect("empty path", "", args, ENOENT);

	/* The sandbox's user may be root; even root needs an execute bit. */
	make("noexec.sh", "#!/bin/sh\nexit 0\n", 18, 0644);
	expect("no execute permission", "./noexec.sh", args, EACCES);
	SYS(mkdir("adir", 0755));
	expect("a directory", "./adir", args, EACCES);
	static const char garbage[] = "\x01\x02\x03 this is not a program\n\xff\xfe";
	make("garbage", garbage, sizeof(garbage) - 1, 0755);
	expect("garbage without #!", "./garbage", args, ENOEXEC);
	make("empty", "", 0, 0755);
	expect("empty file", "./empty", args, ENOEXEC);
	expect("file as a directory", "./garbage/x", args, ENOTDIR);
	make("badinterp", "#!/no/such/interpreter\n", 23, 0755);
	expect("missing #! interpreter", "./badinterp", args, ENOENT);

	/* One string over MAX_ARG_STRLEN (32 pages). */
	size_t len = 200000;
	char *huge = PSYS(malloc(len + 1));
	memset(huge, 'a', len);
	huge[len] = 0;
	char *one[] = { "true", huge, NULL };
	expect("one 200 KB argument", "/bin/true", one, E2BIG);
	/* 800 strings of 100 KB: 80 MB, over any stack-derived limit. */
	huge[100000] = 0;
	char **many = PSYS(calloc(802, sizeof(char *)));
	many[0] = "true";
	for (int i = 1; i <= 800; i++)
		many[i] = huge;
	expect("80 MB of arguments", "/bin/true", many, E2BIG);
	/* A string of 100 KB alone is allowed. */
	char *fine[] = { "true", huge, NULL };
	int e = exec_errno("/bin/true", fine);
	CHECK(e == 0);
	SAY("one 100 KB argument: exit %d\n", e);
	free(many);
	free(huge);

	/* Bad addresses: the vector, a string in it, the environment's. */
	char *bad_string[] = { "true", (char *)8, NULL };
	expect("argv at a bad address", "/bin/true", (char **)8, EFAULT);
	expect("an argument at a bad address", "/bin/true", bad_string, EFAULT);
	e = exec_errno_env("/bin/true", args, bad_string);
	CHECK(e == EFAULT);
	SAY("an environment string at a bad address: %s\n", strerrorname_np(e));
	/* A vector that ends just before an inaccessible page is fine. */
	char *pages = PSYS(mmap(NULL, 8192, PROT_READ | PROT_WRITE,
				MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
	SYS(mprotect(pages + 4096, 4096, PROT_NONE));
	char **edge = (char **)(pages + 4096) - 2;
	edge[0] = "true";
	edge[1] = NULL;
	e = exec_errno_env("/bin/true", edge, edge + 1);
	CHECK(e == 0);
	SAY("argv ending at an inaccessible page: %s\n", e == 0 ? "ran" : "did not run");
	SYS(munmap(pages, 8192));

	/* A failed exec leaves the caller intact. */
	errno = 0;
	int r = execve("./does-not-exist", args, environ);
	CHECK(r == -1 && errno == ENOENT);
	SAY("failed execve returns to the caller: %d\n", r);
	SYS(unlink("noexec.sh"));
	SYS(unlink("garbage"));
	SYS(unlink("empty"));
	SYS(unlink("badinterp"));
	SYS(rmdir("adir"));
	DONE();
}
