// SPDX-License-Identifier: GPL-2.0
/*
 * Demo guest for vgen-run (Documentation/guest-contract.md).
 *
 * With one VP: prints a greeting and the CRC-32 of "123456789" (expected
 * cbf43926) on the UART at 0x3f8 and exits with code 0.
 *
 * With two or more VPs (vgen-run --vps 2, what "make run" does):
 *  - VP0 installs an IDT with a handler for vector 0x40, enables its local
 *    APIC and programs IOAPIC redirection entry 5 (edge, fixed, vector
 *    0x40, physical destination APIC ID 0), then waits with STI; HLT;
 *  - VP1 prints the greeting and the CRC, then raises IOAPIC pin 5
 *    through the interrupt port 0x510;
 *  - VP0 takes the interrupt in its handler (which EOIs the local APIC),
 *    both print, and VP0 exits with code 0 through the exit port 0xf4.
 * Further VPs only wait. Every step waits for the previous one, so the
 * output lines always come in the same order.
 */
#include <stdint.h>

#define UART		0x3f8
#define UART_LSR	(UART + 5)
#define EXIT_PORT	0xf4
#define IRQ_PORT	0x510
#define IOAPIC		0xfec00000UL
#define LAPIC		0xfee00000UL
#define LAPIC_EOI	0xb0
#define LAPIC_SVR	0xf0
#define DEMO_PIN	5
#define DEMO_VECTOR	0x40

struct idt_entry {
	uint16_t off_lo;
	uint16_t sel;
	uint8_t ist;
	uint8_t type;
	uint16_t off_mid;
	uint32_t off_hi;
	uint32_t zero;
} __attribute__((packed));

struct interrupt_frame;

static struct idt_entry idt[DEMO_VECTOR + 1] __attribute__((aligned(16)));
static volatile uint32_t ready, irq_taken, vp1_done;

static inline void outb(uint16_t port, uint8_t v)
{
	__asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port) : "memory");
}

static inline void outw(uint16_t port, uint16_t v)
{
	__asm__ volatile("outw %0, %1" : : "a"(v), "Nd"(port) : "memory");
}

static inline uint8_t inb(uint16_t port)
{
	uint8_t v;

	__asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port) : "memory");
	return v;
}

static inline void mmio_write32(uint64_t addr, uint32_t v)
{
	*(volatile uint32_t *)addr = v;
}

static inline uint32_t mmio_read32(uint64_t addr)
{
	return *(volatile uint32_t *)addr;
}

static void putc_uart(char c)
{
	while (!(inb(UART_LSR) & 0x20))
		;
	outb(UART, (uint8_t)c);
}

static void puts_uart(const char *s)
{
	while (*s)
		putc_uart(*s++);
}

static void puthex32(uint32_t v)
{
	static const char digits[] = "0123456789abcdef";
	int i;

	for (i = 28; i >= 0; i -= 4)
		putc_uart(digits[(v >> i) & 0xf]);
}

static uint32_t crc32(const char *s)
{
	uint32_t crc = 0xffffffff;
	int i;

	while (*s) {
		crc ^= (uint8_t)*s++;
		for (i = 0; i < 8; i++)
			crc = (crc >> 1) ^ (0xedb88320 & -(crc & 1));
	}
	return ~crc;
}

static void greet(void)
{
	puts_uart("Hello from a vgen guest!\n");
	puts_uart("crc32(\"123456789\") = ");
	puthex32(crc32("123456789"));
	puts_uart("\n");
}

static void wait_for(volatile uint32_t *flag)
{
	while (!*flag)
		__asm__ volatile("pause" ::: "memory");
}

static void __attribute__((noreturn)) wait_forever(void)
{
	for (;;)
		__asm__ volatile("cli; hlt" ::: "memory");
}

__attribute__((interrupt))
static void demo_irq(struct interrupt_frame *frame)
{
	(void)frame;
	puts_uart("VP0: took vector 0x40 (IOAPIC pin 5) in its handler\n");
	irq_taken = 1;
	mmio_write32(LAPIC + LAPIC_EOI, 0);
}

static void ioapic_write(uint32_t reg, uint32_t v)
{
	mmio_write32(IOAPIC, reg);
	mmio_write32(IOAPIC + 0x10, v);
}

static uint32_t ioapic_read(uint32_t reg)
{
	mmio_write32(IOAPIC, reg);
	return mmio_read32(IOAPIC + 0x10);
}

static void vp0(void)
{
	uint64_t handler = (uint64_t)(uintptr_t)demo_irq;
	struct {
		uint16_t limit;
		uint64_t base;
	} __attribute__((packed)) idtr = {
		sizeof(idt) - 1, (uint64_t)(uintptr_t)idt,
	};
	struct idt_entry *e = &idt[DEMO_VECTOR];

	e->off_lo = (uint16_t)handler;
	e->sel = 0x08;
	e->type = 0x8e;		/* present, DPL 0, 64-bit interrupt gate */
	e->off_mid = (uint16_t)(handler >> 16);
	e->off_hi = (uint32_t)(handler >> 32);
	__asm__ volatile("lidt %0" : : "m"(idtr));
	/* Software-enable the local APIC (spurious vector 0xff). */
	mmio_write32(LAPIC + LAPIC_SVR, 0x1ff);
	/* Destination APIC ID 0 (high half), then vector 0x40 unmasked. */
	ioapic_write(0x10 + 2 * DEMO_PIN + 1, 0);
	ioapic_write(0x10 + 2 * DEMO_PIN, DEMO_VECTOR);
	puts_uart("VP0: IOAPIC version 0x");
	puthex32(ioapic_read(1));
	puts_uart(", pin 5 -> vector 0x40 on VP0; waiting\n");
	ready = 1;
	__asm__ volatile("cli" ::: "memory");
	while (!irq_taken)
		__asm__ volatile("sti; hlt; cli" ::: "memory");
	wait_for(&vp1_done);
	puts_uart("VP0: both VPs done, exit code 0\n");
}

static void vp1(void)
{
	wait_for(&ready);
	puts_uart("VP1: ");
	greet();
	puts_uart("VP1: raising IOAPIC pin 5 (port 0x510)\n");
	outw(IRQ_PORT, DEMO_PIN);
	wait_for(&irq_taken);
	puts_uart("VP1: VP0 got the interrupt\n");
	vp1_done = 1;
}

int main(uint64_t vp, uint64_t nvps);

int main(uint64_t vp, uint64_t nvps)
{
	if (nvps < 2) {
		greet();
		return 0;
	}
	if (vp == 0) {
		vp0();
		return 0;
	}
	if (vp == 1)
		vp1();
	wait_forever();
}
