// SPDX-License-Identifier: GPL-2.0
/*
 * Kernel implementation of the svp environment helpers that
 * are not inline (see svp_env.h). Not built into the userspace tests.
 */
#include "svp_env.h"

/* Serialises page-crossing LOCKed guest accesses of all software VPs. */
static DEFINE_SPINLOCK(svp_env_cross_lock);

/**
 * svp_env_global_lock() - take the cross-page atomic access lock.
 */
void svp_env_global_lock(void)
{
	spin_lock(&svp_env_cross_lock);
}

/**
 * svp_env_global_unlock() - release the cross-page atomic access lock.
 */
void svp_env_global_unlock(void)
{
	spin_unlock(&svp_env_cross_lock);
}
