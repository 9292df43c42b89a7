/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Guest-side helpers for vgen selftests. Only for *_guest.c files, which are
 * compiled with -mgeneral-regs-only and must not call libc.
 */
#ifndef VGEN_SELFTEST_GUEST_H
#define VGEN_SELFTEST_GUEST_H

#include <stddef.h>
#include <stdint.h>
#include "ucall_common.h"

void ucall(uint64_t cmd, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3);
void ucall_assert(const char *text, const char *file, uint64_t line,
		  uint64_t has_vals, uint64_t a, uint64_t b)
	__attribute__((noreturn));
void guest_print(const char *s);

#define GUEST_SYNC(x)	ucall(UCALL_SYNC, (uint64_t)(x), 0, 0, 0)
#define GUEST_SYNC2(x, y) ucall(UCALL_SYNC, (uint64_t)(x), (uint64_t)(y), 0, 0)
#define GUEST_DONE()	do { ucall(UCALL_DONE, 0, 0, 0, 0); for (;;) ; } while (0)
#define GUEST_ASSERT(c)							\
	do {								\
		if (!(c))						\
			ucall_assert(#c, __FILE__, __LINE__, 0, 0, 0);	\
	} while (0)
#define GUEST_ASSERT_EQ(a, b)						\
	do {								\
		uint64_t __ga = (uint64_t)(a), __gb = (uint64_t)(b);	\
		if (__ga != __gb)					\
			ucall_assert(#a " == " #b, __FILE__, __LINE__,	\
				     1, __ga, __gb);			\
	} while (0)

static inline void outb(uint16_t port, uint8_t v)
{
	__asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port) : "memory");
}

static inline void outw(uint16_t port, uint16_t v)
{
	__asm__ volatile("outw %0, %1" : : "a"(v), "Nd"(port) : "memory");
}

static inline void outl(uint16_t port, uint32_t v)
{
	__asm__ volatile("outl %0, %1" : : "a"(v), "Nd"(port) : "memory");
}

static inline uint8_t inb(uint16_t port)
{
	uint8_t v;

	__asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port) : "memory");
	return v;
}

static inline uint16_t inw(uint16_t port)
{
	uint16_t v;

	__asm__ volatile("inw %1, %0" : "=a"(v) : "Nd"(port) : "memory");
	return v;
}

static inline uint32_t inl(uint16_t port)
{
	uint32_t v;

	__asm__ volatile("inl %1, %0" : "=a"(v) : "Nd"(port) : "memory");
	return v;
}

static inline void cpuid(uint32_t leaf, uint32_t sub, uint32_t r[4])
{
	__asm__ volatile("cpuid"
			 : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3])
			 : "a"(leaf), "c"(sub));
}

static inline uint64_t read_cr2(void)
{
	uint64_t v;

	__asm__ volatile("mov %%cr2, %0" : "=r"(v));
	return v;
}

static inline uint64_t read_cr3(void)
{
	uint64_t v;

	__asm__ volatile("mov %%cr3, %0" : "=r"(v));
	return v;
}

static inline void write_cr3(uint64_t v)
{
	__asm__ volatile("mov %0, %%cr3" : : "r"(v) : "memory");
}

static inline void invlpg(uint64_t va)
{
	__asm__ volatile("invlpg (%0)" : : "r"(va) : "memory");
}

/* A 64-bit IDT gate. */
struct idt_gate {
	uint16_t off0;
	uint16_t sel;
	uint8_t ist;
	uint8_t type;
	uint16_t off1;
	uint32_t off2;
	uint32_t zero;
};

#define IDT_GATE_INTR		0x8e	/* present, DPL 0, interrupt gate */
#define IDT_GATE_INTR_DPL3	0xee	/* present, DPL 3, interrupt gate */

/* Point @g at @handler (code selector 0x08, no IST) with @type. */
void idt_gate_set(struct idt_gate *g, uint64_t handler, uint8_t type);
/* LIDT of the @n gates at @idt. */
void idt_load(const struct idt_gate *idt, unsigned int n);

void *memcpy(void *d, const void *s, size_t n);
void *memset(void *d, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t guest_strlen(const char *s);

#endif
