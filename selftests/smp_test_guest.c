// SPDX-License-Identifier: GPL-2.0
/*
 * Guest code of smp_test: classic lock-free algorithms over shared guest
 * memory, run by several VPs at once. Every function is entered with the
 * VP index and the VP count (RDI, RSI) and ends with GUEST_DONE().
 */
#include "guest.h"
#include "smp_test.h"

struct smp_many smp_many;
struct smp_ticket smp_ticket;
struct smp_atomics smp_atomics;
uint8_t smp_split[3 * 4096] __attribute__((aligned(4096)));
struct smp_spsc smp_spsc[SMP_VPS / 2];
struct smp_mpsc smp_mpsc;
struct smp_peterson smp_peterson[SMP_VPS / 2];
struct smp_sb smp_sb[SMP_VPS / 2];
volatile uint64_t smp_spin_entered[SMP_VPS];
volatile uint64_t smp_spin_count[SMP_VPS];
volatile uint64_t smp_spin_stop;

#define barrier()	__asm__ volatile("" : : : "memory")

static inline void cpu_relax(void)
{
	__asm__ volatile("pause" : : : "memory");
}

static inline void mfence(void)
{
	__asm__ volatile("mfence" : : : "memory");
}

static inline uint64_t xadd64(volatile uint64_t *p, uint64_t v)
{
	__asm__ volatile("lock xaddq %0, %1" : "+r"(v), "+m"(*p) : : "memory");
	return v;
}

static inline int cas64(volatile uint64_t *p, uint64_t old, uint64_t nv)
{
	uint8_t ok;

	__asm__ volatile("lock cmpxchgq %3, %1; setz %0"
			 : "=q"(ok), "+m"(*p), "+a"(old)
			 : "r"(nv) : "memory", "cc");
	return ok;
}

static inline uint64_t xchg64(volatile uint64_t *p, uint64_t v)
{
	/* XCHG with memory is locked without a prefix. */
	__asm__ volatile("xchgq %0, %1" : "+r"(v), "+m"(*p) : : "memory");
	return v;
}

/*
 * Store our slot and take a ticket with LOCK XADD; SYNC(ticket) makes the
 * host wait (asleep, not spinning: 256 spinning VPs on two host CPUs
 * would starve the VPs still being created) until every VP got that far.
 * Then every VP's store must be visible (x86-TSO: a store is visible
 * before a later locked operation of the same VP).
 */
void guest_smp_many(uint64_t vp_index, uint64_t vp_count)
{
	uint64_t j;

	GUEST_ASSERT(vp_count <= SMP_MANY_VPS && vp_index < vp_count);
	smp_many.slot[vp_index] = SMP_SLOT_MAGIC | vp_index;
	smp_many.ticket[vp_index] = xadd64(&smp_many.counter, 1);
	GUEST_SYNC(smp_many.ticket[vp_index]);
	GUEST_ASSERT_EQ(smp_many.counter, vp_count);
	for (j = 0; j < vp_count; j++)
		GUEST_ASSERT_EQ(smp_many.slot[j], SMP_SLOT_MAGIC | j);
	GUEST_DONE();
}

/* A FIFO ticket lock around a plain read-modify-write. */
void guest_smp_ticket(uint64_t vp_index, uint64_t vp_count)
{
	struct smp_ticket *t = &smp_ticket;
	uint64_t i, my, v;

	for (i = 0; i < SMP_LOCK_ITERS; i++) {
		my = xadd64(&t->next, 1);
		while (t->owner != my)
			cpu_relax();
		t->holder = vp_index;
		v = t->value;
		barrier();
		t->value = v + 1;
		GUEST_ASSERT_EQ(t->holder, vp_index);
		/* Release: a plain store (stores are not reordered on TSO). */
		t->owner = my + 1;
	}
	(void)vp_count;
	GUEST_DONE();
}

/* Every kind of atomic counter, each SMP_ATOMIC_ITERS times. */
void guest_smp_atomics(uint64_t vp_index, uint64_t vp_count)
{
	struct smp_atomics *a = &smp_atomics;
	volatile uint64_t *sx = (volatile uint64_t *)(smp_split +
						      SMP_SPLIT_XADD);
	volatile uint64_t *sc = (volatile uint64_t *)(smp_split +
						      SMP_SPLIT_CAS);
	uint64_t i, old;

	GUEST_ASSERT(vp_index < SMP_VPS && vp_count <= SMP_VPS);
	for (i = 0; i < SMP_ATOMIC_ITERS; i++) {
		__asm__ volatile("lock incq %0" : "+m"(a->inc) : : "memory");
		__asm__ volatile("lock incl %0" : "+m"(a->inc32) : : "memory");
		__asm__ volatile("lock incw %0" : "+m"(a->inc16) : : "memory");
		xadd64(&a->xadd, vp_index + 1);
		do {
			old = a->cas;
		} while (!cas64(&a->cas, old, old + 1));
		/* Our own byte, next to the other VPs' bytes. */
		a->bytes[vp_index] = a->bytes[vp_index] + 1;
		/* Test-and-set lock with XCHG around a plain increment. */
		while (xchg64(&a->tas, 1))
			while (a->tas)
				cpu_relax();
		a->tas_value = a->tas_value + 1;
		a->tas = 0;
		/* LOCKed operations on operands crossing a page boundary. */
		xadd64(sx, 1);
		do {
			old = *sc;
		} while (!cas64(sc, old, old + 1));
	}
	GUEST_DONE();
}

/*
 * Two single-producer single-consumer rings: VP 0 -> VP 1 and VP 2 ->
 * VP 3. Only plain loads and stores and compiler barriers: x86-TSO keeps
 * the entry's stores before the head store and the head load before the
 * entry's loads.
 */
void guest_smp_spsc(uint64_t vp_index, uint64_t vp_count)
{
	struct smp_spsc *q = &smp_spsc[vp_index / 2];
	uint64_t pos, seq, sum = 0, *e;

	GUEST_ASSERT(vp_index < SMP_VPS && vp_count == SMP_VPS);
	if (!(vp_index & 1)) {
		for (pos = 0; pos < SMP_SPSC_MSGS; pos++) {
			while (pos - q->tail == SMP_SPSC_SIZE)
				cpu_relax();
			e = q->buf[pos % SMP_SPSC_SIZE];
			e[0] = pos + 1;
			e[1] = (pos + 1) * 0x9e3779b97f4a7c15ULL ^ vp_index;
			barrier();
			q->head = pos + 1;
		}
		GUEST_DONE();
	}
	for (pos = 0; pos < SMP_SPSC_MSGS; pos++) {
		while (q->head == pos)
			cpu_relax();
		barrier();
		e = q->buf[pos % SMP_SPSC_SIZE];
		seq = e[0];
		GUEST_ASSERT_EQ(seq, pos + 1);
		GUEST_ASSERT_EQ(e[1], seq * 0x9e3779b97f4a7c15ULL ^
				(vp_index - 1));
		sum += seq;
		barrier();
		q->tail = pos + 1;
	}
	q->sum = sum;
	q->count = pos;
	GUEST_DONE();
}

/*
 * VPs 1..n-1 produce into one queue, claiming slots with CMPXCHG; VP 0
 * consumes in slot order and checks each producer's messages arrive in
 * order.
 */
void guest_smp_mpsc(uint64_t vp_index, uint64_t vp_count)
{
	struct smp_mpsc *q = &smp_mpsc;
	uint64_t i, t, c, v, p, sum = 0, last[SMP_VPS] = { 0 };

	GUEST_ASSERT(vp_count >= 2 && vp_count <= SMP_VPS);
	if (vp_index) {
		for (i = 1; i <= SMP_MPSC_MSGS; i++) {
			for (;;) {
				t = q->tail;
				if (t - q->consumed >= SMP_MPSC_SIZE) {
					cpu_relax();
					continue;
				}
				if (cas64(&q->tail, t, t + 1))
					break;
			}
			q->slot[t % SMP_MPSC_SIZE].val = vp_index << 32 | i;
			barrier();
			q->slot[t % SMP_MPSC_SIZE].seq = t + 1;
		}
		GUEST_DONE();
	}
	for (c = 0; c < (vp_count - 1) * SMP_MPSC_MSGS; c++) {
		while (q->slot[c % SMP_MPSC_SIZE].seq != c + 1)
			cpu_relax();
		barrier();
		v = q->slot[c % SMP_MPSC_SIZE].val;
		barrier();
		q->consumed = c + 1;
		p = v >> 32;
		GUEST_ASSERT(p >= 1 && p < vp_count);
		GUEST_ASSERT_EQ(v & 0xffffffff, last[p] + 1);
		last[p]++;
		sum += v & 0xffffffff;
	}
	for (p = 1; p < vp_count; p++)
		GUEST_ASSERT_EQ(last[p], SMP_MPSC_MSGS);
	q->sum = sum;
	q->count = c;
	GUEST_DONE();
}

/*
 * Peterson's lock for VPs 0/1 and 2/3. Without the MFENCE x86-TSO may
 * let each VP's load of the other's flag pass its own flag store, and
 * both would enter.
 */
void guest_smp_peterson(uint64_t vp_index, uint64_t vp_count)
{
	struct smp_peterson *pl = &smp_peterson[vp_index / 2];
	uint64_t me = vp_index & 1, other = me ^ 1, i, v;

	GUEST_ASSERT(vp_index < SMP_VPS && vp_count == SMP_VPS);
	for (i = 0; i < SMP_PETERSON_ITERS; i++) {
		pl->flag[me] = 1;
		pl->turn = other;
		mfence();
		while (pl->flag[other] && pl->turn == other)
			cpu_relax();
		pl->holder = vp_index;
		v = pl->value;
		barrier();
		pl->value = v + 1;
		GUEST_ASSERT_EQ(pl->holder, vp_index);
		pl->flag[me] = 0;
	}
	GUEST_DONE();
}

/*
 * The store-buffering litmus test for VPs 0/1 and 2/3: each round both
 * VPs store the round number to their own x, MFENCE, then load the other
 * VP's x. With the fence at least one of them must see the other's store
 * (x86-TSO forbids both loads passing the stores).
 */
void guest_smp_sb(uint64_t vp_index, uint64_t vp_count)
{
	struct smp_sb *sb = &smp_sb[vp_index / 2];
	uint64_t me = vp_index & 1, other = me ^ 1, r;

	GUEST_ASSERT(vp_index < SMP_VPS && vp_count == SMP_VPS);
	for (r = 1; r <= SMP_SB_ROUNDS; r++) {
		xadd64(&sb->go, 1);
		while (sb->go < 2 * r)
			cpu_relax();
		sb->x[me] = r;
		mfence();
		sb->seen[me] = sb->x[other] >= r;
		xadd64(&sb->done, 1);
		while (sb->done < 2 * r)
			cpu_relax();
		if (!me) {
			if (!sb->seen[0] && !sb->seen[1])
				sb->both_missed++;
			if (sb->seen[0] && sb->seen[1])
				sb->saw_both++;
		}
	}
	GUEST_DONE();
}

/* Spin until the host sets smp_spin_stop (for the close tests). */
void guest_smp_spin(uint64_t vp_index, uint64_t vp_count)
{
	GUEST_ASSERT(vp_index < SMP_VPS && vp_count <= SMP_VPS);
	smp_spin_entered[vp_index] = 1;
	while (!smp_spin_stop)
		smp_spin_count[vp_index]++;
	GUEST_DONE();
}
