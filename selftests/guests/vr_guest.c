// SPDX-License-Identifier: GPL-2.0
/*
 * Guests for vgen_run_test, one ELF per VR_MODE (see Makefile.am):
 *  1 (vr_level.elf): one VP; IOAPIC pin 7 level-triggered to vector 0x41;
 *    the line is raised through port 0x510 (0x107); the handler sees
 *    remote IRR set, EOIs once with the line still high (the IOAPIC
 *    delivers again), then lowers the line (0x207) and EOIs: exactly two
 *    interrupts, remote IRR clear. Exit code 0, or 10 + the failed check.
 *  2 (vr_exit.elf): two VPs; VP0 waits in CLI; HLT, VP1 exits with 42.
 *  3 (vr_tf.elf): UD2 without an IDT: a triple fault.
 *  4 (vr_emu.elf): executes from MMIO (0xd0000000): an emulation failure
 *    on the vgen backend.
 *  5 (vr_badirq.elf): OUT 0x3ff to the interrupt port (a bad value).
 */
#include <stdint.h>

#define UART		0x3f8
#define EXIT_PORT	0xf4
#define IRQ_PORT	0x510
#define IOAPIC		0xfec00000UL
#define LAPIC		0xfee00000UL
#define PIN		7
#define VECTOR		0x41
#define RTE_REMOTE_IRR	(1U << 14)
#define RTE_LEVEL	(1U << 15)

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

static struct idt_entry idt[VECTOR + 1] __attribute__((aligned(16)));
static volatile uint32_t nr_irqs, failed;

static inline void outb(uint16_t port, uint8_t v)
{
	__asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port) : "memory");
}

static inline void outw(uint16_t port, uint16_t v)
{
	__asm__ volatile("outw %0, %1" : : "a"(v), "Nd"(port) : "memory");
}

static void puts_uart(const char *s)
{
	while (*s)
		outb(UART, (uint8_t)*s++);
}

static inline void mmio_write32(uint64_t addr, uint32_t v)
{
	*(volatile uint32_t *)addr = v;
}

static inline uint32_t mmio_read32(uint64_t addr)
{
	return *(volatile uint32_t *)addr;
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

static void __attribute__((noreturn)) guest_exit(uint8_t code)
{
	for (;;)
		outb(EXIT_PORT, code);
}

static void check(int ok, uint32_t n)
{
	if (!ok && !failed)
		failed = n;
}

__attribute__((interrupt))
static void level_irq(struct interrupt_frame *frame)
{
	uint32_t rte = ioapic_read(0x10 + 2 * PIN);

	(void)frame;
	nr_irqs++;
	check(rte & RTE_REMOTE_IRR, 1);
	puts_uart(nr_irqs == 1 ? "level: first interrupt\n" :
		  "level: second interrupt\n");
	/* First: EOI with the line still high (delivered again). */
	if (nr_irqs >= 2)
		outw(IRQ_PORT, 0x200 | PIN);
	mmio_write32(LAPIC + 0xb0, 0);
}

static void level_test(void)
{
	uint64_t h = (uint64_t)(uintptr_t)level_irq;
	struct {
		uint16_t limit;
		uint64_t base;
	} __attribute__((packed)) idtr = {
		sizeof(idt) - 1, (uint64_t)(uintptr_t)idt,
	};
	struct idt_entry *e = &idt[VECTOR];
	int i;

	e->off_lo = (uint16_t)h;
	e->sel = 0x08;
	e->type = 0x8e;
	e->off_mid = (uint16_t)(h >> 16);
	e->off_hi = (uint32_t)(h >> 32);
	__asm__ volatile("lidt %0" : : "m"(idtr));
	mmio_write32(LAPIC + 0xf0, 0x1ff);
	check((ioapic_read(1) & 0xff) == 0x11, 2);
	check(((ioapic_read(1) >> 16) & 0xff) == 23, 3);
	ioapic_write(0x10 + 2 * PIN + 1, 0);
	ioapic_write(0x10 + 2 * PIN, VECTOR | RTE_LEVEL);
	check(ioapic_read(0x10 + 2 * PIN) == (VECTOR | RTE_LEVEL), 4);
	outw(IRQ_PORT, 0x100 | PIN);
	/* Both deliveries happen at the first instruction with IF = 1. */
	__asm__ volatile("sti; nop; cli" ::: "memory");
	for (i = 0; i < 100; i++)
		__asm__ volatile("sti; nop; cli" ::: "memory");
	check(nr_irqs == 2, 5);
	check(!(ioapic_read(0x10 + 2 * PIN) & RTE_REMOTE_IRR), 6);
	if (failed)
		guest_exit((uint8_t)(10 + failed));
	puts_uart("level: ok\n");
	guest_exit(0);
}

int main(uint64_t vp, uint64_t nvps);

int main(uint64_t vp, uint64_t nvps)
{
	(void)nvps;
	switch (VR_MODE) {
	case 1:
		level_test();
		break;
	case 2:
		if (vp == 1) {
			puts_uart("exit: VP1 exits with 42\n");
			guest_exit(42);
		}
		for (;;)
			__asm__ volatile("cli; hlt" ::: "memory");
	case 3:
		__asm__ volatile("ud2");
		break;
	case 4:
		((void (*)(void))0xd0000000UL)();
		break;
	case 5:
		outw(IRQ_PORT, 0x3ff);
		break;
	}
	return 99;
}
