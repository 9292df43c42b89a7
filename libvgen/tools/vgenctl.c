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
		"           their memory regions and VPs, as a tree or as JSON\n"
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

static int print_vp(const struct vgen_inspect_vp *vp, void *arg)
{
	bool *first = arg;
	uint64_t n;
	uint32_t r;
	bool any = false;

	if (json) {
		printf("%s\n\t\t{\"index\": %" PRIu64 ", \"apic_id\": %" PRIu64
		       ", \"state\": \"%s\", \"runs\": %" PRIu64
		       ", \"insns_retired\": %" PRIu64 ", \"run_ns\": %" PRIu64
		       ", \"last_exit\": \"%s\", \"host_tid\": %" PRIu64
		       ", \"exits\": {",
		       *first ? "" : ",", vattr(vp, VGEN_A_VP_INDEX),
		       vattr(vp, VGEN_A_VP_APIC_ID),
		       vp_state_name(vattr(vp, VGEN_A_VP_STATE)),
		       vattr(vp, VGEN_A_VP_RUNS),
		       vattr(vp, VGEN_A_VP_INSNS_RETIRED),
		       vattr(vp, VGEN_A_VP_RUN_NS),
		       exit_name(vattr(vp, VGEN_A_VP_LAST_EXIT)),
		       vattr(vp, VGEN_A_VP_HOST_TID));
		for (r = 0; r < 64; r++) {
			if (vgen_inspect_vp_exits(vp, r, &n) || !n)
				continue;
			printf("%s\"%s\": %" PRIu64, any ? ", " : "",
			       exit_name(r), n);
			any = true;
		}
		printf("}}");
		*first = false;
		return 0;
	}
	printf("  vp %" PRIu64 ": apic id %" PRIu64 ", %s, last exit %s\n",
	       vattr(vp, VGEN_A_VP_INDEX), vattr(vp, VGEN_A_VP_APIC_ID),
	       vp_state_name(vattr(vp, VGEN_A_VP_STATE)),
	       exit_name(vattr(vp, VGEN_A_VP_LAST_EXIT)));
	printf("    runs %" PRIu64 ", instructions %" PRIu64
	       ", time in VGEN_RUN %.3f ms, thread %" PRIu64 "\n",
	       vattr(vp, VGEN_A_VP_RUNS), vattr(vp, VGEN_A_VP_INSNS_RETIRED),
	       vattr(vp, VGEN_A_VP_RUN_NS) / 1e6,
	       vattr(vp, VGEN_A_VP_HOST_TID));
	for (r = 0; r < 64; r++) {
		if (vgen_inspect_vp_exits(vp, r, &n) || !n)
			continue;
		printf("%s%s %" PRIu64, any ? ", " : "    exits: ",
		       exit_name(r), n);
		any = true;
	}
	if (any)
		printf("\n");
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
	bool vfirst = true;
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
		printf("],\n\t \"vps\": [");
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
	}

	if (one_vp) {
		ret = vgen_inspect_get_vp(ins, id, vp_index, &vp);
		if (ret)
			return ret;
		print_vp(vp, &vfirst);
		vgen_inspect_vp_free(vp);
	} else {
		ret = vgen_inspect_dump_vps(ins, id, print_vp, &vfirst);
		/* Destroyed since the partition was read: no VPs. */
		if (ret == -ENOENT)
			ret = 0;
		if (ret < 0)
			return ret;
	}
	if (json)
		printf("%s]}", vfirst ? "" : "\n\t ");
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
