// SPDX-License-Identifier: LGPL-2.1-or-later
/* libvgen: stop sources (OpenVMM's StopVpSource). */
#include "config.h"
#include <errno.h>
#include <stdlib.h>
#include "internal.h"

VGEN_EXPORT int vgen_stop_source_new(struct vgen_stop_source **out)
{
	struct vgen_stop_source *src;

	if (!out)
		return -EINVAL;
	src = calloc(1, sizeof(*src));
	if (!src)
		return -ENOMEM;
	if (pthread_mutex_init(&src->lock, NULL)) {
		free(src);
		return -ENOMEM;
	}
	*out = src;
	return 0;
}

VGEN_EXPORT int vgen_stop_source_free(struct vgen_stop_source *src)
{
	if (!src)
		return 0;
	pthread_mutex_destroy(&src->lock);
	free(src);
	return 0;
}

VGEN_EXPORT int vgen_stop_source_stop(struct vgen_stop_source *src)
{
	struct vgen_stop_waiter *w;

	if (!src)
		return -EINVAL;
	/* Flag first, then the waiters: see vgen_processor_run_until_stop(). */
	__atomic_store_n(&src->stopping, 1, __ATOMIC_SEQ_CST);
	pthread_mutex_lock(&src->lock);
	for (w = src->waiters; w; w = w->next) {
		/* Cannot fail for a bound VP; nothing to undo if it did. */
		(void)vgen_partition_request_yield(w->proc->binder->part,
						   w->proc->binder->index);
	}
	pthread_mutex_unlock(&src->lock);
	return 0;
}

VGEN_EXPORT int vgen_stop_source_is_stopping(struct vgen_stop_source *src)
{
	if (!src)
		return 0;
	return __atomic_load_n(&src->stopping, __ATOMIC_SEQ_CST) ? 1 : 0;
}
