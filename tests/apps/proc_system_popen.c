/* system() and popen(): system's output shares our stdout, its return is
 * a wait status (exit codes, a signal); system(NULL) finds a shell;
 * popen "r" reads a command's output, "w" feeds one's input, pclose gives
 * the status. */
#include "check.h"
#include <sys/wait.h>

int main(void)
{
	alarm(5);
	CHECK(system(NULL) != 0);
	SAY("a shell is available: %d\n", system(NULL) != 0);
	fflush(stdout);
	int s = system("echo hi");
	CHECK(WIFEXITED(s) && WEXITSTATUS(s) == 0);
	SAY("system(\"echo hi\"): exited %d, code %d\n", WIFEXITED(s), WEXITSTATUS(s));
	s = system("exit 3");
	CHECK(WIFEXITED(s) && WEXITSTATUS(s) == 3);
	SAY("system(\"exit 3\"): code %d\n", WEXITSTATUS(s));
	s = system("kill -TERM $$");
	CHECK(WIFSIGNALED(s) && WTERMSIG(s) == SIGTERM);
	SAY("system(\"kill -TERM $$\"): signaled %d, %s\n", WIFSIGNALED(s),
	    WIFSIGNALED(s) ? sigabbrev_np(WTERMSIG(s)) : "-");
	s = system("echo to a file > sys.txt && test -s sys.txt");
	CHECK(s == 0);
	SAY("system ran in the current directory: %d\n", s == 0);

	FILE *f = popen("echo x; echo second line", "r");
	CHECK(f != NULL);
	char line[64];
	int n = 0;
	char all[128] = "";
	while (f && fgets(line, sizeof(line), f)) {
		n++;
		strncat(all, line, sizeof(all) - strlen(all) - 1);
	}
	CHECK(n == 2 && !strcmp(all, "x\nsecond line\n"));
	SAY("popen read %d lines: %s", n, all);
	s = f ? pclose(f) : -1;
	CHECK(s == 0);
	SAY("pclose: %d\n", s);

	f = popen("cat > popen.txt; exit 5", "w");
	CHECK(f != NULL);
	if (f) {
		for (int i = 0; i < 100; i++)
			fprintf(f, "line %d\n", i);
		s = pclose(f);
		CHECK(WIFEXITED(s) && WEXITSTATUS(s) == 5);
		SAY("popen write, pclose code %d\n", WEXITSTATUS(s));
	}
	FILE *in = fopen("popen.txt", "r");
	CHECK(in != NULL);
	n = 0;
	int ok = 1;
	while (in && fgets(line, sizeof(line), in)) {
		char want[32];
		snprintf(want, sizeof(want), "line %d\n", n++);
		if (strcmp(line, want))
			ok = 0;
	}
	if (in)
		fclose(in);
	CHECK(n == 100 && ok);
	SAY("the command got %d lines, in order %d\n", n, ok);

	/* Our children are not disturbed: system waits only for its own. */
	pid_t pid = FORK();
	if (pid == 0)
		_exit(9);
	siginfo_t si;
	SYS(waitid(P_PID, pid, &si, WEXITED | WNOWAIT));
	s = system("true");
	CHECK(s == 0);
	int st = 0;
	CHECK(waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 9);
	SAY("own zombie child survives a system() call: code %d\n", WEXITSTATUS(st));
	SYS(unlink("sys.txt"));
	SYS(unlink("popen.txt"));
	DONE();
}
