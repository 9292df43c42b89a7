// SPDX-License-Identifier: GPL-2.0
/*
 * Benchmark workloads for the software VP: freestanding C, built once per
 * workload as a guest ELF (-DWL_ID=n, linked at 1 MiB) and once, with all
 * workloads, into the host benchmark program (-DWL_NATIVE). Every
 * function reinitialises its own state, so the native build can run it
 * repeatedly, and returns a checksum that the guest stores at
 * WL_RESULT_GPA before signalling completion with an OUT to WL_DONE_PORT.
 */
#include <stdint.h>
#include <stddef.h>
#include "workloads.h"

#ifndef WL_NATIVE
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

static uint64_t rng_state;

static uint64_t rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

/* ---- hashing: table-driven CRC-32 and FNV-1a over a buffer ---- */

#define HASH_BUF	(64 * 1024)
static uint8_t hbuf[HASH_BUF];
static uint32_t crc_tab[256];

uint64_t wl_hash(void)
{
	uint32_t crc, c;
	uint64_t fnv = 0xcbf29ce484222325ULL, res = 0;
	int i, k, rep;

	rng_state = 0x243f6a8885a308d3ULL;
	for (i = 0; i < HASH_BUF; i++)
		hbuf[i] = rng() >> 17;
	for (i = 0; i < 256; i++) {
		c = i;
		for (k = 0; k < 8; k++)
			c = (c >> 1) ^ (0xedb88320U & -(c & 1));
		crc_tab[i] = c;
	}
	for (rep = 0; rep < 24; rep++) {
		crc = ~0U;
		for (i = 0; i < HASH_BUF; i++)
			crc = crc_tab[(crc ^ hbuf[i]) & 0xff] ^ (crc >> 8);
		for (i = 0; i < HASH_BUF; i++)
			fnv = (fnv ^ hbuf[i]) * 0x100000001b3ULL;
		res = (res * 31) ^ ~crc ^ fnv;
		hbuf[rep * 97] ^= (uint8_t)res;
	}
	return res;
}

/* ---- sorting: quicksort + heapsort of 64-bit integers ---- */

#define SORT_N	20000
static int64_t sarr[SORT_N];

static void qsort64(int64_t *a, long lo, long hi)
{
	while (lo < hi) {
		int64_t pivot = a[(lo + hi) / 2], t;
		long i = lo, j = hi;

		while (i <= j) {
			while (a[i] < pivot)
				i++;
			while (a[j] > pivot)
				j--;
			if (i <= j) {
				t = a[i];
				a[i] = a[j];
				a[j] = t;
				i++;
				j--;
			}
		}
		if (j - lo < hi - i) {
			qsort64(a, lo, j);
			lo = i;
		} else {
			qsort64(a, i, hi);
			hi = j;
		}
	}
}

static void sift(int64_t *a, long root, long n)
{
	while (2 * root + 1 < n) {
		long c = 2 * root + 1;
		int64_t t;

		if (c + 1 < n && a[c] < a[c + 1])
			c++;
		if (a[root] >= a[c])
			return;
		t = a[root];
		a[root] = a[c];
		a[c] = t;
		root = c;
	}
}

static void heapsort64(int64_t *a, long n)
{
	long i;
	int64_t t;

	for (i = n / 2 - 1; i >= 0; i--)
		sift(a, i, n);
	for (i = n - 1; i > 0; i--) {
		t = a[0];
		a[0] = a[i];
		a[i] = t;
		sift(a, 0, i);
	}
}

uint64_t wl_sort(void)
{
	uint64_t res = 0;
	long i;
	int rep;

	rng_state = 0x9e3779b97f4a7c15ULL;
	for (rep = 0; rep < 4; rep++) {
		for (i = 0; i < SORT_N; i++)
			sarr[i] = (int64_t)rng() >> (i & 31);
		if (rep & 1)
			heapsort64(sarr, SORT_N);
		else
			qsort64(sarr, 0, SORT_N - 1);
		for (i = 1; i < SORT_N; i++)
			if (sarr[i - 1] > sarr[i])
				res += 1000000;
		res = res * 7 + (uint64_t)sarr[SORT_N / 3];
	}
	return res;
}

/* ---- LZ77-style compression with a hash of 4-byte prefixes ---- */

#define LZ_N	(96 * 1024)
#define LZ_HBITS	12
static uint8_t lz_in[LZ_N], lz_out[LZ_N * 2], lz_back[LZ_N];
static uint32_t lz_head[1 << LZ_HBITS];

static uint32_t lz_hash4(const uint8_t *p)
{
	uint32_t v = p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24;

	return (v * 2654435761U) >> (32 - LZ_HBITS);
}

static size_t lz_compress(const uint8_t *in, size_t n, uint8_t *out)
{
	size_t i = 0, o = 0, lit = 0, k;

	for (k = 0; k < (1 << LZ_HBITS); k++)
		lz_head[k] = 0xffffffffU;
	while (i + 4 <= n) {
		uint32_t h = lz_hash4(in + i), cand = lz_head[h];
		size_t len = 0;

		lz_head[h] = i;
		if (cand != 0xffffffffU && i - cand < 65536) {
			while (i + len < n && len < 255 &&
			       in[cand + len] == in[i + len])
				len++;
		}
		if (len >= 4) {
			out[o++] = 0x80 | 0;	/* match marker */
			out[o++] = len;
			out[o++] = (i - cand) & 0xff;
			out[o++] = (i - cand) >> 8;
			i += len;
			lit = 0;
		} else {
			out[o++] = in[i++] & 0x7f;
			lit++;
		}
	}
	while (i < n)
		out[o++] = in[i++] & 0x7f;
	return o;
}

static size_t lz_decompress(const uint8_t *in, size_t n, uint8_t *out)
{
	size_t i = 0, o = 0;

	while (i < n) {
		uint8_t b = in[i++];

		if (b & 0x80) {
			size_t len = in[i], dist = in[i + 1] | in[i + 2] << 8;

			i += 3;
			while (len--) {
				out[o] = out[o - dist];
				o++;
			}
		} else {
			out[o++] = b;
		}
	}
	return o;
}

uint64_t wl_lz(void)
{
	static const char words[][8] = {
		"the ", "quick ", "brown ", "fox ", "jumps ", "over ",
		"lazy ", "dog ", "and ", "then ", "runs ", "away ",
	};
	uint64_t res = 0;
	size_t i = 0, clen, dlen;
	int rep;

	rng_state = 0x0123456789abcdefULL;
	while (i < LZ_N) {
		const char *w = words[rng() % 12];

		while (*w && i < LZ_N)
			lz_in[i++] = *w++;
		if ((rng() & 15) == 0 && i < LZ_N)
			lz_in[i++] = 'a' + rng() % 26;
	}
	for (rep = 0; rep < 3; rep++) {
		clen = lz_compress(lz_in, LZ_N, lz_out);
		dlen = lz_decompress(lz_out, clen, lz_back);
		res = res * 1000003 + clen;
		for (i = 0; i < dlen; i += 61)
			res += lz_back[i] != (lz_in[i] & 0x7f);
		res += dlen != LZ_N;
		lz_in[rep * 1001] = 'z';
	}
	return res;
}

/* ---- pointer chasing over a shuffled singly linked list ---- */

#define PC_N	(128 * 1024)
struct pc_node {
	struct pc_node *next;
	uint64_t val;
};
static struct pc_node pc_nodes[PC_N];
static uint32_t pc_perm[PC_N];

uint64_t wl_ptrchase(void)
{
	struct pc_node *p;
	uint64_t sum = 0;
	uint32_t i, j, t;
	int rep;

	rng_state = 0xdeadbeefcafef00dULL;
	for (i = 0; i < PC_N; i++)
		pc_perm[i] = i;
	for (i = PC_N - 1; i > 0; i--) {
		j = rng() % (i + 1);
		t = pc_perm[i];
		pc_perm[i] = pc_perm[j];
		pc_perm[j] = t;
	}
	for (i = 0; i < PC_N; i++) {
		pc_nodes[pc_perm[i]].next =
			&pc_nodes[pc_perm[(i + 1) % PC_N]];
		pc_nodes[i].val = i * 2654435761U;
	}
	for (rep = 0; rep < 12; rep++) {
		p = &pc_nodes[pc_perm[rep]];
		for (i = 0; i < PC_N; i++) {
			sum += p->val ^ i;
			p = p->next;
		}
	}
	return sum;
}

/* ---- a small stack-bytecode interpreter ---- */

enum { BC_PUSH, BC_LOAD, BC_STORE, BC_ADD, BC_SUB, BC_MUL, BC_AND,
	BC_XOR, BC_SHR, BC_LT, BC_JZ, BC_JMP, BC_HALT };

struct bc_insn {
	uint8_t op;
	int32_t arg;
};

/*
 * i = 0; acc = 1; h = 7;
 * while (i < N) { acc = acc * 33 + i; h = h ^ (acc >> 5); i = i + 1; }
 */
static const struct bc_insn bc_prog[] = {
	{ BC_PUSH, 0 }, { BC_STORE, 0 },		/* 0: i = 0 */
	{ BC_PUSH, 1 }, { BC_STORE, 1 },		/* acc = 1 */
	{ BC_PUSH, 7 }, { BC_STORE, 2 },		/* h = 7 */
	{ BC_LOAD, 0 }, { BC_LOAD, 3 }, { BC_LT, 0 },	/* 6: i < n */
	{ BC_JZ, 28 },
	{ BC_LOAD, 1 }, { BC_PUSH, 33 }, { BC_MUL, 0 },
	{ BC_LOAD, 0 }, { BC_ADD, 0 }, { BC_STORE, 1 },
	{ BC_LOAD, 2 }, { BC_LOAD, 1 }, { BC_PUSH, 5 }, { BC_SHR, 0 },
	{ BC_XOR, 0 }, { BC_STORE, 2 },
	{ BC_LOAD, 0 }, { BC_PUSH, 1 }, { BC_ADD, 0 }, { BC_STORE, 0 },
	{ BC_JMP, 6 }, { BC_HALT, 0 },
	{ BC_LOAD, 2 }, { BC_LOAD, 1 }, { BC_XOR, 0 }, { BC_HALT, 0 },
};

static uint64_t bc_run(const struct bc_insn *prog, uint64_t n)
{
	uint64_t stack[16], vars[4] = { 0, 0, 0, n };
	int sp = 0, pc = 0;

	for (;;) {
		const struct bc_insn *in = &prog[pc++];

		switch (in->op) {
		case BC_PUSH:
			stack[sp++] = (int64_t)in->arg;
			break;
		case BC_LOAD:
			stack[sp++] = vars[in->arg];
			break;
		case BC_STORE:
			vars[in->arg] = stack[--sp];
			break;
		case BC_ADD:
			sp--;
			stack[sp - 1] += stack[sp];
			break;
		case BC_SUB:
			sp--;
			stack[sp - 1] -= stack[sp];
			break;
		case BC_MUL:
			sp--;
			stack[sp - 1] *= stack[sp];
			break;
		case BC_AND:
			sp--;
			stack[sp - 1] &= stack[sp];
			break;
		case BC_XOR:
			sp--;
			stack[sp - 1] ^= stack[sp];
			break;
		case BC_SHR:
			sp--;
			stack[sp - 1] >>= stack[sp] & 63;
			break;
		case BC_LT:
			sp--;
			stack[sp - 1] = stack[sp - 1] < stack[sp];
			break;
		case BC_JZ:
			if (!stack[--sp])
				pc = in->arg;
			break;
		case BC_JMP:
			pc = in->arg;
			break;
		default:
			return sp ? stack[sp - 1] : 0;
		}
		sp &= 15;
	}
}

uint64_t wl_bytecode(void)
{
	return bc_run(bc_prog, 150000);
}

#ifndef WL_NATIVE
static uint64_t (*const wl_fn)(void) =
	WL_ID == 0 ? wl_hash : WL_ID == 1 ? wl_sort : WL_ID == 2 ? wl_lz :
	WL_ID == 3 ? wl_ptrchase : wl_bytecode;

void __attribute__((section(".text.start"), noreturn)) _start(void)
{
	*(volatile uint64_t *)WL_RESULT_GPA = wl_fn();
	asm volatile("outl %0, %1" : : "a"(0), "i"(WL_DONE_PORT));
	for (;;)
		asm volatile("hlt");
}
#endif
