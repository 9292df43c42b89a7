/* SPDX-License-Identifier: GPL-2.0 */
/* Shared between irqfd_test.c and irqfd_test_guest.c. */
#ifndef VGEN_IRQFD_TEST_H
#define VGEN_IRQFD_TEST_H

#include <stdint.h>

/* Vectors. */
#define VEC_MSI			0x50	/* MSI irqfd */
#define VEC_LINE		0x51	/* edge line irqfd */
#define VEC_LVL			0x52	/* level line, resample irqfd */

/* IOAPIC lines. */
#define LINE_EDGE		4
#define LINE_LVL		9
#define LINE_LVL2		10	/* same vector, no resampler */

/* Signals per phase of the MSI test (one handshake each). */
#define MSI_ROUNDS		20

/* Doorbells (MMIO outside guest RAM, ports away from the ucall port). */
#define DB_MMIO			0xc0000000ULL	/* len 4 */
#define DB_MMIO_DM		0xc0000010ULL	/* len 4, DM_A / DM_B */
#define DB_MMIO_64		0xc0000020ULL	/* len 8, datamatch DM_64 */
#define DB_PORT			0x2000		/* len 2 */
#define DB_PORT_DM		0x2004		/* len 1, datamatch 7 */
#define DB_PORT_ANY		0x2010		/* len 0: any size */
#define DM_A			0x1234
#define DM_B			0x5678
#define DM_64			0x1122334455667788ULL
#define MMIO_READ_VALUE		0xabcd0123u

extern volatile uint32_t msi_acked;
extern volatile uint32_t msi_waiting;
extern volatile uint32_t apic_tpr_seen;

void guest_msi(void);
void guest_line(void);
void guest_resample(void);
void guest_doorbell(void);

#endif
