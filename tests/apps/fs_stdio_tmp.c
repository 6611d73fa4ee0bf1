/* stdio files, /tmp, tmpfile, mkstemp, mkdtemp, O_TMPFILE, statfs. */
#include "check.h"
#include <sys/statfs.h>

int main(void)
{
	FILE *f = fopen("sd.txt", "w+");
	CHECK(f != NULL);
	for (int i = 0; i < 100; i++)
		fprintf(f, "line %d %s\n", i, i % 2 ? "odd" : "even");
	rewind(f);
	char line[64];
	int lines = 0, odd = 0;
	while (fgets(line, sizeof(line), f)) {
		lines++;
		if (strstr(line, "odd")) odd++;
	}
	CHECK(lines == 100 && odd == 50);
	SAY("stdio: %d lines, %d odd\n", lines, odd);
	fseek(f, 0, SEEK_SET);
	int a;
	CHECK(fscanf(f, "line %d", &a) == 1 && a == 0);
	fclose(f);
	unlink("sd.txt");
	struct stat st;
	SYS(stat("/tmp", &st));
	CHECK(S_ISDIR(st.st_mode));
	/* A name of its own: the static and dynamic builds run at once natively. */
	char tmpname[64];
	snprintf(tmpname, sizeof(tmpname), "/tmp/apps-tmp.%d.txt", (int)getpid());
	int fd = SYS(open(tmpname, O_CREAT | O_RDWR | O_TRUNC, 0600));
	SYS(write(fd, "tmp", 3));
	close(fd);
	SYS(stat(tmpname, &st));
	CHECK(st.st_size == 3);
	SYS(unlink(tmpname));
	SAY("/tmp is writable\n");
	char tmpl[] = "/tmp/apps-XXXXXX";
	int m = SYS(mkstemp(tmpl));
	CHECK(strncmp(tmpl, "/tmp/apps-", 10) == 0 && strcmp(tmpl + 10, "XXXXXX"));
	close(m);
	SYS(unlink(tmpl));
	char dtmpl[] = "/tmp/appsd-XXXXXX";
	CHECK(mkdtemp(dtmpl) != NULL);
	SYS(rmdir(dtmpl));
	SAY("mkstemp and mkdtemp ok\n");
	FILE *t = tmpfile();
	CHECK(t != NULL);
	if (t) {
		fputs("anonymous", t);
		rewind(t);
		char b[16] = {0};
		CHECK(fgets(b, sizeof(b), t) && !strcmp(b, "anonymous"));
		fclose(t);
	}
	int o = open(".", O_TMPFILE | O_RDWR, 0600);
	if (o >= 0) {
		SYS(write(o, "x", 1));
		close(o);
	} else {
		CHECK(errno == EOPNOTSUPP);
	}
	SAY("tmpfile ok\n");
	struct statfs sf;
	SYS(statfs("/tmp", &sf));
	CHECK(sf.f_bsize > 0 && sf.f_blocks > 0);
	SYS(statfs(".", &sf));
	CHECK(sf.f_bsize > 0);
	SYS(fstatfs(1, &sf));
	SAY("statfs ok\n");
	DONE();
}
