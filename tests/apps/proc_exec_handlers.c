/* Signals across execve: a caught signal's handler is reset to SIG_DFL,
 * an ignored one stays SIG_IGN, the signal mask and pending signals are
 * kept.  A forked child sets them up and re-executes this program, which
 * checks them. */
#include "check.h"
#include <sys/wait.h>

extern char **environ;
static volatile int hits;
static void on_sig(int sig) { (void)sig; hits++; }

static const char *disp(int sig)
{
	struct sigaction sa;
	if (sigaction(sig, NULL, &sa))
		return "error";
	if (sa.sa_handler == SIG_DFL)
		return "default";
	if (sa.sa_handler == SIG_IGN)
		return "ignored";
	return "handler";
}

static int after_exec(void)
{
	SAY("after exec: SIGUSR1 %s, SIGHUP %s, SIGUSR2 %s, SIGPIPE %s\n",
	    disp(SIGUSR1), disp(SIGHUP), disp(SIGUSR2), disp(SIGPIPE));
	CHECK(!strcmp(disp(SIGUSR1), "default") && !strcmp(disp(SIGHUP), "default"));
	CHECK(!strcmp(disp(SIGUSR2), "ignored") && !strcmp(disp(SIGPIPE), "ignored"));
	sigset_t cur, pend;
	SYS(sigprocmask(SIG_BLOCK, NULL, &cur));
	SAY("after exec: blocked SIGINT %d, SIGTERM %d, SIGUSR1 %d\n",
	    sigismember(&cur, SIGINT), sigismember(&cur, SIGTERM), sigismember(&cur, SIGUSR1));
	CHECK(sigismember(&cur, SIGINT) && sigismember(&cur, SIGTERM) && !sigismember(&cur, SIGUSR1));
	SYS(sigpending(&pend));
	SAY("after exec: SIGINT pending %d, SIGTERM pending %d\n",
	    sigismember(&pend, SIGINT), sigismember(&pend, SIGTERM));
	CHECK(sigismember(&pend, SIGINT) && !sigismember(&pend, SIGTERM));
	/* The pending signal is delivered once a handler is in place and it
	 * is unblocked. */
	signal(SIGINT, on_sig);
	sigset_t s;
	sigemptyset(&s);
	sigaddset(&s, SIGINT);
	SYS(sigprocmask(SIG_UNBLOCK, &s, NULL));
	CHECK(hits == 1);
	SAY("pending SIGINT delivered after exec: %d\n", hits);
	/* The ignored signal is really ignored. */
	SYS(raise(SIGUSR2));
	SAY("raised the ignored SIGUSR2 and survived\n");
	DONE();
}

int main(int argc, char **argv)
{
	alarm(5);
	if (argc > 1)
		return after_exec();
	pid_t pid = FORK();
	if (pid == 0) {
		struct sigaction sa = { .sa_handler = on_sig };
		sigaction(SIGUSR1, &sa, NULL);
		sa.sa_flags = SA_RESTART | SA_SIGINFO;
		sigaction(SIGHUP, &sa, NULL);
		signal(SIGUSR2, SIG_IGN);
		signal(SIGPIPE, SIG_IGN);
		sigset_t s;
		sigemptyset(&s);
		sigaddset(&s, SIGINT);
		sigaddset(&s, SIGTERM);
		sigprocmask(SIG_BLOCK, &s, NULL);
		raise(SIGINT);
		char *args[] = { argv[0], "after", NULL };
		execve("/proc/self/exe", args, environ);
		_exit(127);
	}
	int st = 0;
	CHECK(waitpid(pid, &st, 0) == pid);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	SAY("child: status %d\n", WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st));

	/* A handler set before exec would run; after exec the default action
	 * of SIGUSR1 (terminate) applies. */
	pid = FORK();
	if (pid == 0) {
		signal(SIGUSR1, on_sig);
		char *args[] = { "sh", "-c", "kill -USR1 $$; exit 0", NULL };
		execve("/bin/sh", args, environ);
		_exit(127);
	}
	CHECK(waitpid(pid, &st, 0) == pid);
	CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGUSR1);
	SAY("exec'ed shell killed by SIGUSR1: %d\n", WIFSIGNALED(st) && WTERMSIG(st) == SIGUSR1);
	/* An ignored SIGUSR1 stays ignored in the shell. */
	pid = FORK();
	if (pid == 0) {
		signal(SIGUSR1, SIG_IGN);
		char *args[] = { "sh", "-c", "kill -USR1 $$; exit 4", NULL };
		execve("/bin/sh", args, environ);
		_exit(127);
	}
	CHECK(waitpid(pid, &st, 0) == pid);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 4);
	SAY("with SIGUSR1 ignored the shell exits 4: %d\n", WIFEXITED(st) && WEXITSTATUS(st) == 4);
	DONE();
}
