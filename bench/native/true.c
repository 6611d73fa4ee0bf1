/* The native launch baseline: built static with glibc (bench/run.sh). */
int main(void)
{
	return 0;
}
