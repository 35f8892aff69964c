/* arena: alignment, zeroing, large blocks, string helpers. */
#include <stdint.h>
#include <string.h>

#include "arena.h"
#include "tap.h"

int
main(void)
{
	struct arena *a = arena_new();
	unsigned char *p, *big;
	char *s;
	int i, aligned = 1, zero = 1;

	for (i = 1; i < 200; i++) {
		p = arena_alloc(a, (size_t)i);
		if (((uintptr_t)p & 15) != 0)
			aligned = 0;
		if (p[0] != 0 || p[i - 1] != 0)
			zero = 0;
		memset(p, 0xAA, (size_t)i);
	}
	ok(aligned, "every allocation is 16-byte aligned");
	ok(zero, "every allocation is zeroed");
	big = arena_alloc(a, 100000);
	ok(big[0] == 0 && big[99999] == 0, "a large block is zeroed");
	memset(big, 1, 100000);
	p = arena_alloc(a, 8);
	ok(p[0] == 0, "small allocation after a large one still comes zeroed");
	s = arena_strndup(a, "abcdef", 3);
	is_str(s, "abc", "strndup cuts and terminates");
	is_str(arena_printf(a, "%s=%d", "x", 42), "x=42", "printf");
	s = arena_memdup(a, "a\0b", 3);
	ok(s[0] == 'a' && s[1] == '\0' && s[2] == 'b' && s[3] == '\0', "memdup keeps NULs and terminates");
	ok(arena_used(a) > 100000, "used counts every request");
	arena_free(&a);
	ok(a == NULL, "arena_free clears the pointer");
	arena_free(&a);
	ok(1, "arena_free(NULL) is harmless");
	return tap_done();
}
