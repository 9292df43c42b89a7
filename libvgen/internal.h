/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libvgen internal definitions (not installed). */
#ifndef LIBVGEN_INTERNAL_H
#define LIBVGEN_INTERNAL_H

#include <pthread.h>
#include <stdbool.h>
#include "vgen.h"

#define VGEN_DEVICE_PATH "/dev/vgen"

struct vgen_hypervisor {
	int fd;
};

struct vgen_range {
	bool used;
	uint64_t gpa, size;
	void *host_va;
	uint32_t flags;
};

struct vgen_proto {
	int fd;
	long run_size;
	uint32_t vp_count;
	struct vgen_range ranges[VGEN_MAX_MEMORY_REGIONS];
};

struct vgen_processor {
	struct vgen_binder *binder;
	int fd;
	struct vgen_run *run;
	size_t run_size;
	pthread_t thread;
	/* The last exit was an IN or MMIO read that the next run completes. */
	bool pending_read;
};

/* A processor inside vgen_processor_run_until_stop() with a stop source. */
struct vgen_stop_waiter {
	struct vgen_processor *proc;
	struct vgen_stop_waiter *next;
};

struct vgen_stop_source {
	/* Set once by vgen_stop_source_stop() (atomic, release/acquire). */
	int stopping;
	/* Protects @waiters. */
	pthread_mutex_t lock;
	struct vgen_stop_waiter *waiters;
};

struct vgen_binder {
	struct vgen_partition *part;
	uint32_t index;
	struct vgen_processor *proc;
};

struct vgen_partition {
	int fd;
	long run_size;
	uint32_t vp_count;
	struct vgen_binder *binders;
	struct vgen_range ranges[VGEN_MAX_MEMORY_REGIONS];
};

/* Issue an ioctl; returns its non-negative result or -errno. */
long vgen_sys_ioctl(int fd, unsigned long req, unsigned long arg);

/* Region slot helpers shared by proto.c and partition.c. */
int vgen_ranges_add(int fd, struct vgen_range *ranges, uint64_t gpa,
		    uint64_t size, void *host_va, uint32_t flags);

int vgen_ranges_remove(int fd, struct vgen_range *ranges, uint64_t gpa,
		       uint64_t size);

#endif
