/* SPDX-License-Identifier: GPL-2.0 */
/* Arithmetic-heavy functions run both as guest code and natively. */
#ifndef VGEN_ALGOS_H
#define VGEN_ALGOS_H

#include <stddef.h>
#include <stdint.h>

uint32_t algo_crc32(const void *buf, size_t len);
void algo_sha256(const void *buf, size_t len, uint8_t out[32]);
uint64_t algo_sort(uint64_t seed);	/* checksum of a sorted array */
uint64_t algo_muldiv(uint64_t seed);
uint64_t algo_bitops(uint64_t seed);
uint64_t algo_flags(uint64_t seed);

extern const char algo_text[];

#endif
