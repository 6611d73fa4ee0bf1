/*
 * lib/rt/zone.c against a pretend address space: place() succeeds where
 * nothing is "mapped" (a small table), so that every rule of rt_zone can
 * be checked without the host.  Prints one PASS/FAIL line per rule.
 */
#include <moat/rt.h>
#include <stdio.h>

#define MB (1ull << 20)
static struct { uint64_t addr, size; } mapped[64];
static int nmapped;

static int overlaps(uint64_t a, uint64_t n)
{
	for (int i = 0; i < nmapped; i++)
		if (a < mapped[i].addr + mapped[i].size && mapped[i].addr < a + n)
			return 1;
	return 0;
}

static int place(uint64_t a, uint64_t n)
{
	if (overlaps(a, n))
		return 0;
	mapped[nmapped].addr = a, mapped[nmapped++].size = n;
	return 1;
}

static void unmap(uint64_t a)
{
	for (int i = 0; i < nmapped; i++)
		if (mapped[i].addr == a)
			mapped[i] = mapped[--nmapped];
}

static int failed;
static void check(const char *name, int ok)
{
	printf("%s: rt.zone_%s\n", ok ? "PASS" : "FAIL", name);
	failed |= !ok;
}

int main(void)
{
	struct rt_zone up = {.start = 64 * MB, .next = 64 * MB};
	uint64_t a = rt_zone_take(&up, 4096, place), b = rt_zone_take(&up, 4096, place);
	check("upward_from_start", a == 64 * MB);
	check("small_ones_share_a_2mib_span", b == 64 * MB + 4096 && up.next == 66 * MB);
	uint64_t big = rt_zone_take(&up, 3 * MB, place);
	check("big_one_takes_whole_spans", big == 66 * MB && up.next == 70 * MB);
	unmap(a);
	rt_zone_give(&up, a, 4096);
	uint64_t next = up.next, r = rt_zone_take(&up, 4096, place);
	check("given_back_reused_before_growing", r >= 64 * MB && r < next && up.next == next);
	/* A place taken meanwhile (say, the program's MAP_FIXED): skipped. */
	place(70 * MB, 4096);
	uint64_t c = rt_zone_take(&up, 8 * MB, place);
	check("taken_place_skipped", c == 78 * MB && up.next == 86 * MB);
	unmap(b);
	rt_zone_give(&up, b, 4096);
	place(b, 4096); /* retaken before we reuse it */
	uint64_t d = rt_zone_take(&up, 4096, place);
	check("taken_range_dropped", d != b && d != 0);
	rt_zone_give(&up, 1 * MB, 4096); /* outside the zone: not kept */
	int outside = 0;
	for (int i = 0; i < up.nfree; i++)
		outside |= up.free[i].addr == 1 * MB;
	check("outside_not_kept", !outside);

	struct rt_zone down = {.start = 512 * MB, .next = 512 * MB, .end = 508 * MB, .down = 1};
	uint64_t e = rt_zone_take(&down, 4096, place), f = rt_zone_take(&down, 2 * MB, place);
	check("downward_from_start", e == 510 * MB && f == 508 * MB);
	check("end_respected", rt_zone_take(&down, 2 * MB, place) == 0 ||
				       down.next >= down.end);
	struct rt_zone none = {0};
	check("no_zone_no_place", rt_zone_take(&none, 4096, place) == 0);
	return failed;
}
