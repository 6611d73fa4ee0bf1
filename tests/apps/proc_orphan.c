/* Orphans: a grandchild whose parent exits is re-parented -- its getppid()
 * changes away from the dead parent (it reports only whether it changed)
 * to init or a subreaper, so it is not the grandparent's child (unless the
 * grandparent is itself the init of a pid namespace).  With
 * PR_SET_CHILD_SUBREAPER the grandparent becomes the new parent and can
 * wait for it. */
#include "check.h"
#include <sys/prctl.h>
#include <sys/wait.h>

/* Forks a child that forks a grandchild and exits at once.  The grandchild
 * waits for its parent to change and writes one byte: the new parent is
 * 'g' the grandparent, 'o' another process, 'x' unchanged after 3 s. */
static int orphan(pid_t *gc)
{
	int pfd[2];
	if (pipe(pfd))
		return -1;
	pid_t top = getpid();
	fflush(stdout);
	pid_t child = fork();
	if (child == 0) {
		pid_t me = getpid();
		pid_t g = fork();
		if (g == 0) {
			alarm(5);
			close(pfd[0]);
			char c = 'x';
			for (int i = 0; i < 3000; i++) {
				pid_t pp = getppid();
				if (pp != me) {
					c = pp == top ? 'g' : 'o';
					break;
				}
				usleep(1000);
			}
			if (write(pfd[1], &c, 1) != 1)
				_exit(1);
			_exit(0);
		}
		if (write(pfd[1], &g, sizeof(g)) != sizeof(g))
			_exit(2);
		_exit(g > 0 ? 0 : 1);
	}
	close(pfd[1]);
	CHECK(wait_ok(child));
	CHECK(read(pfd[0], gc, sizeof(*gc)) == sizeof(*gc));
	char c = '?';
	CHECK(read(pfd[0], &c, 1) == 1);
	close(pfd[0]);
	return c;
}

int main(void)
{
	alarm(5);
	pid_t gc = 0;
	int c = orphan(&gc);
	SAY("orphaned grandchild: parent changed %d\n", c == 'o' || c == 'g');
	int st = 0, ok;
	if (getpid() == 1) {
		/* The init of a pid namespace (as in a container or sandbox)
		 * inherits the orphans: then that is us. */
		ok = c == 'g' && waitpid(gc, &st, 0) == gc;
	} else {
		/* Not our child. */
		errno = 0;
		ok = c == 'o' && waitpid(gc, &st, WNOHANG) == -1 && errno == ECHILD;
	}
	CHECK(ok);
	SAY("it went to init or the nearest subreaper: %d\n", ok);

	SYS(prctl(PR_SET_CHILD_SUBREAPER, 1));
	int on = 0;
	SYS(prctl(PR_GET_CHILD_SUBREAPER, &on));
	CHECK(on == 1);
	c = orphan(&gc);
	CHECK(c == 'g');
	SAY("with a subreaper: the grandparent is the new parent %d\n", c == 'g');
	CHECK(waitpid(gc, &st, 0) == gc && WIFEXITED(st) && WEXITSTATUS(st) == 0);
	SAY("subreaper reaps the grandchild: %d\n", WIFEXITED(st) && WEXITSTATUS(st) == 0);
	ERR(wait(NULL), ECHILD);
	DONE();
}
