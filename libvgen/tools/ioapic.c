// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The userspace IOAPIC of vgen-run. The registers live here; the
 * hypervisor (libvgen's routing table) only sees, per pin, the MSI the
 * redirection entry describes (or none while it is masked) and an assert
 * for each delivery. Level-triggered entries keep remote IRR here: a
 * delivery sets it, the guest's EOI of the vector (reported through
 * cpu_io handle_eoi) clears it, and a pin still high is delivered again.
 *
 * Input levels are logical (asserted or not): the polarity bit is kept
 * and read back but does not invert the interrupt port's raise/lower.
 */
#include "config.h"
#include <errno.h>
#include <string.h>
#include "ioapic.h"

#define IOAPIC_REG_ID		0x00
#define IOAPIC_REG_VERSION	0x01
#define IOAPIC_REG_ARB		0x02
#define IOAPIC_REG_REDIR	0x10
#define IOAPIC_VERSION		0x11

#define RTE_VECTOR(e)		((uint32_t)(e) & 0xff)
#define RTE_DELIVERY(e)		(((uint32_t)(e) >> 8) & 7)
#define RTE_DEST_LOGICAL	(1ULL << 11)
#define RTE_DELIVERY_STATUS	(1ULL << 12)
#define RTE_POLARITY		(1ULL << 13)
#define RTE_REMOTE_IRR		(1ULL << 14)
#define RTE_LEVEL		(1ULL << 15)
#define RTE_MASKED		(1ULL << 16)
/* Bits the guest can write: vector .. mask, extended dest, dest. */
#define RTE_WRITABLE		(0x1afffULL | (0xffULL << 56) | \
				 (0x7fULL << 49))

void ioapic_init(struct ioapic *io, struct vgen_partition *part)
{
	uint32_t i;

	memset(io, 0, sizeof(*io));
	pthread_mutex_init(&io->lock, NULL);
	io->part = part;
	for (i = 0; i < IOAPIC_PINS; i++)
		io->redir[i] = RTE_MASKED;
}

void ioapic_destroy(struct ioapic *io)
{
	pthread_mutex_destroy(&io->lock);
}

/* The entry's MSI (architectural format, see <linux/vgen.h>). */
static void ioapic_msi(uint64_t e, struct vgen_msi_message *msi)
{
	uint32_t mode = RTE_DELIVERY(e);

	msi->address = 0xfee00000ULL | ((e >> 56) & 0xff) << 12 |
		       ((e >> 49) & 0x7f) << 5 |
		       (e & RTE_DEST_LOGICAL ? 1ULL << 2 : 0) |
		       (mode == 1 ? 1ULL << 3 : 0);
	msi->data = RTE_VECTOR(e) | mode << 8;
	if (e & RTE_LEVEL)
		msi->data |= 1U << 15 | 1U << 14;
}

static int ioapic_route(struct ioapic *io, uint32_t pin)
{
	struct vgen_msi_message msi;
	uint64_t e = io->redir[pin];

	if (e & RTE_MASKED) {
		if (!io->routed[pin])
			return 0;
		io->routed[pin] = false;
		return vgen_partition_set_irq_route(io->part, pin, NULL);
	}
	ioapic_msi(e, &msi);
	io->routed[pin] = true;
	return vgen_partition_set_irq_route(io->part, pin, &msi);
}

/* Deliver a level-triggered pin that is high, if it may be. */
static int ioapic_level_check(struct ioapic *io, uint32_t pin)
{
	uint64_t *e = &io->redir[pin];

	if (!io->line[pin] || (*e & (RTE_MASKED | RTE_REMOTE_IRR)) ||
	    !(*e & RTE_LEVEL))
		return 0;
	*e |= RTE_REMOTE_IRR;
	return vgen_partition_assert_irq(io->part, pin);
}

int ioapic_read(struct ioapic *io, uint64_t offset, void *data,
		uint32_t size)
{
	uint32_t v = 0xffffffff, reg;

	if (size != 4)
		return 0;
	pthread_mutex_lock(&io->lock);
	reg = io->ioregsel;
	if (offset == 0x00) {
		v = reg;
	} else if (offset == 0x10) {
		if (reg == IOAPIC_REG_ID)
			v = io->id;
		else if (reg == IOAPIC_REG_VERSION)
			v = IOAPIC_VERSION | (IOAPIC_PINS - 1) << 16;
		else if (reg == IOAPIC_REG_ARB)
			v = io->arb;
		else if (reg >= IOAPIC_REG_REDIR &&
			 reg < IOAPIC_REG_REDIR + 2 * IOAPIC_PINS)
			v = (uint32_t)(io->redir[(reg - IOAPIC_REG_REDIR) / 2] >>
				       (reg & 1 ? 32 : 0));
	}
	pthread_mutex_unlock(&io->lock);
	memcpy(data, &v, 4);
	return 0;
}

int ioapic_write(struct ioapic *io, uint64_t offset, const void *data,
		 uint32_t size, int *pin_out)
{
	uint32_t v, reg, pin;
	uint64_t e, old;
	int ret = 0;

	if (size != 4)
		return 0;
	memcpy(&v, data, 4);
	pthread_mutex_lock(&io->lock);
	if (offset == 0x00) {
		io->ioregsel = v & 0xff;
		goto out;
	}
	if (offset != 0x10)
		goto out;
	reg = io->ioregsel;
	if (reg == IOAPIC_REG_ID) {
		io->id = v & 0x0f000000;
		io->arb = io->id;
		goto out;
	}
	if (reg < IOAPIC_REG_REDIR || reg >= IOAPIC_REG_REDIR + 2 * IOAPIC_PINS)
		goto out;
	pin = (reg - IOAPIC_REG_REDIR) / 2;
	old = io->redir[pin];
	if (reg & 1)
		e = (old & 0xffffffffULL) | (uint64_t)v << 32;
	else
		e = (old & ~0xffffffffULL) | v;
	e = (e & RTE_WRITABLE) | (old & RTE_REMOTE_IRR);
	/* An edge-triggered entry has no remote IRR. */
	if (!(e & RTE_LEVEL))
		e &= ~RTE_REMOTE_IRR;
	io->redir[pin] = e;
	if (e == old)
		goto out;
	*pin_out = (int)pin;
	ret = ioapic_route(io, pin);
	if (!ret)
		ret = ioapic_level_check(io, pin);
out:
	pthread_mutex_unlock(&io->lock);
	return ret;
}

int ioapic_set_level(struct ioapic *io, uint32_t pin, bool high)
{
	int ret = 0;

	if (pin >= IOAPIC_PINS)
		return -EINVAL;
	pthread_mutex_lock(&io->lock);
	if (high && !io->line[pin]) {
		io->line[pin] = true;
		if (io->redir[pin] & RTE_LEVEL)
			ret = ioapic_level_check(io, pin);
		else if (!(io->redir[pin] & RTE_MASKED))
			ret = vgen_partition_assert_irq(io->part, pin);
	} else if (!high) {
		io->line[pin] = false;
	}
	pthread_mutex_unlock(&io->lock);
	return ret;
}

int ioapic_pulse(struct ioapic *io, uint32_t pin)
{
	int ret = ioapic_set_level(io, pin, true);

	if (!ret)
		ret = ioapic_set_level(io, pin, false);
	return ret;
}

int ioapic_eoi(struct ioapic *io, uint32_t vector)
{
	uint32_t pin;
	int ret = 0;

	pthread_mutex_lock(&io->lock);
	for (pin = 0; pin < IOAPIC_PINS; pin++) {
		uint64_t *e = &io->redir[pin];

		if (!(*e & RTE_REMOTE_IRR) || RTE_VECTOR(*e) != vector)
			continue;
		*e &= ~RTE_REMOTE_IRR;
		if (!ret)
			ret = ioapic_level_check(io, pin);
	}
	pthread_mutex_unlock(&io->lock);
	return ret;
}
