/* 64-bit FNV-1a (include/forecast/hash.h). */
#include "forecast/hash.h"

uint64_t fc_fnv1a(uint64_t h, const void *p, size_t n)
{
	const unsigned char *b = p;
	for (size_t i = 0; i < n; i++) {
		h ^= b[i];
		h *= FC_FNV_PRIME;
	}
	return h;
}
