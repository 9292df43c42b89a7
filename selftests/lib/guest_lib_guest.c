// SPDX-License-Identifier: GPL-2.0
/*
 * Guest library: string functions (also used by the host program, since
 * guest code cannot call libc through the PLT) and the guest side of ucall.
 */
#include "guest.h"

void *memcpy(void *d, const void *s, size_t n)
{
	unsigned char *dp = d;
	const unsigned char *sp = s;

	while (n--)
		*dp++ = *sp++;
	return d;
}

void *memmove(void *d, const void *s, size_t n)
{
	unsigned char *dp = d;
	const unsigned char *sp = s;

	if (dp < sp) {
		while (n--)
			*dp++ = *sp++;
	} else {
		while (n--)
			dp[n] = sp[n];
	}
	return d;
}

void *memset(void *d, int c, size_t n)
{
	unsigned char *dp = d;

	while (n--)
		*dp++ = (unsigned char)c;
	return d;
}

int memcmp(const void *a, const void *b, size_t n)
{
	const unsigned char *ap = a, *bp = b;

	for (; n; n--, ap++, bp++)
		if (*ap != *bp)
			return *ap < *bp ? -1 : 1;
	return 0;
}

size_t guest_strlen(const char *s)
{
	size_t n = 0;

	while (s[n])
		n++;
	return n;
}

void ucall(uint64_t cmd, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3)
{
	struct ucall uc;

	memset(&uc, 0, sizeof(uc));
	uc.cmd = cmd;
	uc.args[0] = a0;
	uc.args[1] = a1;
	uc.args[2] = a2;
	uc.args[3] = a3;
	outl(UCALL_PORT, (uint32_t)(uintptr_t)&uc);
}

void ucall_assert(const char *text, const char *file, uint64_t line,
		  uint64_t has_vals, uint64_t a, uint64_t b)
{
	struct ucall uc;

	memset(&uc, 0, sizeof(uc));
	uc.cmd = UCALL_ASSERT;
	uc.args[0] = has_vals;
	uc.args[1] = a;
	uc.args[2] = b;
	uc.file = (uintptr_t)file;
	uc.line = line;
	uc.text = (uintptr_t)text;
	for (;;)
		outl(UCALL_PORT, (uint32_t)(uintptr_t)&uc);
}

void guest_print(const char *s)
{
	struct ucall uc;
	size_t i;

	memset(&uc, 0, sizeof(uc));
	uc.cmd = UCALL_PRINT;
	for (i = 0; i < UCALL_BUF - 1 && s[i]; i++)
		uc.buf[i] = s[i];
	outl(UCALL_PORT, (uint32_t)(uintptr_t)&uc);
}

void idt_gate_set(struct idt_gate *g, uint64_t handler, uint8_t type)
{
	g->off0 = (uint16_t)handler;
	g->sel = 0x08;
	g->ist = 0;
	g->type = type;
	g->off1 = (uint16_t)(handler >> 16);
	g->off2 = (uint32_t)(handler >> 32);
	g->zero = 0;
}

void idt_load(const struct idt_gate *idt, unsigned int n)
{
	struct {
		uint16_t limit;
		uint64_t base;
	} __attribute__((packed)) idtr;

	idtr.limit = n * sizeof(*idt) - 1;
	idtr.base = (uintptr_t)idt;
	__asm__ volatile("lidt %0" : : "m"(idtr) : "memory");
}
