/* fork + execve of host programs: arguments, environment and argv[0]
 * reach the new program, its output comes through a pipe on stdout, and
 * its exit status through waitpid. */
#include "check.h"
#include <sys/wait.h>

int main(void)
{
	alarm(5);
	char out[256];
	char *env[] = { "FOO=bar baz", "PATH=/bin:/usr/bin", NULL };
	char *echo[] = { "echo", "hello", "  spaced  ", "world", NULL };
	int s = run_capture("/bin/echo", echo, env, out, sizeof(out));
	CHECK(s == 0 && !strcmp(out, "hello   spaced   world\n"));
	SAY("echo: status %d, output: %s", s, out);

	char *t[] = { "true", NULL };
	s = run_capture("/bin/true", t, env, out, sizeof(out));
	CHECK(s == 0 && out[0] == 0);
	SAY("true: status %d\n", s);
	char *f[] = { "false", NULL };
	s = run_capture("/bin/false", f, env, out, sizeof(out));
	CHECK(s == 1);
	SAY("false: status %d\n", s);
	char *e77[] = { "sh", "-c", "exit 77", NULL };
	s = run_capture("/bin/sh", e77, env, out, sizeof(out));
	CHECK(s == 77);
	SAY("sh -c 'exit 77': status %d\n", s);

	char *envs[] = { "sh", "-c", "echo \"FOO=$FOO\"; echo \"UNSET=${UNSET-none}\"", NULL };
	s = run_capture("/bin/sh", envs, env, out, sizeof(out));
	CHECK(s == 0 && !strcmp(out, "FOO=bar baz\nUNSET=none\n"));
	SAY("environment passed: %s", out);
	char *empty[] = { NULL };
	s = run_capture("/bin/sh", envs, empty, out, sizeof(out));
	CHECK(s == 0 && !strcmp(out, "FOO=\nUNSET=none\n"));
	SAY("empty environment: %s", out);

	char *zero[] = { "sh", "-c", "echo \"$0 $# $1 $2\"", "my-name", "a b", "c", NULL };
	s = run_capture("/bin/sh", zero, env, out, sizeof(out));
	CHECK(s == 0 && !strcmp(out, "my-name 2 a b c\n"));
	SAY("argv[0] and arguments: %s", out);

	/* A signal ends the program: status 128 + signal number. */
	char *kill9[] = { "sh", "-c", "kill -9 $$", NULL };
	s = run_capture("/bin/sh", kill9, env, out, sizeof(out));
	CHECK(s == 128 + SIGKILL);
	SAY("sh killing itself with SIGKILL: 128+%d\n", s - 128);

	/* stdin is inherited too: cat copies a file opened as fd 0. */
	int fd = SYS(open("input.txt", O_RDWR | O_CREAT | O_TRUNC, 0644));
	SYS(write(fd, "line one\nline two\n", 18));
	SYS(lseek(fd, 5, SEEK_SET));
	int saved = SYS(dup(0));
	SYS(dup2(fd, 0));
	char *cat[] = { "cat", NULL };
	s = run_capture("/bin/cat", cat, env, out, sizeof(out));
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
