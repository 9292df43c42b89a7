// SPDX-License-Identifier: GPL-2.0
/*
 * Freestanding workload for the svp host test: built once for the guest
 * (-ffreestanding -mgeneral-regs-only -nostdlib, linked at 1 MiB) and once
 * into the test binary; both results must match.
 */
#include <stdint.h>
#include <stddef.h>

#ifdef CPROG_NATIVE
#include <string.h>
#else
void *memset(void *d, int c, size_t n)
{
	unsigned char *p = d;

	while (n--)
		*p++ = c;
	return d;
}

void *memcpy(void *d, const void *s, size_t n)
{
	unsigned char *p = d;
	const unsigned char *q = s;

	while (n--)
		*p++ = *q++;
	return d;
}
#endif

static uint32_t crc32(const uint8_t *p, size_t n)
{
	uint32_t crc = ~0U;
	size_t i;
	int k;

	for (i = 0; i < n; i++) {
		crc ^= p[i];
		for (k = 0; k < 8; k++)
			crc = (crc >> 1) ^ (0xedb88320U & -(crc & 1));
	}
	return ~crc;
}

static uint64_t rng_state;

static uint64_t rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

static void sort(int64_t *a, long lo, long hi)
{
	while (lo < hi) {
		int64_t pivot = a[(lo + hi) / 2];
		long i = lo, j = hi;

		while (i <= j) {
			while (a[i] < pivot)
				i++;
			while (a[j] > pivot)
				j--;
			if (i <= j) {
				int64_t t = a[i];

				a[i] = a[j];
				a[j] = t;
				i++;
				j--;
			}
		}
		if (j - lo < hi - i) {
			sort(a, lo, j);
			lo = i;
		} else {
			sort(a, i, hi);
			hi = j;
		}
	}
}

struct item {
	uint16_t a;
	int8_t b;
	uint32_t c;
	int64_t d;
};

static uint64_t mix(struct item *it, int n)
{
	uint64_t h = 0;
	int i;

	for (i = 0; i < n; i++) {
		h = h * 31 + it[i].a;
		h ^= (uint64_t)(int64_t)it[i].b << (i & 31);
		h += it[i].c / (uint32_t)(i + 3);
		h += (uint64_t)(it[i].d % (i + 7));
		h = (h << 7) | (h >> 57);
		h += __builtin_ctzll(h | 1) + __builtin_clzll(h | 2);
		switch (i & 7) {
		case 0:
			h ^= 0x1234;
			break;
		case 1:
			h -= i;
			break;
		case 3:
			h *= 3;
			break;
		case 5:
			h = ~h;
			break;
		default:
			h += (int64_t)h >> 3;
			break;
		}
	}
	return h;
}

static uint8_t buf[16384];
static int64_t arr[3000];
static struct item items[500];

uint64_t cprog_work(void)
{
	uint64_t res = 0;
	int i;

	rng_state = 0x9e3779b97f4a7c15ULL;
	for (i = 0; i < (int)sizeof(buf); i++)
		buf[i] = rng() >> 13;
	res = crc32(buf, sizeof(buf));
	for (i = 0; i < 3000; i++)
		arr[i] = (int64_t)rng() >> (i & 15);
	sort(arr, 0, 2999);
	for (i = 1; i < 3000; i++)
		if (arr[i - 1] > arr[i])
			res += 1000000;
	res ^= (uint64_t)arr[1500] * 7;
	memset(items, 0, sizeof(items));
	for (i = 0; i < 500; i++) {
		items[i].a = rng();
		items[i].b = rng();
		items[i].c = rng();
		items[i].d = rng();
	}
	res += mix(items, 500);
	return res;
}

#ifndef CPROG_NATIVE
void __attribute__((section(".text.start"), noreturn)) _start(void)
{
	uint64_t r = cprog_work();

	asm volatile("outl %0, $0xe9" : : "a"((uint32_t)r));
	asm volatile("outl %0, $0xe9" : : "a"((uint32_t)(r >> 32)));
	for (;;)
		asm volatile("hlt");
}
#endif
