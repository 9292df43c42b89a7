/* SPDX-License-Identifier: GPL-2.0 */
/* ucall: the guest -> host call record shared by guest and host code. */
#ifndef VGEN_SELFTEST_UCALL_COMMON_H
#define VGEN_SELFTEST_UCALL_COMMON_H

#include <stdint.h>

/* A 32-bit OUT of the record's guest address to this port is a ucall. */
#define UCALL_PORT	0x1000

enum {
	UCALL_NONE,
	UCALL_SYNC,
	UCALL_ASSERT,
	UCALL_DONE,
	UCALL_PRINT,
};

#define UCALL_BUF	128

/**
 * struct ucall - one guest->host call, built on the guest stack.
 * @cmd: UCALL_*.
 * @args: arguments (SYNC: args[0]; ASSERT: args[0] = 1 if args[1..2]
 *	hold the two compared values).
 * @file, @text: guest addresses of NUL-terminated strings (ASSERT).
 * @line: source line (ASSERT).
 * @buf: text (PRINT).
 */
struct ucall {
	uint64_t cmd;
	uint64_t args[4];
	uint64_t file;
	uint64_t line;
	uint64_t text;
	char buf[UCALL_BUF];
};

#endif
