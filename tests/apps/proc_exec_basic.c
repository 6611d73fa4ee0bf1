/* fork + execve of host programs: arguments, environment and argv[0]
 * reach the new program, its output comes through a pipe on stdout, and
 * its exit status through waitpid. */
#include "check.h"
#include <sys/wait.h>

/* Runs path with argv and envp, stdout to a pipe; returns the status
 * (exit code, or 128 + signal) and the output in out. */
static int run(const char *path, char *const argv[], char *const envp[], char *out, size_t size)
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
	size_t got = 0;
	ssize_t n;
	while (got < size - 1 && (n = read(pfd[0], out + got, size - 1 - got)) > 0)
		got += n;
	out[got] = 0;
	close(pfd[0]);
	int st = 0;
	if (waitpid(pid, &st, 0) != pid)
		return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

int main(void)
{
	alarm(5);
	char out[256];
	char *env[] = { "FOO=bar baz", "PATH=/bin:/usr/bin", NULL };
	char *echo[] = { "echo", "hello", "  spaced  ", "world", NULL };
	int s = run("/bin/echo", echo, env, out, sizeof(out));
	CHECK(s == 0 && !strcmp(out, "hello   spaced   world\n"));
	SAY("echo: status %d, output: %s", s, out);

	char *t[] = { "true", NULL };
	s = run("/bin/true", t, env, out, sizeof(out));
	CHECK(s == 0 && out[0] == 0);
	SAY("true: status %d\n", s);
	char *f[] = { "false", NULL };
	s = run("/bin/false", f, env, out, sizeof(out));
	CHECK(s == 1);
	SAY("false: status %d\n", s);
	char *e77[] = { "sh", "-c", "exit 77", NULL };
	s = run("/bin/sh", e77, env, out, sizeof(out));
	CHECK(s == 77);
	SAY("sh -c 'exit 77': status %d\n", s);

	char *envs[] = { "sh", "-c", "echo \"FOO=$FOO\"; echo \"UNSET=${UNSET-none}\"", NULL };
	s = run("/bin/sh", envs, env, out, sizeof(out));
	CHECK(s == 0 && !strcmp(out, "FOO=bar baz\nUNSET=none\n"));
	SAY("environment passed: %s", out);
	char *empty[] = { NULL };
	s = run("/bin/sh", envs, empty, out, sizeof(out));
	CHECK(s == 0 && !strcmp(out, "FOO=\nUNSET=none\n"));
	SAY("empty environment: %s", out);

	char *zero[] = { "sh", "-c", "echo \"$0 $# $1 $2\"", "my-name", "a b", "c", NULL };
	s = run("/bin/sh", zero, env, out, sizeof(out));
	CHECK(s == 0 && !strcmp(out, "my-name 2 a b c\n"));
	SAY("argv[0] and arguments: %s", out);

	/* A signal ends the program: status 128 + signal number. */
	char *kill9[] = { "sh", "-c", "kill -9 $$", NULL };
	s = run("/bin/sh", kill9, env, out, sizeof(out));
	CHECK(s == 128 + SIGKILL);
	SAY("sh killing itself with SIGKILL: 128+%d\n", s - 128);

	/* stdin is inherited too: cat copies a file opened as fd 0. */
	int fd = SYS(open("input.txt", O_RDWR | O_CREAT | O_TRUNC, 0644));
	SYS(write(fd, "line one\nline two\n", 18));
	SYS(lseek(fd, 5, SEEK_SET));
	int saved = SYS(dup(0));
	SYS(dup2(fd, 0));
	char *cat[] = { "cat", NULL };
	s = run("/bin/cat", cat, env, out, sizeof(out));
	SYS(dup2(saved, 0));
	CHECK(s == 0 && !strcmp(out, "one\nline two\n"));
	SAY("cat from an inherited stdin at offset 5: %s", out);
	CHECK(lseek(fd, 0, SEEK_CUR) == 18);
	SAY("cat's reads moved the shared offset to the end: %d\n", lseek(fd, 0, SEEK_CUR) == 18);
	SYS(close(fd));
	SYS(close(saved));
	SYS(unlink("input.txt"));
	DONE();
}
