/* Helpers shared by the libFuzzer targets: the readers under test take a
 * path, so each input is written to one scratch file per process first. */
#ifndef FUZZ_UTIL_H
#define FUZZ_UTIL_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "forecast/hash.h"

/* Writes data to this process's scratch file and returns its path (a static
 * buffer: the fuzz targets are single-threaded), or NULL. */
static const char *fuzz_write_tmp(const char *tag, const uint8_t *data, size_t size)
{
	static char path[256];
	const char *dir = getenv("TMPDIR");
	snprintf(path, sizeof path, "%s/fcfuzz.%ld.%s", dir && *dir ? dir : "/tmp", (long)getpid(), tag);
	FILE *f = fopen(path, "wb");
	if (!f)
		return NULL;
	if (size && fwrite(data, 1, size, f) != size) {
		fclose(f);
		return NULL;
	}
	if (fclose(f))
		return NULL;
	return path;
}

/* 64-bit FNV-1a (the library's, include/forecast/hash.h), the checksum of
 * model files and shard parts, so that a target can make a mutated input's
 * checksum right. */
static inline uint64_t fnv1a(const uint8_t *s, size_t n)
{
	return fc_fnv1a(FC_FNV_OFFSET, s, n);
}

/* A NUL-terminated copy of the input (caller frees), or NULL. */
static char *fuzz_strdup(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);
	if (!s)
		return NULL;
	memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

#endif
