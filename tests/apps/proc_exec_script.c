/* #! scripts: a /bin/sh script written into the current directory and
 * made executable runs with its arguments ($0 is the path), its output
 * comes through a pipe and its exit code through waitpid; an interpreter
 * argument on the #! line goes before the script's path. */
#include "check.h"
#include <sys/wait.h>

extern char **environ;

static void write_file(const char *path, const char *text)
{
	int fd = SYS(open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644));
	CHECK(write(fd, text, strlen(text)) == (ssize_t)strlen(text));
	SYS(close(fd));
	SYS(chmod(path, 0755));
}

int main(void)
{
	alarm(5);
	write_file("script.sh",
		   "#!/bin/sh\n"
		   "echo \"args: $# [$1] [$2]\"\n"
		   "echo \"0: $0\"\n"
		   "i=0; while [ $i -lt 3 ]; do i=$((i+1)); echo \"loop $i\"; done\n"
		   "exit 5\n");
	char out[512];
	char *argv[] = { "./script.sh", "one", "two words", NULL };
	int s = run_capture("./script.sh", argv, environ, out, sizeof(out));
	CHECK(s == 5);
	CHECK(!strcmp(out, "args: 2 [one] [two words]\n0: ./script.sh\nloop 1\nloop 2\nloop 3\n"));
	SAY("script output:\n%s", out);
	SAY("script status: %d\n", s);

	/* The interpreter gets: its own argument, the script path, then the
	 * arguments after argv[0]. */
	write_file("echo.sh", "#!/bin/echo from-the-line\nnot run\n");
	char *argv2[] = { "ignored-name", "x", "y", NULL };
	s = run_capture("./echo.sh", argv2, environ, out, sizeof(out));
	CHECK(s == 0 && !strcmp(out, "from-the-line ./echo.sh x y\n"));
	SAY("#!/bin/echo with an argument: %s", out);

	/* A script that runs another script and reads a file. */
	write_file("inner.sh", "#!/bin/sh\ncat data.txt\necho inner done\n");
	int fd = SYS(open("data.txt", O_WRONLY | O_CREAT | O_TRUNC, 0644));
	SYS(write(fd, "data line\n", 10));
	SYS(close(fd));
	write_file("outer.sh", "#!/bin/sh\n./inner.sh | while read l; do echo \"> $l\"; done\n");
	char *argv3[] = { "outer.sh", NULL };
	s = run_capture("./outer.sh", argv3, environ, out, sizeof(out));
	CHECK(s == 0 && !strcmp(out, "> data line\n> inner done\n"));
	SAY("nested scripts:\n%s", out);

	/* The execute bit is needed on the script itself. */
	SYS(chmod("script.sh", 0644));
	s = run_capture("./script.sh", argv, environ, out, sizeof(out));
	CHECK(s == 127 && out[0] == 0);
	SAY("without the execute bit the exec fails: %d\n", s == 127);
	SYS(unlink("script.sh"));
	SYS(unlink("echo.sh"));
	SYS(unlink("inner.sh"));
	SYS(unlink("outer.sh"));
	SYS(unlink("data.txt"));
	DONE();
}
