/* posix_spawn: /bin/echo with a file action opening a file in the current
 * directory as stdout; adddup2 onto a pipe; addclose; the environment
 * argument; exit statuses; POSIX_SPAWN_SETSIGDEF, SETSIGMASK and
 * SETPGROUP attributes; ENOENT for a missing program; posix_spawnp with a
 * PATH search. */
#include "check.h"
#include <spawn.h>
#include <sys/wait.h>

extern char **environ;

int main(void)
{
	alarm(5);
	posix_spawn_file_actions_t fa;
	ZERO(posix_spawn_file_actions_init(&fa));
	ZERO(posix_spawn_file_actions_addopen(&fa, 1, "out.txt", O_WRONLY | O_CREAT | O_TRUNC, 0644));
	pid_t pid = 0;
	char *echo[] = { "echo", "spawned", "hello", NULL };
	fflush(stdout);
	ZERO(posix_spawn(&pid, "/bin/echo", &fa, NULL, echo, environ));
	int s = wait_status(pid);
	CHECK(s == 0);
	ZERO(posix_spawn_file_actions_destroy(&fa));
	char buf[256];
	int fd = SYS(open("out.txt", O_RDONLY));
	read_all(fd, buf, sizeof(buf));
	SYS(close(fd));
	CHECK(!strcmp(buf, "spawned hello\n"));
	SAY("echo with stdout opened on out.txt: status %d, file: %s", s, buf);

	/* adddup2 onto a pipe, addclose of the read end in the child. */
	int p[2];
	SYS(pipe(p));
	ZERO(posix_spawn_file_actions_init(&fa));
	ZERO(posix_spawn_file_actions_adddup2(&fa, p[1], 1));
	ZERO(posix_spawn_file_actions_addclose(&fa, p[0]));
	ZERO(posix_spawn_file_actions_addclose(&fa, p[1]));
	char *env[] = { "GREETING=from the environment", NULL };
	char *sh[] = { "sh", "-c", "echo \"$GREETING\"; exit 6", NULL };
	fflush(stdout);
	ZERO(posix_spawn(&pid, "/bin/sh", &fa, NULL, sh, env));
	SYS(close(p[1]));
	read_all(p[0], buf, sizeof(buf));
	SYS(close(p[0]));
	s = wait_status(pid);
	CHECK(s == 6 && !strcmp(buf, "from the environment\n"));
	SAY("sh through a pipe with its own environment: %s", buf);
	SAY("status %d\n", s);
	ZERO(posix_spawn_file_actions_destroy(&fa));

	/* Attributes: SIGUSR1 ignored here is reset to default by SETSIGDEF;
	 * SETSIGMASK blocks SIGUSR2 in the child; SETPGROUP 0 makes it a
	 * group leader. */
	signal(SIGUSR1, SIG_IGN);
	posix_spawnattr_t at;
	ZERO(posix_spawnattr_init(&at));
	sigset_t def, mask;
	sigemptyset(&def);
	sigaddset(&def, SIGUSR1);
	sigemptyset(&mask);
	sigaddset(&mask, SIGUSR2);
	ZERO(posix_spawnattr_setsigdefault(&at, &def));
	ZERO(posix_spawnattr_setsigmask(&at, &mask));
	ZERO(posix_spawnattr_setpgroup(&at, 0));
	ZERO(posix_spawnattr_setflags(&at, POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK |
					   POSIX_SPAWN_SETPGROUP));
	/* The shell reports its pgid relation and then signals itself: it
	 * survives the blocked SIGUSR2 and dies of the default SIGUSR1. */
	char *sh2[] = { "sh", "-c", "kill -USR2 $$; kill -USR1 $$; exit 0", NULL };
	fflush(stdout);
	ZERO(posix_spawn(&pid, "/bin/sh", NULL, &at, sh2, environ));
	pid_t g = getpgid(pid);
	s = wait_status(pid);
	CHECK(s == 128 + SIGUSR1);
	SAY("SETSIGDEF and SETSIGMASK: the child died of %s\n", s > 128 ? sigabbrev_np(s - 128) : "nothing");
	CHECK(g == pid);
	SAY("SETPGROUP 0: the child leads its own group %d\n", g == pid);
	ZERO(posix_spawnattr_destroy(&at));
	signal(SIGUSR1, SIG_DFL);

	char *none[] = { "none", NULL };
	int r = posix_spawn(&pid, "./does-not-exist", NULL, NULL, none, environ);
	CHECK(r == ENOENT);
	SAY("missing program: %s\n", r ? strerrorname_np(r) : "0");

	char *t[] = { "true", NULL };
	char *f[] = { "false", NULL };
	fflush(stdout);
	ZERO(posix_spawnp(&pid, "true", NULL, NULL, t, environ));
	int st1 = wait_status(pid);
	fflush(stdout);
	ZERO(posix_spawnp(&pid, "false", NULL, NULL, f, environ));
	int st2 = wait_status(pid);
	CHECK(st1 == 0 && st2 == 1);
	SAY("posix_spawnp true and false: %d %d\n", st1, st2);
	SYS(unlink("out.txt"));
	DONE();
}
