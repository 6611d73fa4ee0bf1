/* prctl PR_SET_NAME/PR_GET_NAME, thread names, dumpable, other options. */
#include "check.h"
#include <pthread.h>
#include <sys/prctl.h>

static void *named(void *arg)
{
	(void)arg;
	char name[16] = {0};
	SYS(prctl(PR_SET_NAME, "worker-thread"));
	SYS(prctl(PR_GET_NAME, name));
	CHECK(!strcmp(name, "worker-thread"));
	return NULL;
}

int main(void)
{
	char name[17] = {0};
	SYS(prctl(PR_SET_NAME, "apps-prctl-name-too-long"));
	SYS(prctl(PR_GET_NAME, name));
	CHECK(!strcmp(name, "apps-prctl-name"));
	SAY("name truncated to 15: %s\n", name);
	int fd = SYS(open("/proc/self/comm", O_RDONLY));
	char comm[32] = {0};
	SYS(read(fd, comm, sizeof(comm) - 1));
	close(fd);
	CHECK(!strcmp(comm, "apps-prctl-name\n"));
	SAY("/proc/self/comm: %s", comm);
	pthread_t t;
	ZERO(pthread_create(&t, NULL, named, NULL));
	ZERO(pthread_join(t, NULL));
	SYS(prctl(PR_GET_NAME, name));
	CHECK(!strcmp(name, "apps-prctl-name"));
	ZERO(pthread_create(&t, NULL, named, NULL));
	char tn[16];
	ZERO(pthread_setname_np(pthread_self(), "main-thread"));
	ZERO(pthread_getname_np(pthread_self(), tn, sizeof(tn)));
	CHECK(!strcmp(tn, "main-thread"));
	ZERO(pthread_join(t, NULL));
	SAY("thread names are per thread\n");
	CHECK(prctl(PR_GET_DUMPABLE, 0, 0, 0, 0) >= 0);
	SYS(prctl(PR_SET_PDEATHSIG, SIGTERM));
	int sig = 0;
	SYS(prctl(PR_GET_PDEATHSIG, &sig));
	CHECK(sig == SIGTERM);
	CHECK(prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) >= 0);
	CHECK(prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == 0);
	CHECK(prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) == 1);
	SAY("pdeathsig and no_new_privs ok\n");
	ERR(prctl(9999), EINVAL);
	DONE();
}
