/* The smallest program: start, print, exit 0. */
#include <stdio.h>
int main(void)
{
	printf("hello from an application\n");
	return 0;
}
