// SPDX-License-Identifier: GPL-2.0
/*
 * Guest code of irqfd_test: interrupt handlers (lib/apic_guest.c) count
 * what irqfds inject; the doorbell guest writes to MMIO addresses and
 * ports that the host registered with VGEN_IOEVENTFD.
 */
#include "apic_guest.h"
#include "irqfd_test.h"

volatile uint32_t msi_acked;
volatile uint32_t msi_waiting;
volatile uint32_t apic_tpr_seen;

static uint32_t count(uint8_t vec)
{
	return my_irq_state()->count[vec];
}

void guest_msi(void)
{
	uint32_t i;

	irq_guest_init(0);
	apic_enable_xapic();
	irq_disable();
	GUEST_SYNC(1);
	/* Running: the host signals once per round and waits for the ack. */
	irq_enable();
	for (i = 1; i <= MSI_ROUNDS; i++) {
		while (count(VEC_MSI) < i)
			cpu_relax();
		msi_acked = i;
	}
	irq_disable();
	GUEST_ASSERT_EQ(count(VEC_MSI), MSI_ROUNDS);
	GUEST_SYNC(2);
	/* Halted: the same with the VP waiting in HLT. */
	for (i = MSI_ROUNDS + 1; i <= 2 * MSI_ROUNDS; i++) {
		msi_waiting = i;
		irq_wait(VEC_MSI, i);
		msi_acked = i;
	}
	GUEST_ASSERT_EQ(count(VEC_MSI), 2 * MSI_ROUNDS);
	GUEST_SYNC(3);		/* three signals while the VP is stopped */
	irq_window();
	irq_window();
	GUEST_SYNC2(4, count(VEC_MSI));
	irq_window();		/* deassigned, then signalled */
	GUEST_SYNC2(5, count(VEC_MSI));
	irq_window();		/* bound with a signal pending */
	GUEST_SYNC2(6, count(VEC_MSI));
	irq_window();		/* signalled once more */
	GUEST_SYNC2(7, count(VEC_MSI));
	GUEST_DONE();
}

void guest_line(void)
{
	irq_guest_init(0);
	apic_enable_xapic();
	irq_disable();
	GUEST_SYNC(1);		/* routed line signalled */
	irq_wait(VEC_LINE, 1);
	GUEST_SYNC(2);		/* unrouted line signalled */
	irq_window();
	GUEST_ASSERT_EQ(count(VEC_LINE), 1);
	GUEST_SYNC(3);		/* routed again, signalled */
	irq_wait(VEC_LINE, 2);
	irq_window();
	GUEST_ASSERT_EQ(count(VEC_LINE), 2);
	GUEST_DONE();
}

void guest_resample(void)
{
	uint32_t i;

	irq_guest_init(0);
	apic_enable_xapic();
	irq_disable();
	/* Every phase: one interrupt, EOI'd by the handler (auto-EOI). */
	for (i = 1; i <= 5; i++) {
		GUEST_SYNC(i);
		irq_wait(VEC_LVL, i);
	}
	irq_window();
	GUEST_ASSERT_EQ(count(VEC_LVL), 5);
	GUEST_DONE();
}

static inline void mmio_write8(uint64_t gpa, uint8_t v)
{
	*(volatile uint8_t *)gpa = v;
}

static inline void mmio_write16(uint64_t gpa, uint16_t v)
{
	*(volatile uint16_t *)gpa = v;
}

static inline void mmio_write32(uint64_t gpa, uint32_t v)
{
	*(volatile uint32_t *)gpa = v;
}

static inline void mmio_write64(uint64_t gpa, uint64_t v)
{
	*(volatile uint64_t *)gpa = v;
}

static inline uint32_t mmio_read32(uint64_t gpa)
{
	return *(volatile uint32_t *)gpa;
}

static void rep_outsb(uint16_t port, const void *buf, uint64_t n)
{
	__asm__ volatile("rep outsb"
			 : "+S"(buf), "+c"(n) : "d"(port) : "memory");
}

void guest_doorbell(void)
{
	static const uint8_t bytes[3] = { 1, 2, 3 };

	GUEST_SYNC(1);		/* doorbells registered */
	mmio_write32(DB_MMIO, 1);
	mmio_write32(DB_MMIO, 2);
	outw(DB_PORT, 5);
	mmio_write32(DB_MMIO_DM, DM_A);
	mmio_write32(DB_MMIO_DM, DM_B);
	mmio_write32(DB_MMIO_DM, DM_B);
	mmio_write64(DB_MMIO_64, DM_64);
	outb(DB_PORT_DM, 7);
	outb(DB_PORT_ANY, 1);
	outw(DB_PORT_ANY, 2);
	outl(DB_PORT_ANY, 3);
	rep_outsb(DB_PORT_ANY, bytes, 3);
	GUEST_SYNC(2);		/* no exit so far; now writes that miss */
	mmio_write8(DB_MMIO, 1);		/* size */
	mmio_write16(DB_MMIO + 2, 2);		/* inside, not at @addr */
	mmio_write32(DB_MMIO_DM, 0x9999);	/* value */
	mmio_write64(DB_MMIO_64, DM_64 + 1);	/* value */
	outb(DB_PORT, 1);			/* size */
	outb(DB_PORT_DM, 8);			/* value */
	GUEST_ASSERT_EQ(mmio_read32(DB_MMIO), MMIO_READ_VALUE); /* a read */
	GUEST_SYNC(3);		/* DB_MMIO deassigned */
	mmio_write32(DB_MMIO, 3);
	GUEST_SYNC(4);		/* a doorbell on the APIC's TPR */
	irq_guest_init(0);
	apic_enable_xapic();
	apic_write(APIC_TPR, 0x20);
	apic_tpr_seen = apic_read(APIC_TPR);
	GUEST_DONE();
}
