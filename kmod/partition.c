// SPDX-License-Identifier: GPL-2.0
/*
 * The partition object, its fd and its ioctl dispatcher.
 */
#include <linux/anon_inodes.h>
#include <linux/compat.h>
#include <linux/fcntl.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/sched.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "vgen.h"

/**
 * vgen_partition_check_caller() - may the caller use the partition?
 * @part: the partition.
 *
 * Return: true if current runs in the mm that created @part and the
 * partition is not dead.
 */
bool vgen_partition_check_caller(const struct vgen_partition *part)
{
	return current->mm == part->mm && !READ_ONCE(part->dead);
}

/**
 * vgen_partition_kill() - mark a partition dead after an internal error:
 *	every later ioctl on it or its VPs fails with -EIO.
 * @part: the partition.
 */
void vgen_partition_kill(struct vgen_partition *part)
{
	WRITE_ONCE(part->dead, true);
}

/**
 * vgen_partition_get() - take a reference on a partition.
 * @part: the partition; the caller already holds a reference.
 */
void vgen_partition_get(struct vgen_partition *part)
{
	kref_get(&part->refs);
}

/*
 * vgen_partition_destroy() - tear down everything a partition owns, in the
 * reverse order of creation. Idempotent: every step checks whether its
 * resource exists, and @destroyed makes a second call a no-op.
 */
static void vgen_partition_destroy(struct vgen_partition *part)
{
	u32 i;

	if (part->destroyed)
		return;
	part->destroyed = true;

	/* Before the VPs and the irqchip that irqfd callbacks deliver to. */
	vgen_irqfd_destroy(part);
	if (part->vps) {
		for (i = 0; i < part->vp_count; i++) {
			if (part->vps[i])
				vgen_vp_destroy(part->vps[i]);
			part->vps[i] = NULL;
		}
	}
	vgen_irq_destroy(part);
	vgen_ioeventfd_destroy(part);
	vgen_memory_destroy(part);
	vgen_cpuid_destroy(part);
	kvfree(part->vps);
	part->vps = NULL;
	kfree(part->apic_ids);
	part->apic_ids = NULL;
	if (part->mm)
		mmdrop(part->mm);
	part->mm = NULL;
}

static void vgen_partition_release_ref(struct kref *kref)
{
	struct vgen_partition *part =
		container_of(kref, struct vgen_partition, refs);

	/* Out of the registry (no new lookups) before anything goes. */
	vgen_registry_remove(part);
	vgen_partition_destroy(part);
	kfree(part);
}

/**
 * vgen_partition_put() - drop a reference on a partition.
 * @part: the partition.
 *
 * The last reference tears the partition down (may sleep).
 */
void vgen_partition_put(struct vgen_partition *part)
{
	kref_put(&part->refs, vgen_partition_release_ref);
}

/*
 * vgen_partition_finalize() - VGEN_FINALIZE.
 *
 * Return: 0; -EINVAL non-zero argument; -EBUSY already finalized.
 */
static int vgen_partition_finalize(struct vgen_partition *part,
				   unsigned long arg)
{
	int ret = 0;

	if (arg)
		return -EINVAL;
	mutex_lock(&part->state_lock);
	if (part->finalized)
		ret = -EBUSY;
	else
		part->finalized = true;
	mutex_unlock(&part->state_lock);
	return ret;
}

/*
 * vgen_partition_ioctl_set_memory_region() - copy in and check the fixed
 * fields of struct vgen_memory_region; memory.c checks the rest.
 */
static int vgen_partition_ioctl_set_memory_region(struct vgen_partition *part,
						  void __user *argp)
{
	struct vgen_memory_region region;

	if (copy_from_user(&region, argp, sizeof(region)))
		return -EFAULT;
	if (region.flags & ~VGEN_MEM_VALID_FLAGS)
		return -EINVAL;
	if (!vgen_zeroed(region.reserved))
		return -EINVAL;
	return vgen_memory_set_region(part, &region);
}

/*
 * vgen_partition_ioctl_create_vp() - copy in and check struct
 * vgen_create_vp; vp.c creates the VP.
 */
static int vgen_partition_ioctl_create_vp(struct vgen_partition *part,
					  void __user *argp)
{
	struct vgen_create_vp args;

	if (copy_from_user(&args, argp, sizeof(args)))
		return -EFAULT;
	if (args.flags)
		return -EINVAL;
	if (!vgen_zeroed(args.reserved))
		return -EINVAL;
	return vgen_vp_create(part, &args);
}

/*
 * vgen_partition_ioctl_request_yield() - copy in and check struct
 * vgen_yield; vp.c records the request.
 */
static int vgen_partition_ioctl_request_yield(struct vgen_partition *part,
					      void __user *argp)
{
	struct vgen_yield args;

	if (copy_from_user(&args, argp, sizeof(args)))
		return -EFAULT;
	if (args.flags)
		return -EINVAL;
	if (!vgen_zeroed(args.reserved))
		return -EINVAL;
	return vgen_vp_request_yield(part, &args);
}

/*
 * vgen_partition_check_cap() - VGEN_CHECK_CAP on a partition fd: the
 * module's capabilities, except that a partition without an in-kernel
 * APIC has no interrupt capabilities.
 */
static long vgen_partition_check_cap(struct vgen_partition *part,
				     unsigned long cap)
{
	if (!part->irqchip &&
	    (cap == VGEN_CAP_IRQCHIP || cap == VGEN_CAP_IOAPIC_PINS ||
	     cap == VGEN_CAP_IRQFD))
		return 0;
	return vgen_check_cap(cap);
}

/**
 * vgen_partition_ioctl() - ioctls of a partition fd.
 * @file: the partition file.
 * @cmd: ioctl number.
 * @arg: ioctl argument.
 *
 * Every ioctl fails with -EIO when called from a process other than the
 * creator (a different mm) or when the partition is dead, and with
 * -EFAULT when its argument cannot be copied. Otherwise:
 *
 * VGEN_CHECK_CAP: the capability's value (0 if unknown) for this
 * partition: the interrupt capabilities are 0 in a user-mode-APIC
 * partition.
 *
 * VGEN_SET_MEMORY_REGION: 0; -EINVAL unknown flags, non-zero reserved
 * fields, bad slot, misaligned, wrapping, too large or beyond the physical
 * address width; -EEXIST overlap with another slot; -ENOENT deleting an
 * empty slot; -EFAULT backing memory cannot be pinned; -ENOMEM.
 *
 * VGEN_GET_CPUID: 0; -EINVAL flags/reserved; -E2BIG capacity too small
 * (nent updated). VGEN_SET_CPUID: 0; -EINVAL flags/reserved/too many
 * entries; -EBUSY finalized; -E2BIG table full; -ENOMEM.
 *
 * VGEN_FINALIZE: 0; -EINVAL non-zero argument; -EBUSY already finalized.
 *
 * VGEN_CREATE_VP: a VP fd; -EINVAL flags/reserved/index out of range;
 * -EBUSY not finalized; -EEXIST VP already created; -ENOMEM; -EMFILE.
 *
 * VGEN_REQUEST_YIELD: 0; -EINVAL flags/reserved/index out of range;
 * -ENOENT VP not created.
 *
 * VGEN_SIGNAL_MSI, VGEN_SET_IRQ_ROUTE, VGEN_ASSERT_IRQ, VGEN_PULSE_LINT:
 * see vgen_irq_ioctl(). VGEN_RESET_PARTITION: see vgen_partition_reset().
 * VGEN_IRQFD: see vgen_irqfd_ioctl(). VGEN_IOEVENTFD: see
 * vgen_ioeventfd_ioctl().
 *
 * Return: as above; -ENOTTY for an unknown ioctl.
 */
static long vgen_partition_ioctl(struct file *file, unsigned int cmd,
				 unsigned long arg)
{
	struct vgen_partition *part = file->private_data;
	void __user *argp = (void __user *)arg;

	if (!vgen_partition_check_caller(part))
		return -EIO;

	switch (cmd) {
	case VGEN_CHECK_CAP:
		return vgen_partition_check_cap(part, arg);
	case VGEN_SET_MEMORY_REGION:
		return vgen_partition_ioctl_set_memory_region(part, argp);
	case VGEN_GET_CPUID:
		return vgen_cpuid_get(part, argp);
	case VGEN_SET_CPUID:
		return vgen_cpuid_set(part, argp);
	case VGEN_FINALIZE:
		return vgen_partition_finalize(part, arg);
	case VGEN_CREATE_VP:
		return vgen_partition_ioctl_create_vp(part, argp);
	case VGEN_REQUEST_YIELD:
		return vgen_partition_ioctl_request_yield(part, argp);
	case VGEN_SIGNAL_MSI:
	case VGEN_SET_IRQ_ROUTE:
	case VGEN_ASSERT_IRQ:
	case VGEN_PULSE_LINT:
		return vgen_irq_ioctl(part, cmd, argp);
	case VGEN_RESET_PARTITION:
		return vgen_partition_reset(part, argp);
	case VGEN_IRQFD:
		return vgen_irqfd_ioctl(part, argp);
	case VGEN_IOEVENTFD:
		return vgen_ioeventfd_ioctl(part, argp);
	default:
		return -ENOTTY;
	}
}

static int vgen_partition_release(struct inode *inode, struct file *file)
{
	vgen_partition_put(file->private_data);
	return 0;
}

static const struct file_operations vgen_partition_fops = {
	.owner		= THIS_MODULE,
	.release	= vgen_partition_release,
	.unlocked_ioctl	= vgen_partition_ioctl,
	.compat_ioctl	= compat_ptr_ioctl,
	.llseek		= noop_llseek,
};

/*
 * vgen_partition_check_config() - validate a configuration, except the
 * APIC IDs (see vgen_partition_read_apic_ids()).
 */
static int vgen_partition_check_config(const struct vgen_partition_config *cfg)
{
	if (cfg->flags & ~VGEN_PARTITION_VALID_FLAGS)
		return -EINVAL;
	if (!vgen_zeroed(cfg->reserved))
		return -EINVAL;
	if (cfg->vp_count < 1 || cfg->vp_count > VGEN_MAX_VPS)
		return -EINVAL;
	switch (cfg->backend) {
	case VGEN_BACKEND_AUTO:
	case VGEN_BACKEND_SOFTWARE:
		break;
	default:
		return -EINVAL;
	}
	switch (cfg->isolation) {
	case VGEN_ISOLATION_NONE:
		break;
	case VGEN_ISOLATION_VBS:
	case VGEN_ISOLATION_SNP:
	case VGEN_ISOLATION_TDX:
		return -EOPNOTSUPP;
	default:
		return -EINVAL;
	}
	return 0;
}

/*
 * vgen_partition_read_apic_ids() - the APIC ID of every VP: copied from
 * the user array (unique, never 0xffffffff) or the VP index.
 *
 * Return: a kmalloc'd array of cfg->vp_count IDs or an ERR_PTR: -EFAULT,
 * -EINVAL, -ENOMEM.
 */
static u32 *
vgen_partition_read_apic_ids(const struct vgen_partition_config *cfg)
{
	size_t bytes = array_size(cfg->vp_count, sizeof(u32));
	u32 *ids;
	u32 i, j;

	ids = kmalloc(bytes, GFP_KERNEL_ACCOUNT);
	if (!ids)
		return ERR_PTR(-ENOMEM);
	if (!cfg->apic_ids) {
		for (i = 0; i < cfg->vp_count; i++)
			ids[i] = i;
		return ids;
	}
	if (copy_from_user(ids, u64_to_user_ptr(cfg->apic_ids), bytes)) {
		kfree(ids);
		return ERR_PTR(-EFAULT);
	}
	/* At most VGEN_MAX_VPS^2 / 2 comparisons. */
	for (i = 0; i < cfg->vp_count; i++) {
		if (ids[i] == U32_MAX)
			goto invalid;
		for (j = 0; j < i; j++)
			if (ids[i] == ids[j])
				goto invalid;
	}
	return ids;

invalid:
	kfree(ids);
	return ERR_PTR(-EINVAL);
}

/**
 * vgen_partition_create() - VGEN_CREATE_PARTITION: create a
 *	proto-partition and its fd.
 * @cfg: the configuration, already copied from userspace.
 *
 * Everything is validated before the partition is allocated; the fd is
 * installed last, after every other step succeeded.
 *
 * Return: the new partition fd (O_CLOEXEC); -EINVAL unknown flags,
 * non-zero reserved fields, VP count out of range, unknown backend or
 * isolation type, duplicate or 0xffffffff APIC ID; -EOPNOTSUPP isolation
 * type not implemented; -EFAULT APIC ID array unreadable; -ENOMEM;
 * -EMFILE/-ENFILE out of file descriptors.
 */
int vgen_partition_create(const struct vgen_partition_config *cfg)
{
	struct vgen_partition *part;
	struct file *file;
	u32 *apic_ids;
	int fd, ret;

	ret = vgen_partition_check_config(cfg);
	if (ret)
		return ret;
	apic_ids = vgen_partition_read_apic_ids(cfg);
	if (IS_ERR(apic_ids))
		return PTR_ERR(apic_ids);

	part = kzalloc(sizeof(*part), GFP_KERNEL_ACCOUNT);
	if (!part) {
		kfree(apic_ids);
		return -ENOMEM;
	}
	kref_init(&part->refs);
	init_rwsem(&part->run_gate);
	mutex_init(&part->state_lock);
	mutex_init(&part->mem_lock);
	part->vp_count = cfg->vp_count;
	part->apic_ids = apic_ids;
	part->config_flags = cfg->flags;
	part->mm = current->mm;
	mmgrab(part->mm);

	ret = -ENOMEM;
	part->vps = kvcalloc(part->vp_count, sizeof(*part->vps),
			     GFP_KERNEL_ACCOUNT);
	if (!part->vps)
		goto err_put;
	ret = vgen_cpuid_init(part);
	if (ret)
		goto err_put;
	ret = vgen_memory_init(part);
	if (ret)
		goto err_put;
	if (!(cfg->flags & VGEN_PARTITION_USER_MODE_APIC)) {
		ret = vgen_irq_init(part);
		if (ret)
			goto err_put;
		ret = vgen_irqfd_init(part);
		if (ret)
			goto err_put;
	}
	ret = vgen_ioeventfd_init(part);
	if (ret)
		goto err_put;
	ret = vgen_registry_add(part, cfg);
	if (ret)
		goto err_put;

	fd = get_unused_fd_flags(O_CLOEXEC);
	if (fd < 0) {
		ret = fd;
		goto err_put;
	}
	file = anon_inode_getfile("vgen-partition", &vgen_partition_fops,
				  part, O_RDWR);
	if (IS_ERR(file)) {
		ret = PTR_ERR(file);
		goto err_fd;
	}
	/* The file now owns the initial reference. */
	fd_install(fd, file);
	return fd;

err_fd:
	put_unused_fd(fd);
err_put:
	/* Teardown copes with partially initialised partitions. */
	vgen_partition_put(part);
	return ret;
}
