// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * vgenctl - inspect live vgen partitions (generic netlink, libvgen's
 * vgen_inspect_* API).
 *
 *   vgenctl show [--json] [PARTITION [VP]]
 *   vgenctl monitor [--json] [--count N]
 */
#include "config.h"
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "vgen.h"

static bool json;

static void usage(FILE *f)
{
	fprintf(f,
		"usage: vgenctl show [--json] [PARTITION [VP]]\n"
		"       vgenctl monitor [--json] [--count N]\n"
		"\n"
		"  show     the partitions visible to the caller (all of them\n"
		"           with CAP_SYS_ADMIN, else only the caller's own) with\n"
		"           their memory regions, IOAPIC routes and VPs, as a\n"
		"           tree or as JSON; one VP comes with its registers\n"
		"  monitor  print partition and VP events as they happen (needs\n"
		"           CAP_SYS_ADMIN); --count N: exit after N events\n");
}

/* Report an error of the library in words; returns the exit status 1. */
static int fail(struct vgen_inspect *ins, int err, const char *what)
{
	const char *msg = ins ? vgen_inspect_error_message(ins) : "";

	switch (err) {
	case -ENOENT:
		if (!strcmp(what, "open")) {
			fprintf(stderr, "vgenctl: the vgen module is not loaded "
				"(no generic netlink family \"%s\")\n",
				VGEN_GENL_NAME);
			return 1;
		}
		break;
	case -EPERM:
	case -EACCES:
		fprintf(stderr, "vgenctl: %s: permission denied%s\n", what,
			strcmp(what, "monitor") ? "" :
			" (watching events needs CAP_SYS_ADMIN)");
		return 1;
	case -EAFNOSUPPORT:
	case -EPROTONOSUPPORT:
		fprintf(stderr, "vgenctl: the kernel has no generic netlink\n");
		return 1;
	default:
		break;
	}
	fprintf(stderr, "vgenctl: %s: %s%s%s\n", what, strerror(-err),
		*msg ? ": " : "", msg);
	return 1;
}

static const char *exit_name(uint64_t reason)
{
	static const char *const names[] = {
		[VGEN_EXIT_UNKNOWN] = "none", [VGEN_EXIT_IO] = "io",
		[VGEN_EXIT_MMIO] = "mmio", [VGEN_EXIT_HLT] = "hlt",
		[VGEN_EXIT_SHUTDOWN] = "shutdown", [VGEN_EXIT_INTR] = "intr",
		[VGEN_EXIT_INTERNAL_ERROR] = "internal-error",
		[VGEN_EXIT_YIELD] = "yield",
	};

	if (reason < sizeof(names) / sizeof(names[0]) && names[reason])
		return names[reason];
	return "other";
}

static const char *vp_state_name(uint64_t state)
{
	switch (state) {
	case VGEN_VP_STATE_STOPPED:	return "stopped";
	case VGEN_VP_STATE_RUNNING:	return "running";
	case VGEN_VP_STATE_HALTED:	return "halted";
	case VGEN_VP_STATE_WAIT_FOR_SIPI: return "waiting-for-sipi";
	default:			return "unknown";
	}
}

static const char *backend_name(uint64_t b)
{
	return b == VGEN_BACKEND_SOFTWARE ? "software" :
	       b == VGEN_BACKEND_AUTO ? "auto" : "unknown";
}

static const char *isolation_name(uint64_t i)
{
	switch (i) {
	case VGEN_ISOLATION_NONE:	return "none";
	case VGEN_ISOLATION_VBS:	return "vbs";
	case VGEN_ISOLATION_SNP:	return "snp";
	case VGEN_ISOLATION_TDX:	return "tdx";
	default:			return "unknown";
	}
}

static const char *event_name(uint32_t type)
{
	switch (type) {
	case VGEN_EVENT_PARTITION_CREATED:	return "partition-created";
	case VGEN_EVENT_PARTITION_DESTROYED:	return "partition-destroyed";
	case VGEN_EVENT_VP_HALTED:		return "vp-halted";
	default:				return "unknown";
	}
}

/* An attribute or 0 when an older kernel did not report it. */
static uint64_t pattr(const struct vgen_inspect_partition *p, unsigned int a)
{
	uint64_t v = 0;

	vgen_inspect_partition_attr(p, a, &v);
	return v;
}

static uint64_t vattr(const struct vgen_inspect_vp *vp, unsigned int a)
{
	uint64_t v = 0;

	vgen_inspect_vp_attr(vp, a, &v);
	return v;
}

static void format_time(uint64_t ns, char *buf, size_t len)
{
	time_t t = ns / 1000000000;
	struct tm tm;

	if (!gmtime_r(&t, &tm) ||
	    !strftime(buf, len, "%Y-%m-%d %H:%M:%S", &tm))
		snprintf(buf, len, "?");
	snprintf(buf + strlen(buf), len - strlen(buf), ".%03u UTC",
		 (unsigned int)(ns / 1000000 % 1000));
}

static void format_size(uint64_t size, char *buf, size_t len)
{
	if (size && !(size & ((1ULL << 30) - 1)))
		snprintf(buf, len, "%" PRIu64 " GiB", size >> 30);
	else if (size && !(size & ((1ULL << 20) - 1)))
		snprintf(buf, len, "%" PRIu64 " MiB", size >> 20);
	else
		snprintf(buf, len, "%" PRIu64 " KiB", size >> 10);
}

/* ---------------------------------------------------------------- show */

static const char *activity_name(uint64_t a)
{
	switch (a) {
	case VGEN_ACTIVITY_RUNNING:	return "running";
	case VGEN_ACTIVITY_HALTED:	return "halted";
	case VGEN_ACTIVITY_WAIT_SIPI:	return "waiting-for-sipi";
	default:			return "unknown";
	}
}

/* The vectors set in a VGEN_GENL_VECTOR_BITMAP, as a list. */
static void print_vectors(const uint8_t *map)
{
	bool any = false;
	unsigned int v;

	for (v = 0; v < 256; v++) {
		if (!(map[v / 8] & (1U << (v % 8))))
			continue;
		printf(json ? "%s%u" : "%s0x%02x", any ? (json ? ", " : " ") :
		       "", v);
		any = true;
	}
	if (!any && !json)
		printf("none");
}

/* What print_vp() needs besides the VP. */
struct vp_print {
	bool first;
	struct vgen_inspect *ins;	/* non-NULL: add a register snapshot */
	uint32_t partition_id;
};

static const char *const gpr_names[16] = {
	"rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi",
	"r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15",
};

/* A register snapshot of the VP (vgenctl show PARTITION VP). */
static void print_regs(struct vp_print *pr, uint32_t index)
{
	struct vgen_inspect_regs *r;
	struct vgen_lapic_state lapic;
	struct vgen_sregs sregs;
	struct vgen_regs regs;
	uint32_t tpr;
	int i, ret;

	ret = vgen_inspect_get_vp_regs(pr->ins, pr->partition_id, index, &r);
	if (ret) {
		if (json)
			printf(", \"regs\": null");
		else
			printf("    registers: not available (%s)\n",
			       strerror(-ret));
		return;
	}
	vgen_inspect_regs_get(r, &regs, &sregs);
	if (json) {
		printf(",\n\t\t \"regs\": {\"rip\": %" PRIu64
		       ", \"rflags\": %" PRIu64, (uint64_t)regs.rip,
		       (uint64_t)regs.rflags);
		for (i = 0; i < 16; i++)
			printf(", \"%s\": %" PRIu64, gpr_names[i],
			       (uint64_t)regs.gpr[i]);
		printf(", \"cr0\": %" PRIu64 ", \"cr3\": %" PRIu64
		       ", \"cr4\": %" PRIu64 ", \"efer\": %" PRIu64
		       ", \"cs\": %u", (uint64_t)sregs.cr0,
		       (uint64_t)sregs.cr3, (uint64_t)sregs.cr4,
		       (uint64_t)sregs.efer, sregs.cs.selector);
		if (!vgen_inspect_regs_lapic(r, &lapic)) {
			memcpy(&tpr, &lapic.regs[0x80], sizeof(tpr));
			printf(", \"apic_base\": %" PRIu64 ", \"apic_tpr\": %u",
			       (uint64_t)lapic.apic_base, tpr);
		}
		printf("}");
	} else {
		printf("    rip %016" PRIx64 "  rflags %016" PRIx64 "\n",
		       (uint64_t)regs.rip, (uint64_t)regs.rflags);
		for (i = 0; i < 16; i++)
			printf("%s%-3s %016" PRIx64 "%s", i % 4 ? "  " : "    ",
			       gpr_names[i], (uint64_t)regs.gpr[i],
			       i % 4 == 3 ? "\n" : "");
		printf("    cr0 %" PRIx64 ", cr3 %" PRIx64 ", cr4 %" PRIx64
		       ", efer %" PRIx64 ", cs %04x\n", (uint64_t)sregs.cr0,
		       (uint64_t)sregs.cr3, (uint64_t)sregs.cr4,
		       (uint64_t)sregs.efer, sregs.cs.selector);
		if (!vgen_inspect_regs_lapic(r, &lapic)) {
			memcpy(&tpr, &lapic.regs[0x80], sizeof(tpr));
			printf("    apic base %" PRIx64 ", tpr 0x%x\n",
			       (uint64_t)lapic.apic_base, tpr);
		}
	}
	vgen_inspect_regs_free(r);
}

static int print_vp(const struct vgen_inspect_vp *vp, void *arg)
{
	uint8_t irr[VGEN_GENL_VECTOR_BITMAP], isr[VGEN_GENL_VECTOR_BITMAP];
	struct vp_print *pr = arg;
	bool vectors = !vgen_inspect_vp_vectors(vp, irr, isr);
	uint64_t n;
	uint32_t r;
	bool any = false;

	if (json) {
		printf("%s\n\t\t{\"index\": %" PRIu64 ", \"apic_id\": %" PRIu64
		       ", \"state\": \"%s\", \"activity\": \"%s\""
		       ", \"runs\": %" PRIu64
		       ", \"insns_retired\": %" PRIu64 ", \"run_ns\": %" PRIu64
		       ", \"guest_ns\": %" PRIu64 ", \"kernel_ns\": %" PRIu64
		       ", \"user_ns\": %" PRIu64
		       ", \"last_exit\": \"%s\", \"last_halt\": \"%s\""
		       ", \"halts\": %" PRIu64 ", \"host_tid\": %" PRIu64
		       ", \"run_tid\": %" PRIu64,
		       pr->first ? "" : ",", vattr(vp, VGEN_A_VP_INDEX),
		       vattr(vp, VGEN_A_VP_APIC_ID),
		       vp_state_name(vattr(vp, VGEN_A_VP_STATE)),
		       activity_name(vattr(vp, VGEN_A_VP_ACTIVITY)),
		       vattr(vp, VGEN_A_VP_RUNS),
		       vattr(vp, VGEN_A_VP_INSNS_RETIRED),
		       vattr(vp, VGEN_A_VP_RUN_NS),
		       vattr(vp, VGEN_A_VP_GUEST_NS),
		       vattr(vp, VGEN_A_VP_KERNEL_NS),
		       vattr(vp, VGEN_A_VP_USER_NS),
		       exit_name(vattr(vp, VGEN_A_VP_LAST_EXIT)),
		       exit_name(vattr(vp, VGEN_A_VP_LAST_HALT)),
		       vattr(vp, VGEN_A_VP_HALTS),
		       vattr(vp, VGEN_A_VP_HOST_TID),
		       vattr(vp, VGEN_A_VP_RUN_TID));
		if (vectors) {
			printf(", \"tpr\": %" PRIu64 ", \"ppr\": %" PRIu64
			       ", \"irr\": [", vattr(vp, VGEN_A_VP_TPR),
			       vattr(vp, VGEN_A_VP_PPR));
			print_vectors(irr);
			printf("], \"isr\": [");
			print_vectors(isr);
			printf("]");
		}
		printf(", \"exits\": {");
		for (r = 0; r < 64; r++) {
			if (vgen_inspect_vp_exits(vp, r, &n) || !n)
				continue;
			printf("%s\"%s\": %" PRIu64, any ? ", " : "",
			       exit_name(r), n);
			any = true;
		}
		printf("}");
		if (pr->ins)
			print_regs(pr, vattr(vp, VGEN_A_VP_INDEX));
		printf("}");
		pr->first = false;
		return 0;
	}
	printf("  vp %" PRIu64 ": apic id %" PRIu64 ", %s (%s), last exit %s"
	       ", last halt %s\n",
	       vattr(vp, VGEN_A_VP_INDEX), vattr(vp, VGEN_A_VP_APIC_ID),
	       vp_state_name(vattr(vp, VGEN_A_VP_STATE)),
	       activity_name(vattr(vp, VGEN_A_VP_ACTIVITY)),
	       exit_name(vattr(vp, VGEN_A_VP_LAST_EXIT)),
	       exit_name(vattr(vp, VGEN_A_VP_LAST_HALT)));
	printf("    runs %" PRIu64 ", instructions %" PRIu64 ", halts %" PRIu64
	       ", thread %" PRIu64 "%s\n",
	       vattr(vp, VGEN_A_VP_RUNS), vattr(vp, VGEN_A_VP_INSNS_RETIRED),
	       vattr(vp, VGEN_A_VP_HALTS), vattr(vp, VGEN_A_VP_HOST_TID),
	       vattr(vp, VGEN_A_VP_RUN_TID) ? " (in VGEN_RUN)" : "");
	printf("    time: in VGEN_RUN %.3f ms (guest %.3f ms, kernel %.3f ms)"
	       ", userspace between runs %.3f ms\n",
	       vattr(vp, VGEN_A_VP_RUN_NS) / 1e6,
	       vattr(vp, VGEN_A_VP_GUEST_NS) / 1e6,
	       vattr(vp, VGEN_A_VP_KERNEL_NS) / 1e6,
	       vattr(vp, VGEN_A_VP_USER_NS) / 1e6);
	if (vectors) {
		printf("    apic: tpr 0x%02" PRIx64 ", ppr 0x%02" PRIx64
		       ", irr ", vattr(vp, VGEN_A_VP_TPR),
		       vattr(vp, VGEN_A_VP_PPR));
		print_vectors(irr);
		printf(", isr ");
		print_vectors(isr);
		printf("\n");
	}
	for (r = 0; r < 64; r++) {
		if (vgen_inspect_vp_exits(vp, r, &n) || !n)
			continue;
		printf("%s%s %" PRIu64, any ? ", " : "    exits: ",
		       exit_name(r), n);
		any = true;
	}
	if (any)
		printf("\n");
	if (pr->ins)
		print_regs(pr, vattr(vp, VGEN_A_VP_INDEX));
	return 0;
}

/* The IOAPIC lines that are routed or were asserted. */
static int print_routes(struct vgen_inspect *ins, uint32_t id)
{
	struct vgen_inspect_irq_route rt[VGEN_IOAPIC_PINS];
	bool any = false;
	size_t n, i;
	int ret;

	ret = vgen_inspect_get_irq_routes(ins, id, rt, &n);
	if (ret == -ENOENT)
		n = 0;
	else if (ret)
		return ret;
	if (json)
		printf(",\n\t \"irq_routes\": [");
	for (i = 0; i < n; i++) {
		if (!(rt[i].flags & VGEN_IRQ_ROUTE_MSI) && !rt[i].delivered &&
		    !rt[i].dropped)
			continue;
		if (json)
			printf("%s{\"irq\": %u, \"routed\": %s, \"address\": %"
			       PRIu64 ", \"data\": %u, \"delivered\": %" PRIu64
			       ", \"dropped\": %" PRIu64 "}", any ? ", " : "",
			       rt[i].irq,
			       rt[i].flags & VGEN_IRQ_ROUTE_MSI ? "true" :
								  "false",
			       rt[i].address, rt[i].data, rt[i].delivered,
			       rt[i].dropped);
		else if (rt[i].flags & VGEN_IRQ_ROUTE_MSI)
			printf("  irq %u: msi address 0x%" PRIx64 " data 0x%x"
			       ", delivered %" PRIu64 ", dropped %" PRIu64 "\n",
			       rt[i].irq, rt[i].address, rt[i].data,
			       rt[i].delivered, rt[i].dropped);
		else
			printf("  irq %u: not routed, delivered %" PRIu64
			       ", dropped %" PRIu64 "\n", rt[i].irq,
			       rt[i].delivered, rt[i].dropped);
		any = true;
	}
	if (json)
		printf("]");
	return 0;
}

/*
 * Print one partition and its VPs (all, or only @vp_index when
 * @one_vp). Returns 0 or -errno.
 */
static int print_partition(struct vgen_inspect *ins,
			   const struct vgen_inspect_partition *p, bool first,
			   bool one_vp, uint32_t vp_index)
{
	const struct vgen_inspect_region *rg;
	uint64_t id = pattr(p, VGEN_A_PARTITION_ID);
	uint64_t status = pattr(p, VGEN_A_PARTITION_STATUS);
	uint64_t flags = pattr(p, VGEN_A_PARTITION_FLAGS);
	struct vgen_inspect_vp *vp;
	char when[64], size[32];
	struct vp_print pr = { .first = true };
	size_t n, i;
	int ret;

	vgen_inspect_partition_regions(p, &rg, &n);
	format_time(pattr(p, VGEN_A_PARTITION_CREATED_NS), when, sizeof(when));
	if (json) {
		printf("%s\n\t{\"id\": %" PRIu64 ", \"owner_pid\": %" PRIu64
		       ", \"owner_uid\": %" PRIu64 ", \"created_ns\": %" PRIu64
		       ", \"backend\": \"%s\", \"isolation\": \"%s\""
		       ", \"user_mode_apic\": %s, \"finalized\": %s"
		       ", \"dead\": %s, \"vp_count\": %" PRIu64
		       ", \"vps_created\": %" PRIu64 ",\n\t \"regions\": [",
		       first ? "" : ",", id,
		       pattr(p, VGEN_A_PARTITION_OWNER_PID),
		       pattr(p, VGEN_A_PARTITION_OWNER_UID),
		       pattr(p, VGEN_A_PARTITION_CREATED_NS),
		       backend_name(pattr(p, VGEN_A_PARTITION_BACKEND)),
		       isolation_name(pattr(p, VGEN_A_PARTITION_ISOLATION)),
		       flags & VGEN_PARTITION_USER_MODE_APIC ? "true" : "false",
		       status & VGEN_PARTITION_STATUS_FINALIZED ? "true" :
								  "false",
		       status & VGEN_PARTITION_STATUS_DEAD ? "true" : "false",
		       pattr(p, VGEN_A_PARTITION_VP_COUNT),
		       pattr(p, VGEN_A_PARTITION_VPS_CREATED));
		for (i = 0; i < n; i++)
			printf("%s{\"slot\": %u, \"gpa\": %" PRIu64
			       ", \"size\": %" PRIu64 ", \"readonly\": %s}",
			       i ? ", " : "", rg[i].slot, rg[i].gpa,
			       rg[i].size,
			       rg[i].flags & VGEN_MEM_READONLY ? "true" :
								 "false");
		printf("]");
		ret = print_routes(ins, id);
		if (ret)
			return ret;
		printf(",\n\t \"vps\": [");
	} else {
		printf("partition %" PRIu64 ": owner pid %" PRIu64
		       " (uid %" PRIu64 "), created %s\n", id,
		       pattr(p, VGEN_A_PARTITION_OWNER_PID),
		       pattr(p, VGEN_A_PARTITION_OWNER_UID), when);
		printf("  backend %s, isolation %s%s, %s%s\n",
		       backend_name(pattr(p, VGEN_A_PARTITION_BACKEND)),
		       isolation_name(pattr(p, VGEN_A_PARTITION_ISOLATION)),
		       flags & VGEN_PARTITION_USER_MODE_APIC ?
		       ", user-mode APIC" : "",
		       status & VGEN_PARTITION_STATUS_FINALIZED ? "finalized" :
		       "proto-partition",
		       status & VGEN_PARTITION_STATUS_DEAD ? ", DEAD" : "");
		printf("  vps: %" PRIu64 " of %" PRIu64 " created\n",
		       pattr(p, VGEN_A_PARTITION_VPS_CREATED),
		       pattr(p, VGEN_A_PARTITION_VP_COUNT));
		for (i = 0; i < n; i++) {
			format_size(rg[i].size, size, sizeof(size));
			printf("  region %u: gpa 0x%" PRIx64 "-0x%" PRIx64
			       " (%s) %s\n", rg[i].slot, rg[i].gpa,
			       rg[i].gpa + rg[i].size - 1, size,
			       rg[i].flags & VGEN_MEM_READONLY ? "ro" : "rw");
		}
		ret = print_routes(ins, id);
		if (ret)
			return ret;
	}

	if (one_vp) {
		ret = vgen_inspect_get_vp(ins, id, vp_index, &vp);
		if (ret)
			return ret;
		pr.ins = ins;
		pr.partition_id = id;
		print_vp(vp, &pr);
		vgen_inspect_vp_free(vp);
	} else {
		ret = vgen_inspect_dump_vps(ins, id, print_vp, &pr);
		/* Destroyed since the partition was read: no VPs. */
		if (ret == -ENOENT)
			ret = 0;
		if (ret < 0)
			return ret;
	}
	if (json)
		printf("%s]}", pr.first ? "" : "\n\t ");
	return 0;
}

struct id_list {
	uint32_t *ids;
	size_t n, cap;
};

static int collect_id(const struct vgen_inspect_partition *p, void *arg)
{
	struct id_list *l = arg;
	uint32_t *ids;

	if (l->n == l->cap) {
		l->cap = l->cap ? 2 * l->cap : 16;
		ids = realloc(l->ids, l->cap * sizeof(*ids));
		if (!ids)
			return -ENOMEM;
		l->ids = ids;
	}
	l->ids[l->n++] = pattr(p, VGEN_A_PARTITION_ID);
	return 0;
}

static int parse_u32(const char *s, uint32_t *out)
{
	unsigned long v;
	char *end;

	errno = 0;
	v = strtoul(s, &end, 0);
	if (errno || end == s || *end || v > UINT32_MAX)
		return -1;
	*out = v;
	return 0;
}

static int cmd_show(int argc, char **argv)
{
	struct vgen_inspect_partition *p;
	struct id_list l = { 0 };
	struct vgen_inspect *ins;
	uint32_t id = 0, vp = 0;
	bool first = true;
	int ret, rc = 0;
	size_t i;

	if (argc > 2) {
		usage(stderr);
		return 2;
	}
	if ((argc >= 1 && parse_u32(argv[0], &id)) ||
	    (argc == 2 && parse_u32(argv[1], &vp))) {
		fprintf(stderr, "vgenctl: PARTITION and VP are numbers\n");
		return 2;
	}
	ret = vgen_inspect_open(&ins);
	if (ret)
		return fail(NULL, ret, "open");

	if (argc == 0) {
		ret = vgen_inspect_dump_partitions(ins, collect_id, &l);
		if (ret < 0) {
			rc = fail(ins, ret, "dump");
			goto out;
		}
	} else {
		l.ids = &id;
		l.n = 1;
	}
	if (json)
		printf("{\"partitions\": [");
	for (i = 0; i < l.n; i++) {
		ret = vgen_inspect_get_partition(ins, l.ids[i], &p);
		if (ret == -ENOENT && argc == 0)
			continue;	/* destroyed since the dump */
		if (ret == -ENOENT) {
			fprintf(stderr, "vgenctl: no such partition: %" PRIu32
				" (or it belongs to another process)\n", id);
			rc = 1;
			break;
		}
		if (ret) {
			rc = fail(ins, ret, "get partition");
			break;
		}
		ret = print_partition(ins, p, first, argc == 2, vp);
		vgen_inspect_partition_free(p);
		first = false;
		if (ret == -ENOENT || ret == -ERANGE) {
			fflush(stdout);
			fprintf(stderr, "\nvgenctl: no such VP: %" PRIu32
				" of partition %" PRIu32 "\n", vp, id);
			rc = 1;
			break;
		}
		if (ret) {
			rc = fail(ins, ret, "VPs");
			break;
		}
	}
	if (json)
		printf("\n]}\n");
out:
	if (argc == 0)
		free(l.ids);
	vgen_inspect_close(ins);
	return rc;
}

/* ------------------------------------------------------------- monitor */

static int cmd_monitor(int argc, char **argv, long count)
{
	struct vgen_inspect_monitor *mon;
	struct vgen_inspect_event ev;
	long seen = 0;
	int ret;

	(void)argv;
	if (argc) {
		usage(stderr);
		return 2;
	}
	ret = vgen_inspect_monitor_open(&mon);
	if (ret)
		return fail(NULL, ret, ret == -ENOENT ? "open" : "monitor");
	setvbuf(stdout, NULL, _IOLBF, 0);
	while (count < 0 || seen < count) {
		ret = vgen_inspect_monitor_read(mon, &ev, -1);
		if (ret == -ENOBUFS) {
			fprintf(stderr, "vgenctl: events were lost\n");
			continue;
		}
		if (ret == -EINTR)
			continue;
		if (ret) {
			vgen_inspect_monitor_close(mon);
			return fail(NULL, ret, "monitor");
		}
		seen++;
		if (json) {
			printf("{\"event\": \"%s\", \"partition\": %" PRIu32
			       ", \"owner_pid\": %" PRIu32, event_name(ev.type),
			       ev.partition_id, ev.owner_pid);
			if (ev.type == VGEN_EVENT_VP_HALTED)
				printf(", \"vp\": %" PRIu32 ", \"reason\": \"%s\"",
				       ev.vp_index, exit_name(ev.reason));
			printf("}\n");
		} else if (ev.type == VGEN_EVENT_VP_HALTED) {
			printf("%s: partition %" PRIu32 " vp %" PRIu32
			       " (%s), owner pid %" PRIu32 "\n",
			       event_name(ev.type), ev.partition_id,
			       ev.vp_index, exit_name(ev.reason),
			       ev.owner_pid);
		} else {
			printf("%s: partition %" PRIu32 ", owner pid %" PRIu32
			       "\n", event_name(ev.type), ev.partition_id,
			       ev.owner_pid);
		}
	}
	vgen_inspect_monitor_close(mon);
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json",	no_argument,		NULL, 'j' },
		{ "count",	required_argument,	NULL, 'c' },
		{ "help",	no_argument,		NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	long count = -1;
	char *end;
	int c;

	while ((c = getopt_long(argc, argv, "jc:h", opts, NULL)) != -1) {
		switch (c) {
		case 'j':
			json = true;
			break;
		case 'c':
			count = strtol(optarg, &end, 0);
			if (*end || count < 0) {
				fprintf(stderr, "vgenctl: bad --count\n");
				return 2;
			}
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind >= argc) {
		usage(stderr);
		return 2;
	}
	if (!strcmp(argv[optind], "show"))
		return cmd_show(argc - optind - 1, argv + optind + 1);
	if (!strcmp(argv[optind], "monitor"))
		return cmd_monitor(argc - optind - 1, argv + optind + 1, count);
	fprintf(stderr, "vgenctl: unknown command '%s'\n", argv[optind]);
	usage(stderr);
	return 2;
}
