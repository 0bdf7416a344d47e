/* FNV-1a, 64 bits (Fowler, Noll & Vo; the parameters of the reference at
 * http://www.isthe.com/chongo/tech/comp/fnv/: offset basis
 * 14695981039346656037, prime 1099511628211): h = (h XOR byte) x prime
 * for each byte, from h = FC_FNV_OFFSET.  The one implementation behind
 * every hash the project writes or compares: shard keys
 * (include/forecast/shard.h), the model file's checksum, the registry's
 * file names and data fingerprints, shard parts' options, the search's
 * per-kind seeds.  Not cryptographic: it names and checks, it does not
 * resist a forger. */
#ifndef FORECAST_HASH_H
#define FORECAST_HASH_H

#include <stddef.h>
#include <stdint.h>

#define FC_FNV_OFFSET UINT64_C(14695981039346656037)
#define FC_FNV_PRIME UINT64_C(1099511628211)

/* h carried over n bytes at p; start from FC_FNV_OFFSET, and chain calls
 * to hash several pieces as one string. */
uint64_t fc_fnv1a(uint64_t h, const void *p, size_t n);

#endif
