// SPDX-License-Identifier: GPL-2.0
/*
 * Module init/exit and the /dev/vgen system device.
 */
#include <linux/build_bug.h>
#include <linux/compat.h>
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/stddef.h>
#include <linux/uaccess.h>

#include "vgen.h"

/**
 * vgen_check_cap() - the value of a capability (VGEN_CHECK_CAP).
 * @cap: VGEN_CAP_*.
 *
 * Return: the capability's value, 0 for an unknown capability.
 */
long vgen_check_cap(unsigned long cap)
{
	switch (cap) {
	case VGEN_CAP_SOFTWARE_VP:
		return 1;
	case VGEN_CAP_MAX_VPS:
		return VGEN_MAX_VPS;
	case VGEN_CAP_MEMORY_REGIONS:
		return VGEN_MAX_MEMORY_REGIONS;
	case VGEN_CAP_READONLY_MEM:
		return 1;
	case VGEN_CAP_CPUID_ENTRIES:
		return VGEN_MAX_CPUID_ENTRIES;
	case VGEN_CAP_IMMEDIATE_EXIT:
	case VGEN_CAP_YIELD:
		return 1;
	case VGEN_CAP_MSRS:
		return VGEN_MAX_MSR_ENTRIES;
	case VGEN_CAP_IRQCHIP:
		return 1;
	case VGEN_CAP_IOAPIC_PINS:
		return VGEN_IOAPIC_PINS;
	case VGEN_CAP_RESET:
	case VGEN_CAP_VP_EVENTS:
	case VGEN_CAP_IRQFD:
	case VGEN_CAP_IOEVENTFD:
	case VGEN_CAP_MTRR:
	case VGEN_CAP_GUEST_DEBUG:
		return 1;
	default:
		return 0;
	}
}

/**
 * vgen_dev_ioctl() - ioctls of /dev/vgen.
 * @file: the /dev/vgen file.
 * @cmd: ioctl number.
 * @arg: ioctl argument.
 *
 * VGEN_CHECK_CAP returns the capability's value (see vgen_check_cap()).
 * VGEN_GET_RUN_SIZE returns the size of the run page.
 * VGEN_CREATE_PARTITION returns a new partition fd, see
 * vgen_partition_create() for its errors, plus -EFAULT if the
 * configuration cannot be read.
 *
 * Return: as above; -ENOTTY for an unknown ioctl.
 */
static long vgen_dev_ioctl(struct file *file, unsigned int cmd,
			   unsigned long arg)
{
	struct vgen_partition_config cfg;

	switch (cmd) {
	case VGEN_CHECK_CAP:
		return vgen_check_cap(arg);
	case VGEN_GET_RUN_SIZE:
		return PAGE_SIZE;
	case VGEN_CREATE_PARTITION:
		if (copy_from_user(&cfg, (void __user *)arg, sizeof(cfg)))
			return -EFAULT;
		return vgen_partition_create(&cfg);
	default:
		return -ENOTTY;
	}
}

static const struct file_operations vgen_dev_fops = {
	.owner		= THIS_MODULE,
	.unlocked_ioctl	= vgen_dev_ioctl,
	.compat_ioctl	= compat_ptr_ioctl,
	.llseek		= noop_llseek,
};

static struct miscdevice vgen_dev = {
	.minor	= MISC_DYNAMIC_MINOR,
	.name	= "vgen",
	.fops	= &vgen_dev_fops,
	.mode	= 0600,
};

/*
 * The uapi layouts are ABI: the same on every architecture and compiler,
 * with explicit padding only. A size change here is an ABI break.
 */
static void __init vgen_check_abi_layout(void)
{
	BUILD_BUG_ON(sizeof(struct vgen_partition_config) != 56);
	BUILD_BUG_ON(sizeof(struct vgen_memory_region) != 48);
	BUILD_BUG_ON(sizeof(struct vgen_cpuid_entry) != 64);
	BUILD_BUG_ON(sizeof(struct vgen_cpuid) != 16);
	BUILD_BUG_ON(sizeof(struct vgen_create_vp) != 32);
	BUILD_BUG_ON(sizeof(struct vgen_yield) != 32);
	BUILD_BUG_ON(sizeof(struct vgen_segment) != 16);
	BUILD_BUG_ON(sizeof(struct vgen_table) != 16);
	BUILD_BUG_ON(sizeof(struct vgen_regs) != 184);
	BUILD_BUG_ON(sizeof(struct vgen_sregs) != 288);
	BUILD_BUG_ON(sizeof(struct vgen_run) != 288);
	BUILD_BUG_ON(offsetof(struct vgen_run, io) != 32);
	BUILD_BUG_ON(sizeof(struct vgen_msi) != 48);
	BUILD_BUG_ON(sizeof(struct vgen_irq_route) != 48);
	BUILD_BUG_ON(sizeof(struct vgen_irq) != 32);
	BUILD_BUG_ON(sizeof(struct vgen_lint) != 32);
	BUILD_BUG_ON(sizeof(struct vgen_lapic_state) != 1088);
	BUILD_BUG_ON(sizeof(struct vgen_reset) != 32);
	BUILD_BUG_ON(sizeof(struct vgen_irqfd) != 48);
	BUILD_BUG_ON(sizeof(struct vgen_ioeventfd) != 48);
	BUILD_BUG_ON(sizeof(struct vgen_vp_events) != 64);
	BUILD_BUG_ON(sizeof(struct vgen_guest_debug) != 80);
	BUILD_BUG_ON(offsetof(struct vgen_guest_debug, control) != 40);
	BUILD_BUG_ON(sizeof(struct vgen_debugregs) != 96);
	BUILD_BUG_ON(offsetof(struct vgen_debugregs, flags) != 48);
	BUILD_BUG_ON(offsetof(struct vgen_run, debug.breakpoint) != 52);
	BUILD_BUG_ON(sizeof(struct vgen_run) > PAGE_SIZE);
}

static int __init vgen_init(void)
{
	int ret;

	vgen_check_abi_layout();

	ret = vgen_irqfd_module_init();
	if (ret)
		return ret;
	/* Introspection first: partitions announce themselves to it. */
	ret = vgen_netlink_init();
	if (ret) {
		pr_err("vgen: cannot register the generic netlink family: %d\n",
		       ret);
		goto err_irqfd;
	}
	ret = misc_register(&vgen_dev);
	if (ret) {
		pr_err("vgen: cannot register /dev/vgen: %d\n", ret);
		goto err_netlink;
	}
	return 0;

err_netlink:
	vgen_netlink_exit();
err_irqfd:
	vgen_irqfd_module_exit();
	return ret;
}

static void __exit vgen_exit(void)
{
	misc_deregister(&vgen_dev);
	vgen_netlink_exit();
	vgen_irqfd_module_exit();
}

module_init(vgen_init);
module_exit(vgen_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("vgen: generic partition API with a software x86-64 VP");
MODULE_AUTHOR("vgen developers");
