// SPDX-License-Identifier: GPL-2.0
/*
 * Arithmetic- and flags-heavy code compiled as guest code (no SSE) and also
 * called natively by the host, which compares the results.
 */
#include "algos.h"

const char algo_text[] =
	"The quick brown fox jumps over the lazy dog. vgen runs guest code "
	"in a software x86-64 virtual processor; this text is hashed twice.";

uint32_t algo_crc32(const void *buf, size_t len)
{
	const uint8_t *p = buf;
	uint32_t crc = 0xffffffff;
	int i;

	while (len--) {
		crc ^= *p++;
		for (i = 0; i < 8; i++)
			crc = (crc >> 1) ^ (0xedb88320 & -(crc & 1));
	}
	return ~crc;
}

static const uint32_t sha_k[64] = {
	0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1,
	0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3,
	0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786,
	0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
	0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147,
	0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
	0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
	0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
	0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a,
	0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208,
	0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

static uint32_t ror32(uint32_t v, unsigned int n)
{
	return (v >> n) | (v << (32 - n));
}

static void sha256_block(uint32_t h[8], const uint8_t *blk)
{
	uint32_t w[64], a, b, c, d, e, f, g, hh, t1, t2;
	int i;

	for (i = 0; i < 16; i++)
		w[i] = (uint32_t)blk[4 * i] << 24 | (uint32_t)blk[4 * i + 1] << 16 |
		       (uint32_t)blk[4 * i + 2] << 8 | blk[4 * i + 3];
	for (i = 16; i < 64; i++) {
		uint32_t s0 = ror32(w[i - 15], 7) ^ ror32(w[i - 15], 18) ^
			      (w[i - 15] >> 3);
		uint32_t s1 = ror32(w[i - 2], 17) ^ ror32(w[i - 2], 19) ^
			      (w[i - 2] >> 10);
		w[i] = w[i - 16] + s0 + w[i - 7] + s1;
	}
	a = h[0]; b = h[1]; c = h[2]; d = h[3];
	e = h[4]; f = h[5]; g = h[6]; hh = h[7];
	for (i = 0; i < 64; i++) {
		t1 = hh + (ror32(e, 6) ^ ror32(e, 11) ^ ror32(e, 25)) +
		     ((e & f) ^ (~e & g)) + sha_k[i] + w[i];
		t2 = (ror32(a, 2) ^ ror32(a, 13) ^ ror32(a, 22)) +
		     ((a & b) ^ (a & c) ^ (b & c));
		hh = g; g = f; f = e; e = d + t1;
		d = c; c = b; b = a; a = t1 + t2;
	}
	h[0] += a; h[1] += b; h[2] += c; h[3] += d;
	h[4] += e; h[5] += f; h[6] += g; h[7] += hh;
}

void algo_sha256(const void *buf, size_t len, uint8_t out[32])
{
	uint32_t h[8] = {
		0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
		0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
	};
	const uint8_t *p = buf;
	uint8_t blk[64];
	size_t i, left = len;
	uint64_t bits = (uint64_t)len * 8;

	while (left >= 64) {
		sha256_block(h, p);
		p += 64;
		left -= 64;
	}
	for (i = 0; i < 64; i++)
		blk[i] = 0;
	for (i = 0; i < left; i++)
		blk[i] = p[i];
	blk[left] = 0x80;
	if (left >= 56) {
		sha256_block(h, blk);
		for (i = 0; i < 64; i++)
			blk[i] = 0;
	}
	for (i = 0; i < 8; i++)
		blk[63 - i] = (uint8_t)(bits >> (8 * i));
	sha256_block(h, blk);
	for (i = 0; i < 8; i++) {
		out[4 * i] = (uint8_t)(h[i] >> 24);
		out[4 * i + 1] = (uint8_t)(h[i] >> 16);
		out[4 * i + 2] = (uint8_t)(h[i] >> 8);
		out[4 * i + 3] = (uint8_t)h[i];
	}
}

static uint64_t xorshift(uint64_t *s)
{
	uint64_t x = *s;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	*s = x;
	return x;
}

uint64_t algo_sort(uint64_t seed)
{
	uint64_t a[96], sum = 0, t;
	int64_t sv[32];
	int i, j, gap;

	for (i = 0; i < 96; i++)
		a[i] = xorshift(&seed) % 100000;
	/* insertion sort */
	for (i = 1; i < 96; i++) {
		t = a[i];
		for (j = i - 1; j >= 0 && a[j] > t; j--)
			a[j + 1] = a[j];
		a[j + 1] = t;
	}
	for (i = 0; i < 96; i++) {
		if (i && a[i - 1] > a[i])
			return 0;
		sum = sum * 31 + a[i];
	}
	/* shell sort of signed values, descending */
	for (i = 0; i < 32; i++)
		sv[i] = (int64_t)xorshift(&seed);
	for (gap = 16; gap > 0; gap /= 2)
		for (i = gap; i < 32; i++)
			for (j = i; j >= gap && sv[j - gap] < sv[j]; j -= gap) {
				int64_t x = sv[j];

				sv[j] = sv[j - gap];
				sv[j - gap] = x;
			}
	for (i = 0; i < 32; i++)
		sum = sum * 131 + (uint64_t)sv[i];
	return sum;
}

uint64_t algo_muldiv(uint64_t seed)
{
	uint64_t acc = 0, a, b;
	int64_t sa, sb;
	int i;

	for (i = 0; i < 200; i++) {
		a = xorshift(&seed);
		b = xorshift(&seed) >> (i % 60);
		if (!b)
			b = 7;
		acc += a / b;
		acc ^= a % b;
		sa = (int64_t)a;
		sb = (int64_t)b * ((i & 1) ? -1 : 1);
		acc += (uint64_t)(sa / sb);
		acc ^= (uint64_t)(sa % sb);
		acc += (uint64_t)(((unsigned __int128)a * b) >> 64);
		acc += (uint64_t)(((__int128)sa * sb) >> 64);
		acc = acc * 0x9e3779b97f4a7c15ULL;
		acc += (uint32_t)a / ((uint32_t)b | 1);
		acc += (uint64_t)(int64_t)((int32_t)a / ((int32_t)b | 1));
		acc += (uint16_t)a * (uint16_t)b;
		acc += (uint8_t)a / ((uint8_t)b | 1);
	}
	return acc;
}

static unsigned int popcount64(uint64_t v)
{
	unsigned int n = 0;

	while (v) {
		v &= v - 1;
		n++;
	}
	return n;
}

uint64_t algo_bitops(uint64_t seed)
{
	uint64_t acc = 0, a;
	unsigned int s;
	int i;

	for (i = 0; i < 200; i++) {
		a = xorshift(&seed);
		s = (unsigned int)(a >> 58);
		acc += popcount64(a);
		acc += (uint64_t)__builtin_clzll(a | 1) << 8;
		acc += (uint64_t)__builtin_ctzll(a | (1ULL << 63)) << 16;
		acc ^= (a << s) | (a >> ((64 - s) & 63));
		acc ^= __builtin_bswap64(a);
		acc += __builtin_bswap32((uint32_t)a);
		acc ^= (uint64_t)((int64_t)a >> s);
		acc += (a >> s) & 1;
		acc ^= a & ~(acc >> 3);
		acc += (uint64_t)(uint16_t)((uint16_t)a << (s & 15));
		acc += (uint64_t)(int8_t)a;
		acc += (uint64_t)(int16_t)(a >> 16);
		acc += (uint64_t)(int32_t)(a >> 32);
	}
	return acc;
}

/* Carries, overflow, comparisons and conditional moves. */
uint64_t algo_flags(uint64_t seed)
{
	uint64_t acc = 0, a, b, lo, hi, carry;
	int64_t sa, sb;
	int32_t s32;
	int i;

	for (i = 0; i < 200; i++) {
		a = xorshift(&seed);
		b = xorshift(&seed);
		lo = a + b;
		carry = lo < a;
		hi = (a >> 1) + (b >> 1) + carry;
		acc += hi ^ lo;
		sa = (int64_t)a;
		sb = (int64_t)b;
		acc += __builtin_add_overflow(sa, sb, &sa) ? 3 : 5;
		acc += __builtin_sub_overflow((int32_t)a, (int32_t)b,
					      &s32) ? 7 : 11;
		acc += (uint64_t)s32;
		acc += __builtin_mul_overflow(a, b, &lo) ? 13 : 17;
		acc += (int64_t)a < (int64_t)b ? a : b;
		acc += (uint32_t)a > (uint32_t)b ? 19 : 23;
		acc += (int8_t)a >= (int8_t)b;
		acc += (a & 0xff) == (b & 0xff);
		acc = (acc << 1) | (acc >> 63);
	}
	return acc;
}
