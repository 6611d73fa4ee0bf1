/* Returning 42 from main. */
// expect-exit: 42
#include <stdio.h>
int main(void)
{
	printf("returning 42\n");
	return 42;
}
