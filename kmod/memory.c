// SPDX-License-Identifier: GPL-2.0
/*
 * Guest physical memory: the memslot table.
 *
 * A partition's memory is a table of up to VGEN_MAX_MEMORY_REGIONS slots,
 * each a range of guest physical addresses backed by long-term pinned
 * pages of the VMM. The table is immutable once published: an update
 * copies it, changes the copy, publishes it with rcu_assign_pointer(),
 * bumps the generation, waits for an SRCU grace period and only then
 * releases the old table and the pages of the region it replaced. The VP
 * run loop looks addresses up inside an SRCU read section and flushes the
 * interpreter's caches when the generation changed, so no host pointer to
 * a released page is ever used.
 */
#include <linux/mm.h>
#include <linux/rcupdate.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/srcu.h>
#include <linux/uaccess.h>

#include "vgen.h"

/* Pages pinned per pin_user_pages_fast() call. */
#define VGEN_PIN_CHUNK		4096UL

/* The current table; the caller holds mem_lock. */
static struct vgen_memslots *
vgen_memory_slots_locked(struct vgen_partition *part)
{
	return rcu_dereference_protected(part->memslots,
					 lockdep_is_held(&part->mem_lock));
}

/* Release the pages of one slot (not the slot itself). */
static void vgen_memory_unpin_slot(struct vgen_memslot *slot)
{
	if (!slot->pages)
		return;
	unpin_user_pages_dirty_lock(slot->pages, slot->npages,
				    !(slot->flags & VGEN_MEM_READONLY));
	kvfree(slot->pages);
	slot->pages = NULL;
	slot->npages = 0;
}

/**
 * vgen_memory_init() - set up the memory of a new partition: an empty
 *	memslot table and its SRCU domain.
 * @part: the partition.
 *
 * Return: 0 or -ENOMEM.
 */
int vgen_memory_init(struct vgen_partition *part)
{
	struct vgen_memslots *slots;
	int ret;

	slots = kzalloc(sizeof(*slots), GFP_KERNEL_ACCOUNT);
	if (!slots)
		return -ENOMEM;
	ret = init_srcu_struct(&part->srcu);
	if (ret) {
		kfree(slots);
		return ret;
	}
	RCU_INIT_POINTER(part->memslots, slots);
	return 0;
}

/**
 * vgen_memory_destroy() - release all memory of a partition being torn
 *	down (no VP can run any more). Idempotent; a no-op if
 *	vgen_memory_init() did not succeed.
 * @part: the partition.
 */
void vgen_memory_destroy(struct vgen_partition *part)
{
	struct vgen_memslots *slots;
	unsigned int i;

	mutex_lock(&part->mem_lock);
	slots = vgen_memory_slots_locked(part);
	if (slots) {
		RCU_INIT_POINTER(part->memslots, NULL);
		for (i = 0; i < VGEN_MAX_MEMORY_REGIONS; i++)
			vgen_memory_unpin_slot(&slots->slot[i]);
		kfree(slots);
	}
	mutex_unlock(&part->mem_lock);
	if (slots)
		cleanup_srcu_struct(&part->srcu);
}

/*
 * vgen_memory_pin() - long-term pin @npages pages at @uaddr of the
 * caller's mm into a new page array.
 *
 * Return: 0 with *@pagesp set; -EFAULT some page cannot be pinned;
 * -ENOMEM; -EINTR fatal signal.
 */
static int vgen_memory_pin(unsigned long uaddr, unsigned long npages,
			   bool write, struct page ***pagesp)
{
	unsigned int gup_flags = FOLL_LONGTERM | (write ? FOLL_WRITE : 0);
	unsigned long done = 0;
	struct page **pages;
	int ret;

	pages = kvmalloc_array(npages, sizeof(*pages), GFP_KERNEL_ACCOUNT);
	if (!pages)
		return -ENOMEM;

	while (done < npages) {
		unsigned long n = min(npages - done, VGEN_PIN_CHUNK);

		ret = pin_user_pages_fast(uaddr + done * PAGE_SIZE, n,
					  gup_flags, pages + done);
		if (ret <= 0) {
			ret = ret == -ENOMEM ? -ENOMEM : -EFAULT;
			goto err;
		}
		done += ret;
		if (fatal_signal_pending(current)) {
			ret = -EINTR;
			goto err;
		}
		cond_resched();
	}
	*pagesp = pages;
	return 0;

err:
	if (done)
		unpin_user_pages(pages, done);
	kvfree(pages);
	return ret;
}

/*
 * vgen_memory_check_region() - validate a region against the limits and
 * the other slots of @slots.
 *
 * Return: 0; -EINVAL; -EEXIST overlap; -ENOENT deleting an empty slot.
 */
static int vgen_memory_check_region(const struct vgen_memslots *slots,
				    const struct vgen_memory_region *r)
{
	u64 end, oend;
	unsigned int i;

	if (r->slot >= VGEN_MAX_MEMORY_REGIONS)
		return -EINVAL;
	if (!r->size)
		return slots->slot[r->slot].npages ? 0 : -ENOENT;
	if (!PAGE_ALIGNED(r->guest_phys_addr) || !PAGE_ALIGNED(r->size) ||
	    !PAGE_ALIGNED(r->userspace_addr))
		return -EINVAL;
	if (r->size > VGEN_MAX_REGION_SIZE)
		return -EINVAL;
	if (check_add_overflow(r->guest_phys_addr, r->size, &end) ||
	    end > VGEN_GPA_LIMIT)
		return -EINVAL;
	if (r->userspace_addr + r->size < r->userspace_addr ||
	    r->userspace_addr + r->size > TASK_SIZE_MAX ||
	    !access_ok(u64_to_user_ptr(r->userspace_addr), r->size))
		return -EINVAL;

	for (i = 0; i < VGEN_MAX_MEMORY_REGIONS; i++) {
		const struct vgen_memslot *s = &slots->slot[i];

		if (i == r->slot || !s->npages)
			continue;
		oend = s->gpa + ((u64)s->npages << PAGE_SHIFT);
		if (r->guest_phys_addr < oend && s->gpa < end)
			return -EEXIST;
	}
	return 0;
}

/**
 * vgen_memory_set_region() - VGEN_SET_MEMORY_REGION: set, replace or
 *	delete one slot.
 * @part: the partition.
 * @region: the request (flags and reserved fields already checked).
 *
 * Pins the new region's pages (no lock held), publishes the new table and
 * releases the replaced region's pages after an SRCU grace period, so
 * this is safe against running VPs.
 *
 * Return: 0; -EINVAL bad slot, misaligned, wrapping, larger than
 * VGEN_MAX_REGION_SIZE or ending above 2^VGEN_GPA_BITS; -EEXIST overlaps
 * another slot; -ENOENT deleting an empty slot; -EFAULT the backing memory
 * cannot be pinned (with write access unless VGEN_MEM_READONLY); -ENOMEM;
 * -EINTR fatal signal while pinning.
 */
int vgen_memory_set_region(struct vgen_partition *part,
			   const struct vgen_memory_region *region)
{
	struct vgen_memslots *old, *new;
	struct vgen_memslot gone;
	struct page **pages = NULL;
	int ret;

	/* Check against the current table before pinning anything. */
	mutex_lock(&part->mem_lock);
	ret = vgen_memory_check_region(vgen_memory_slots_locked(part), region);
	mutex_unlock(&part->mem_lock);
	if (ret)
		return ret;

	if (region->size) {
		ret = vgen_memory_pin(region->userspace_addr,
				      region->size >> PAGE_SHIFT,
				      !(region->flags & VGEN_MEM_READONLY),
				      &pages);
		if (ret)
			return ret;
	}

	new = kmalloc(sizeof(*new), GFP_KERNEL_ACCOUNT);
	if (!new) {
		ret = -ENOMEM;
		goto err_unpin;
	}

	mutex_lock(&part->mem_lock);
	old = vgen_memory_slots_locked(part);
	/* Another thread may have changed the table while we pinned. */
	ret = vgen_memory_check_region(old, region);
	if (ret) {
		mutex_unlock(&part->mem_lock);
		kfree(new);
		goto err_unpin;
	}
	*new = *old;
	gone = old->slot[region->slot];
	new->slot[region->slot] = (struct vgen_memslot) {
		.gpa = region->guest_phys_addr,
		.npages = region->size >> PAGE_SHIFT,
		.flags = region->flags,
		.pages = pages,
	};
	rcu_assign_pointer(part->memslots, new);
	/* Pairs with smp_load_acquire() in vgen_vp_memory_enter(). */
	smp_store_release(&part->mem_generation, part->mem_generation + 1);
	synchronize_srcu(&part->srcu);
	mutex_unlock(&part->mem_lock);

	kfree(old);
	vgen_memory_unpin_slot(&gone);
	return 0;

err_unpin:
	if (pages) {
		unpin_user_pages(pages, region->size >> PAGE_SHIFT);
		kvfree(pages);
	}
	return ret;
}

/**
 * vgen_memory_gpa_to_hva() - the host address of a guest physical page.
 * @part: the partition.
 * @gpa: a guest physical address.
 * @write: the access is a write.
 *
 * The caller holds an SRCU read lock on @part->srcu; the result is valid
 * until it drops it (and, for the VP, until the next generation change).
 *
 * Return: the kernel address of the start of the page containing @gpa, or
 * NULL if @gpa is in no region (MMIO) or @write hits a read-only region.
 */
void *vgen_memory_gpa_to_hva(struct vgen_partition *part, u64 gpa, bool write)
{
	const struct vgen_memslots *slots;
	unsigned int i;

	slots = srcu_dereference(part->memslots, &part->srcu);
	if (!slots)
		return NULL;
	for (i = 0; i < VGEN_MAX_MEMORY_REGIONS; i++) {
		const struct vgen_memslot *s = &slots->slot[i];
		u64 pfn;

		if (!s->npages || gpa < s->gpa)
			continue;
		pfn = (gpa - s->gpa) >> PAGE_SHIFT;
		if (pfn >= s->npages)
			continue;
		if (write && (s->flags & VGEN_MEM_READONLY))
			return NULL;
		/* x86-64 has no highmem: every page has a kernel address. */
		return page_address(s->pages[pfn]);
	}
	return NULL;
}

/**
 * vgen_memory_access() - copy to or from guest RAM from kernel code.
 * @part: the partition.
 * @gpa: guest physical address.
 * @buf: kernel buffer.
 * @len: bytes.
 * @write: copy @buf to the guest (else from the guest into @buf).
 *
 * Takes the SRCU read lock itself. Writes to read-only regions fail.
 *
 * Return: 0, or -EFAULT if any byte is not in (writable) RAM; bytes
 * before the failing page have been copied.
 */
int vgen_memory_access(struct vgen_partition *part, u64 gpa, void *buf,
		       size_t len, bool write)
{
	int idx, ret = 0;

	idx = srcu_read_lock(&part->srcu);
	while (len) {
		size_t off = offset_in_page(gpa);
		size_t n = min_t(size_t, len, PAGE_SIZE - off);
		u8 *hva = vgen_memory_gpa_to_hva(part, gpa, write);

		if (!hva) {
			ret = -EFAULT;
			break;
		}
		if (write)
			memcpy(hva + off, buf, n);
		else
			memcpy(buf, hva + off, n);
		buf += n;
		gpa += n;
		len -= n;
	}
	srcu_read_unlock(&part->srcu, idx);
	return ret;
}
