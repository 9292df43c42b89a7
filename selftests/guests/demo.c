// SPDX-License-Identifier: GPL-2.0
/*
 * Demo guest for vgen-run: prints a greeting and the CRC-32 of
 * "123456789" (expected cbf43926) on the UART at 0x3f8, then returns 0,
 * which crt0 writes to the exit port 0xf4.
 */
#include <stdint.h>

#define UART		0x3f8
#define UART_LSR	(UART + 5)

static inline void outb(uint16_t port, uint8_t v)
{
	__asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}

static inline uint8_t inb(uint16_t port)
{
	uint8_t v;

	__asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
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

int main(void);

int main(void)
{
	puts_uart("Hello from a vgen guest!\n");
	puts_uart("crc32(\"123456789\") = ");
	puthex32(crc32("123456789"));
	puts_uart("\n");
	return 0;
}
