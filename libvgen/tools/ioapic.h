/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A userspace IOAPIC model for vgen-run (82093AA-style registers, 24
 * pins) on top of libvgen's partition routing: each redirection entry is
 * mirrored with vgen_partition_set_irq_route() and pins are delivered
 * with vgen_partition_assert_irq(). See ioapic.c.
 */
#ifndef VGEN_RUN_IOAPIC_H
#define VGEN_RUN_IOAPIC_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include "vgen.h"

#define IOAPIC_BASE	0xfec00000ULL
#define IOAPIC_SIZE	0x1000ULL
#define IOAPIC_PINS	24

/**
 * struct ioapic - the IOAPIC model's state.
 * @lock: protects every other field (VP threads call in concurrently).
 * @part: the partition whose routing table mirrors the entries.
 * @ioregsel: the selected register (IOREGSEL).
 * @id: the ID register (bits 27:24 writable).
 * @arb: the arbitration ID register.
 * @redir: the redirection entries (remote IRR, bit 14, kept here).
 * @line: the input level of each pin (level-triggered use).
 * @routed: whether the pin's route has ever been set (only routes that
 *	changed are pushed to the hypervisor).
 */
struct ioapic {
	pthread_mutex_t lock;
	struct vgen_partition *part;
	uint32_t ioregsel;
	uint32_t id;
	uint32_t arb;
	uint64_t redir[IOAPIC_PINS];
	bool line[IOAPIC_PINS];
	bool routed[IOAPIC_PINS];
};

/* Every entry masked, edge, vector 0; no route is set up front. */
void ioapic_init(struct ioapic *io, struct vgen_partition *part);
void ioapic_destroy(struct ioapic *io);

/*
 * MMIO at @offset (from IOAPIC_BASE): 4-byte accesses to IOREGSEL (0x00)
 * and IOWIN (0x10); other accesses read all ones and are ignored. Returns
 * 0 or the negative errno of vgen_partition_set_irq_route() /
 * vgen_partition_assert_irq(); *@pin_out names the pin then.
 */
int ioapic_read(struct ioapic *io, uint64_t offset, void *data,
		uint32_t size);
int ioapic_write(struct ioapic *io, uint64_t offset, const void *data,
		 uint32_t size, int *pin_out);

/* An edge on @pin (raise and lower). */
int ioapic_pulse(struct ioapic *io, uint32_t pin);
/* Set the input level of @pin (level-triggered entries deliver while
 * high, once per EOI). */
int ioapic_set_level(struct ioapic *io, uint32_t pin, bool high);
/* The guest EOI'd a level-triggered @vector: clear remote IRR of its
 * pins and deliver again those still high. */
int ioapic_eoi(struct ioapic *io, uint32_t vector);

#endif
