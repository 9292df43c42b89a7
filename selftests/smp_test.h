/* SPDX-License-Identifier: GPL-2.0 */
/* Shared definitions of smp_test.c and smp_test_guest.c. */
#ifndef VGEN_SMP_TEST_H
#define VGEN_SMP_TEST_H

#include <stdint.h>

#define SMP_MANY_VPS	256	/* VPs of the many-VP partition */
#define SMP_VPS		4	/* VPs of the lock-free algorithm tests */
#define SMP_SLOT_MAGIC	0x5a5a000000000000ULL

/* Iteration counts: small, every VP is an interpreter under TCG. */
#define SMP_LOCK_ITERS		30	/* ticket lock rounds per VP */
#define SMP_ATOMIC_ITERS	500	/* atomic operations of each kind */
#define SMP_SPSC_MSGS		1000	/* messages per SPSC queue */
#define SMP_SPSC_SIZE		16	/* entries per SPSC ring */
#define SMP_MPSC_MSGS		300	/* messages per producer */
#define SMP_MPSC_SIZE		8	/* slots of the MPSC queue */
#define SMP_PETERSON_ITERS	200	/* Peterson lock rounds per VP */
#define SMP_SB_ROUNDS		50	/* store-buffering litmus rounds */

#define SMP_CACHELINE	64
#define SMP_PAD(n)	char n[SMP_CACHELINE - sizeof(uint64_t)]

/* 256 VPs: one LOCK XADD each, one plain store each. */
struct smp_many {
	volatile uint64_t counter;
	volatile uint64_t slot[SMP_MANY_VPS];	/* SMP_SLOT_MAGIC | index */
	volatile uint64_t ticket[SMP_MANY_VPS];	/* the XADD's old value */
};

/* Ticket spin lock protecting a non-atomic counter. */
struct smp_ticket {
	volatile uint64_t next;
	SMP_PAD(pad0);
	volatile uint64_t owner;
	SMP_PAD(pad1);
	volatile uint64_t value;	/* protected by the lock */
	volatile uint64_t holder;	/* VP inside the lock */
};

/* Atomic counters. */
struct smp_atomics {
	volatile uint64_t inc;		/* LOCK INC */
	volatile uint64_t xadd;		/* LOCK XADD of index + 1 */
	volatile uint64_t cas;		/* LOCK CMPXCHG loop */
	volatile uint32_t inc32;	/* LOCK INC (32-bit) */
	volatile uint16_t inc16;	/* LOCK INC (16-bit) */
	volatile uint8_t bytes[SMP_VPS]; /* plain byte stores, one per VP */
	volatile uint64_t tas;		/* XCHG test-and-set lock */
	volatile uint64_t tas_value;	/* protected by it */
};

/* Single-producer single-consumer ring: plain stores and x86-TSO. */
struct smp_spsc {
	volatile uint64_t head;		/* written by the producer only */
	SMP_PAD(pad0);
	volatile uint64_t tail;		/* written by the consumer only */
	SMP_PAD(pad1);
	uint64_t buf[SMP_SPSC_SIZE][2];	/* sequence number, payload */
	volatile uint64_t sum, count;	/* the consumer's results */
};

/* Multi-producer single-consumer queue: slots claimed with CMPXCHG. */
struct smp_mpsc {
	volatile uint64_t tail;		/* next slot to claim */
	SMP_PAD(pad0);
	volatile uint64_t consumed;	/* slots read by the consumer */
	SMP_PAD(pad1);
	struct {
		volatile uint64_t seq;	/* claim number + 1 once published */
		uint64_t val;		/* producer << 32 | message number */
	} slot[SMP_MPSC_SIZE];
	volatile uint64_t sum, count;	/* the consumer's results */
};

/* Peterson's lock for two VPs (MFENCE for the store-to-load order). */
struct smp_peterson {
	volatile uint64_t flag[2];
	volatile uint64_t turn;
	volatile uint64_t value;	/* protected by the lock */
	volatile uint64_t holder;	/* VP inside the lock */
};

extern struct smp_many smp_many;
extern struct smp_ticket smp_ticket;
extern struct smp_atomics smp_atomics;
extern uint8_t smp_split[3 * 4096];	/* page-crossing LOCKed counters */
extern struct smp_spsc smp_spsc[SMP_VPS / 2];
extern struct smp_mpsc smp_mpsc;
extern struct smp_peterson smp_peterson[SMP_VPS / 2];

/* Store-buffering litmus test (x = 1; MFENCE; r = y) for two VPs. */
struct smp_sb {
	volatile uint64_t x[2];		/* each VP's store: the round */
	volatile uint64_t go;		/* round barrier (2 arrivals/round) */
	volatile uint64_t seen[2];	/* each VP saw the other's store */
	volatile uint64_t done;		/* result barrier */
	volatile uint64_t both_missed;	/* rounds where neither saw it */
	volatile uint64_t saw_both;	/* rounds where both saw it */
};

extern struct smp_sb smp_sb[SMP_VPS / 2];
extern volatile uint64_t smp_spin_entered[SMP_VPS];
extern volatile uint64_t smp_spin_count[SMP_VPS];
extern volatile uint64_t smp_spin_stop;

/* Offsets in smp_split of two 8-byte counters, each crossing a page. */
#define SMP_SPLIT_XADD	(4096 - 4)
#define SMP_SPLIT_CAS	(2 * 4096 - 2)

void guest_smp_many(uint64_t vp_index, uint64_t vp_count);
void guest_smp_ticket(uint64_t vp_index, uint64_t vp_count);
void guest_smp_atomics(uint64_t vp_index, uint64_t vp_count);
void guest_smp_spsc(uint64_t vp_index, uint64_t vp_count);
void guest_smp_mpsc(uint64_t vp_index, uint64_t vp_count);
void guest_smp_peterson(uint64_t vp_index, uint64_t vp_count);
void guest_smp_sb(uint64_t vp_index, uint64_t vp_count);
void guest_smp_spin(uint64_t vp_index, uint64_t vp_count);

#endif
