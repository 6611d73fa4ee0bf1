/* socketpair SOCK_DGRAM and SOCK_SEQPACKET keep message boundaries; SCM_RIGHTS passes a descriptor. */
#include "check.h"
#include <sys/socket.h>

int main(void)
{
	int sv[2];
	SYS(socketpair(AF_UNIX, SOCK_DGRAM, 0, sv));
	CHECK(send(sv[0], "one", 3, 0) == 3);
	CHECK(send(sv[0], "second", 6, 0) == 6);
	CHECK(send(sv[0], "", 0, 0) == 0);
	char b[64];
	CHECK(recv(sv[1], b, sizeof(b), 0) == 3);
	CHECK(recv(sv[1], b, 2, 0) == 2);
	CHECK(recv(sv[1], b, sizeof(b), MSG_DONTWAIT) == 0);
	ERR(recv(sv[1], b, sizeof(b), MSG_DONTWAIT), EAGAIN);
	SAY("datagrams: boundaries kept, long one truncated, empty one delivered\n");
	CHECK(send(sv[1], "peek", 4, 0) == 4);
	CHECK(recv(sv[0], b, sizeof(b), MSG_PEEK) == 4);
	CHECK(recv(sv[0], b, sizeof(b), 0) == 4);
	close(sv[0]); close(sv[1]);
	SYS(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv));
	CHECK(write(sv[0], "abc", 3) == 3 && write(sv[0], "defg", 4) == 4);
	CHECK(read(sv[1], b, sizeof(b)) == 3 && read(sv[1], b, sizeof(b)) == 4);
	SAY("seqpacket: boundaries kept\n");
	/* Pass a descriptor. */
	int fd = SYS(open("passed.txt", O_RDWR | O_CREAT | O_TRUNC, 0644));
	SYS(write(fd, "through a socket", 16));
	char cbuf[CMSG_SPACE(sizeof(int))] = {0};
	struct iovec iov = { "F", 1 };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf, .msg_controllen = sizeof(cbuf) };
	struct cmsghdr *cm = CMSG_FIRSTHDR(&mh);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &fd, sizeof(int));
	CHECK(sendmsg(sv[0], &mh, 0) == 1);
	close(fd);
	char rbuf[CMSG_SPACE(sizeof(int))] = {0};
	char one;
	struct iovec riov = { &one, 1 };
	struct msghdr rh = { .msg_iov = &riov, .msg_iovlen = 1, .msg_control = rbuf, .msg_controllen = sizeof(rbuf) };
	CHECK(recvmsg(sv[1], &rh, 0) == 1);
	struct cmsghdr *rc = CMSG_FIRSTHDR(&rh);
	int got = -1;
	if (rc && rc->cmsg_type == SCM_RIGHTS)
		memcpy(&got, CMSG_DATA(rc), sizeof(int));
	CHECK(got >= 0);
	char txt[32] = {0};
	CHECK(got >= 0 && pread(got, txt, sizeof(txt) - 1, 0) == 16);
	SAY("SCM_RIGHTS: received descriptor reads \"%s\"\n", txt);
	close(got);
	unlink("passed.txt");
	DONE();
}
