/* SPDX-License-Identifier: GPL-2.0 */
#ifndef VGEN_IO_TEST_H
#define VGEN_IO_TEST_H

#include <stdint.h>

#define IO_PORT_LO	0xe0		/* immediate-port forms */
#define IO_PORT_HI	0x2f8		/* DX forms */
#define IO_PORT_STR	0x300		/* string forms */
#define MMIO_BASE	0xc0000000ULL	/* outside the 32 MiB of RAM */

void guest_pio(void);
void guest_pio_string(void);
#define ROM_BASE	0x80000000ULL	/* a read-only memory region */

void guest_mmio(void);
void guest_rom(void);

#endif
