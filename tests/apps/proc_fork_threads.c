/* fork from a multi-threaded process: the child has only the forking
 * thread (the others' counters stand still there, /proc/self/task has one
 * entry), its thread id is its pid, and malloc, stdio and pthread_create
 * work in it.  Forked once from main and once from a second thread. */
#include "check.h"
#include <dirent.h>
#include <pthread.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#define NT 3
static volatile long counters[NT];
static volatile int stop;
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;

static void *spinner(void *arg)
{
	long i = (long)arg;
	while (!stop) {
		/* Hold the mutex and the malloc lock now and then. */
		pthread_mutex_lock(&mu);
		void *p = malloc(100 + i);
		counters[i]++;
		free(p);
		pthread_mutex_unlock(&mu);
		usleep(500);
	}
	return NULL;
}

static void *noop(void *arg) { return arg; }

static int count_tasks(void)
{
	DIR *d = opendir("/proc/self/task");
	if (!d)
		return -1;
	int n = 0;
	struct dirent *e;
	while ((e = readdir(d)))
		if (e->d_name[0] != '.')
			n++;
	closedir(d);
	return n;
}

/* Counters move while the threads run. */
static int moving(void)
{
	long before[NT];
	for (int i = 0; i < NT; i++)
		before[i] = counters[i];
	usleep(50000);
	int all = 1;
	for (int i = 0; i < NT; i++)
		if (counters[i] == before[i])
			all = 0;
	return all;
}

/* Runs in the child; the exit code's bits say what went wrong. */
static int child_checks(int out)
{
	int bad = 0;
	long before[NT];
	for (int i = 0; i < NT; i++)
		before[i] = counters[i];
	usleep(50000);
	for (int i = 0; i < NT; i++)
		if (counters[i] != before[i])
			bad |= 1;
	if (count_tasks() != 1)
		bad |= 2;
	if (syscall(SYS_gettid) != getpid())
		bad |= 4;
	char *p = malloc(1 << 20);
	if (!p)
		bad |= 8;
	else {
		memset(p, 1, 1 << 20);
		free(p);
	}
	FILE *f = fdopen(out, "w");
	if (!f)
		bad |= 16;
	else {
		fprintf(f, "child stdio %d\n", 42);
		fclose(f);
	}
	pthread_t t;
	void *r = NULL;
	if (pthread_create(&t, NULL, noop, (void *)7L) || pthread_join(t, &r) || r != (void *)7L)
		bad |= 32;
	return bad;
}

static void fork_and_check(const char *from)
{
	int pfd[2];
	SYS(pipe(pfd));
	pid_t pid = FORK();
	if (pid == 0) {
		close(pfd[0]);
		_exit(child_checks(pfd[1]));
	}
	SYS(close(pfd[1]));
	char buf[64];
	size_t got = read_all(pfd[0], buf, sizeof(buf));
	SYS(close(pfd[0]));
	int st = 0;
	CHECK(waitpid(pid, &st, 0) == pid);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	SAY("fork from %s: child checks status %d\n", from, WIFEXITED(st) ? WEXITSTATUS(st) : -1);
	CHECK(!strcmp(buf, "child stdio 42\n"));
	SAY("child printed: %s", got ? buf : "(nothing)\n");
}

static void *forker(void *arg)
{
	fork_and_check(arg);
	return NULL;
}

int main(void)
{
	alarm(5);
	pthread_t t[NT];
	for (long i = 0; i < NT; i++)
		ZERO(pthread_create(&t[i], NULL, spinner, (void *)i));
	int m = moving();
	CHECK(m);
	int tasks = count_tasks();
	CHECK(tasks == NT + 1);
	SAY("parent: %d tasks, counters moving %d\n", tasks, m);
	fork_and_check("the main thread");
	pthread_t f;
	ZERO(pthread_create(&f, NULL, forker, "a second thread"));
	ZERO(pthread_join(f, NULL));
	stop = 1;
	for (int i = 0; i < NT; i++)
		ZERO(pthread_join(t[i], NULL));
	DONE();
}
