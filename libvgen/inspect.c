/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Inspection: a client of the "vgen" generic netlink family (libmnl).
 */
#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>
#include <libmnl/libmnl.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>

#include "internal.h"

/* Receive buffer: the kernel never builds dump parts above 32 KiB. */
#define VGEN_INSPECT_BUF	(64 * 1024)
#define VGEN_INSPECT_EXITS	64

struct vgen_inspect {
	struct mnl_socket *nl;
	uint16_t family;
	uint32_t events_group;		/* 0: the kernel has none */
	uint32_t portid;
	uint32_t seq;
	char errmsg[256];
	char *buf;
};

/* The scalar attributes of one message, by attribute number. */
struct vgen_inspect_scalars {
	uint64_t present;		/* bit n: attribute n was reported */
	uint64_t val[VGEN_A_MAX + 1];
};

struct vgen_inspect_partition {
	struct vgen_inspect_scalars s;
	size_t nregions;
	struct vgen_inspect_region regions[VGEN_MAX_MEMORY_REGIONS];
};

struct vgen_inspect_vp {
	struct vgen_inspect_scalars s;
	uint64_t exits[VGEN_INSPECT_EXITS];
	uint8_t irr[VGEN_GENL_VECTOR_BITMAP];
	uint8_t isr[VGEN_GENL_VECTOR_BITMAP];
};

struct vgen_inspect_regs {
	struct vgen_inspect_scalars s;
	struct vgen_regs regs;
	struct vgen_sregs sregs;
	struct vgen_lapic_state lapic;
};

/* VGEN_CMD_GET_IRQ_ROUTES being parsed. */
struct vgen_inspect_routes {
	struct vgen_inspect_irq_route *routes;
	size_t n;
};

struct vgen_inspect_monitor {
	struct vgen_inspect *ins;
	size_t len, off;		/* unread messages in ins->buf */
};

/* What each known top-level attribute is. */
enum vgen_inspect_kind { K_NONE, K_U32, K_U64, K_NEST, K_BIN };

static const enum vgen_inspect_kind vgen_inspect_kinds[VGEN_A_MAX + 1] = {
	[VGEN_A_PARTITION_ID]		= K_U32,
	[VGEN_A_PARTITION_OWNER_PID]	= K_U32,
	[VGEN_A_PARTITION_OWNER_UID]	= K_U32,
	[VGEN_A_PARTITION_CREATED_NS]	= K_U64,
	[VGEN_A_PARTITION_BACKEND]	= K_U32,
	[VGEN_A_PARTITION_ISOLATION]	= K_U32,
	[VGEN_A_PARTITION_FLAGS]	= K_U32,
	[VGEN_A_PARTITION_STATUS]	= K_U32,
	[VGEN_A_PARTITION_VP_COUNT]	= K_U32,
	[VGEN_A_PARTITION_VPS_CREATED]	= K_U32,
	[VGEN_A_PARTITION_REGION]	= K_NEST,
	[VGEN_A_VP_INDEX]		= K_U32,
	[VGEN_A_VP_APIC_ID]		= K_U32,
	[VGEN_A_VP_STATE]		= K_U32,
	[VGEN_A_VP_RUNS]		= K_U64,
	[VGEN_A_VP_INSNS_RETIRED]	= K_U64,
	[VGEN_A_VP_RUN_NS]		= K_U64,
	[VGEN_A_VP_LAST_EXIT]		= K_U32,
	[VGEN_A_VP_EXIT]		= K_NEST,
	[VGEN_A_EVENT]			= K_U32,
	[VGEN_A_EVENT_REASON]		= K_U32,
	[VGEN_A_VP_HOST_TID]		= K_U32,
	[VGEN_A_VP_RUN_TID]		= K_U32,
	[VGEN_A_VP_ACTIVITY]		= K_U32,
	[VGEN_A_VP_LAST_HALT]		= K_U32,
	[VGEN_A_VP_HALTS]		= K_U64,
	[VGEN_A_VP_GUEST_NS]		= K_U64,
	[VGEN_A_VP_KERNEL_NS]		= K_U64,
	[VGEN_A_VP_USER_NS]		= K_U64,
	[VGEN_A_VP_IRR]			= K_BIN,
	[VGEN_A_VP_ISR]			= K_BIN,
	[VGEN_A_VP_TPR]			= K_U32,
	[VGEN_A_VP_PPR]			= K_U32,
	[VGEN_A_VP_REGS]		= K_BIN,
	[VGEN_A_VP_SREGS]		= K_BIN,
	[VGEN_A_VP_LAPIC]		= K_BIN,
	[VGEN_A_IRQ_ROUTE]		= K_NEST,
};

/* The exact payload size of each binary attribute. */
static const size_t vgen_inspect_bin_size[VGEN_A_MAX + 1] = {
	[VGEN_A_VP_IRR]		= VGEN_GENL_VECTOR_BITMAP,
	[VGEN_A_VP_ISR]		= VGEN_GENL_VECTOR_BITMAP,
	[VGEN_A_VP_REGS]	= sizeof(struct vgen_regs),
	[VGEN_A_VP_SREGS]	= sizeof(struct vgen_sregs),
	[VGEN_A_VP_LAPIC]	= sizeof(struct vgen_lapic_state),
};

_Static_assert(VGEN_A_MAX < 64, "presence bits are a uint64_t");

/* ------------------------------------------------------------ parsing */

/*
 * vgen_attr_next() - iterate over the attributes in [*pos, end): strict
 * (every attribute well-formed, nothing left over).
 *
 * Return: 1 with *@attr set, 0 at the end, -EPROTO if malformed.
 */
static int vgen_attr_next(const char **pos, const char *end,
			  const struct nlattr **attr)
{
	const struct nlattr *a = (const void *)*pos;
	size_t left = end - *pos;

	if (!left)
		return 0;
	if (left < sizeof(*a) || a->nla_len < sizeof(*a) || a->nla_len > left)
		return -EPROTO;
	*attr = a;
	left = MNL_ALIGN(a->nla_len);
	*pos = (size_t)(end - *pos) < left ? end : *pos + left;
	return 1;
}

/* Length check of a known attribute: exact for integers. */
static int vgen_attr_check(const struct nlattr *a, enum vgen_inspect_kind k)
{
	switch (k) {
	case K_U32:
		return mnl_attr_get_payload_len(a) == 4 ? 0 : -EPROTO;
	case K_U64:
		return mnl_attr_get_payload_len(a) == 8 ? 0 : -EPROTO;
	case K_BIN:
		return mnl_attr_get_payload_len(a) ==
		       vgen_inspect_bin_size[mnl_attr_get_type(a)] ? 0 : -EPROTO;
	default:
		return 0;
	}
}

static uint64_t vgen_attr_value(const struct nlattr *a,
				enum vgen_inspect_kind k)
{
	uint64_t v64;
	uint32_t v32;

	if (k == K_U64) {
		memcpy(&v64, mnl_attr_get_payload(a), sizeof(v64));
		return v64;
	}
	memcpy(&v32, mnl_attr_get_payload(a), sizeof(v32));
	return v32;
}

/* Parse a VGEN_A_PARTITION_REGION nest; unknown inner attributes skipped. */
static int vgen_parse_region(const struct nlattr *nest,
			     struct vgen_inspect_region *r)
{
	const char *pos = mnl_attr_get_payload(nest);
	const char *end = pos + mnl_attr_get_payload_len(nest);
	const struct nlattr *a;
	unsigned int seen = 0;
	int ret;

	memset(r, 0, sizeof(*r));
	while ((ret = vgen_attr_next(&pos, end, &a)) > 0) {
		switch (mnl_attr_get_type(a)) {
		case VGEN_A_REGION_SLOT:
			if (vgen_attr_check(a, K_U32))
				return -EPROTO;
			r->slot = vgen_attr_value(a, K_U32);
			break;
		case VGEN_A_REGION_FLAGS:
			if (vgen_attr_check(a, K_U32))
				return -EPROTO;
			r->flags = vgen_attr_value(a, K_U32);
			break;
		case VGEN_A_REGION_GPA:
			if (vgen_attr_check(a, K_U64))
				return -EPROTO;
			r->gpa = vgen_attr_value(a, K_U64);
			break;
		case VGEN_A_REGION_SIZE:
			if (vgen_attr_check(a, K_U64))
				return -EPROTO;
			r->size = vgen_attr_value(a, K_U64);
			break;
		default:
			continue;
		}
		seen |= 1U << mnl_attr_get_type(a);
	}
	if (ret < 0)
		return ret;
	/* Slot, GPA and size are required; flags default to 0. */
	if ((seen & ((1U << VGEN_A_REGION_SLOT) | (1U << VGEN_A_REGION_GPA) |
		     (1U << VGEN_A_REGION_SIZE))) !=
	    ((1U << VGEN_A_REGION_SLOT) | (1U << VGEN_A_REGION_GPA) |
	     (1U << VGEN_A_REGION_SIZE)))
		return -EPROTO;
	return 0;
}

/* Parse a VGEN_A_VP_EXIT nest into @exits; unknown reasons are skipped. */
static int vgen_parse_exit(const struct nlattr *nest, uint64_t *exits)
{
	const char *pos = mnl_attr_get_payload(nest);
	const char *end = pos + mnl_attr_get_payload_len(nest);
	const struct nlattr *a;
	bool have_reason = false, have_count = false;
	uint64_t reason = 0, count = 0;
	int ret;

	while ((ret = vgen_attr_next(&pos, end, &a)) > 0) {
		switch (mnl_attr_get_type(a)) {
		case VGEN_A_EXIT_REASON:
			if (vgen_attr_check(a, K_U32))
				return -EPROTO;
			reason = vgen_attr_value(a, K_U32);
			have_reason = true;
			break;
		case VGEN_A_EXIT_COUNT:
			if (vgen_attr_check(a, K_U64))
				return -EPROTO;
			count = vgen_attr_value(a, K_U64);
			have_count = true;
			break;
		default:
			break;
		}
	}
	if (ret < 0)
		return ret;
	if (!have_reason || !have_count)
		return -EPROTO;
	if (reason < VGEN_INSPECT_EXITS)
		exits[reason] = count;
	return 0;
}

/* Parse a VGEN_A_IRQ_ROUTE nest; unknown inner attributes skipped. */
static int vgen_parse_route(const struct nlattr *nest,
			    struct vgen_inspect_irq_route *r)
{
	const char *pos = mnl_attr_get_payload(nest);
	const char *end = pos + mnl_attr_get_payload_len(nest);
	const struct nlattr *a;
	bool have_irq = false;
	int ret;

	memset(r, 0, sizeof(*r));
	while ((ret = vgen_attr_next(&pos, end, &a)) > 0) {
		switch (mnl_attr_get_type(a)) {
		case VGEN_A_ROUTE_IRQ:
			if (vgen_attr_check(a, K_U32))
				return -EPROTO;
			r->irq = vgen_attr_value(a, K_U32);
			have_irq = true;
			break;
		case VGEN_A_ROUTE_FLAGS:
			if (vgen_attr_check(a, K_U32))
				return -EPROTO;
			r->flags = vgen_attr_value(a, K_U32);
			break;
		case VGEN_A_ROUTE_DATA:
			if (vgen_attr_check(a, K_U32))
				return -EPROTO;
			r->data = vgen_attr_value(a, K_U32);
			break;
		case VGEN_A_ROUTE_ADDRESS:
			if (vgen_attr_check(a, K_U64))
				return -EPROTO;
			r->address = vgen_attr_value(a, K_U64);
			break;
		case VGEN_A_ROUTE_DELIVERED:
			if (vgen_attr_check(a, K_U64))
				return -EPROTO;
			r->delivered = vgen_attr_value(a, K_U64);
			break;
		case VGEN_A_ROUTE_DROPPED:
			if (vgen_attr_check(a, K_U64))
				return -EPROTO;
			r->dropped = vgen_attr_value(a, K_U64);
			break;
		default:
			break;
		}
	}
	if (ret < 0)
		return ret;
	return have_irq ? 0 : -EPROTO;
}

/* Where vgen_parse_msg() puts binary attributes and route nests. */
struct vgen_parse_out {
	struct vgen_inspect_partition *part;
	struct vgen_inspect_vp *vp;
	struct vgen_inspect_regs *regs;
	struct vgen_inspect_routes *routes;
};

/* Store a binary attribute (length already checked) where it belongs. */
static void vgen_parse_bin(const struct nlattr *a, uint16_t type,
			   const struct vgen_parse_out *out)
{
	const void *p = mnl_attr_get_payload(a);
	void *dst = NULL;

	if (out->vp && type == VGEN_A_VP_IRR)
		dst = out->vp->irr;
	else if (out->vp && type == VGEN_A_VP_ISR)
		dst = out->vp->isr;
	else if (out->regs && type == VGEN_A_VP_REGS)
		dst = &out->regs->regs;
	else if (out->regs && type == VGEN_A_VP_SREGS)
		dst = &out->regs->sregs;
	else if (out->regs && type == VGEN_A_VP_LAPIC)
		dst = &out->regs->lapic;
	if (dst)
		memcpy(dst, p, vgen_inspect_bin_size[type]);
}

/*
 * vgen_parse_msg() - parse one vgen message of command @cmd into @s and,
 * for nests, @part or @vp (whichever is non-NULL).
 */
static int vgen_parse_msg(const void *msg, size_t len, uint8_t cmd,
			  struct vgen_inspect_scalars *s,
			  const struct vgen_parse_out *out)
{
	struct vgen_inspect_partition *part = out->part;
	struct vgen_inspect_vp *vp = out->vp;
	const struct nlmsghdr *nlh = msg;
	const struct genlmsghdr *genl;
	const struct nlattr *a;
	const char *pos, *end;
	enum vgen_inspect_kind k;
	uint16_t type;
	int ret;

	if (len < sizeof(*nlh) || nlh->nlmsg_len > len ||
	    nlh->nlmsg_len < MNL_NLMSG_HDRLEN + MNL_ALIGN(sizeof(*genl)))
		return -EPROTO;
	genl = mnl_nlmsg_get_payload(nlh);
	if (genl->cmd != cmd)
		return -EPROTO;
	pos = (const char *)genl + MNL_ALIGN(sizeof(*genl));
	end = (const char *)nlh + nlh->nlmsg_len;

	while ((ret = vgen_attr_next(&pos, end, &a)) > 0) {
		type = mnl_attr_get_type(a);
		/* Unknown (newer) attributes are skipped. */
		k = type <= VGEN_A_MAX ? vgen_inspect_kinds[type] : K_NONE;
		if (k == K_NONE)
			continue;
		if (vgen_attr_check(a, k))
			return -EPROTO;
		if (k == K_BIN) {
			vgen_parse_bin(a, type, out);
			s->present |= 1ULL << type;
			continue;
		}
		if (k != K_NEST) {
			s->val[type] = vgen_attr_value(a, k);
			s->present |= 1ULL << type;
			continue;
		}
		if (type == VGEN_A_PARTITION_REGION && part) {
			if (part->nregions == VGEN_MAX_MEMORY_REGIONS)
				return -EPROTO;
			ret = vgen_parse_region(a,
					&part->regions[part->nregions]);
			if (ret)
				return ret;
			part->nregions++;
		} else if (type == VGEN_A_VP_EXIT && vp) {
			ret = vgen_parse_exit(a, vp->exits);
			if (ret)
				return ret;
		} else if (type == VGEN_A_IRQ_ROUTE && out->routes) {
			if (out->routes->n == VGEN_IOAPIC_PINS)
				return -EPROTO;
			ret = vgen_parse_route(a, &out->routes->routes[
						       out->routes->n]);
			if (ret)
				return ret;
			out->routes->n++;
		}
	}
	return ret;
}

VGEN_EXPORT int vgen_inspect_partition_parse(const void *msg, size_t len,
					     struct vgen_inspect_partition **out)
{
	struct vgen_inspect_partition *p;
	int ret;

	if (!msg || !out)
		return -EINVAL;
	p = calloc(1, sizeof(*p));
	if (!p)
		return -ENOMEM;
	ret = vgen_parse_msg(msg, len, VGEN_CMD_GET_PARTITION, &p->s,
			     &(struct vgen_parse_out){ .part = p });
	if (ret) {
		free(p);
		return ret;
	}
	*out = p;
	return 0;
}

VGEN_EXPORT int vgen_inspect_vp_parse(const void *msg, size_t len,
				      struct vgen_inspect_vp **out)
{
	struct vgen_inspect_vp *vp;
	int ret;

	if (!msg || !out)
		return -EINVAL;
	vp = calloc(1, sizeof(*vp));
	if (!vp)
		return -ENOMEM;
	ret = vgen_parse_msg(msg, len, VGEN_CMD_GET_VP, &vp->s,
			     &(struct vgen_parse_out){ .vp = vp });
	if (ret) {
		free(vp);
		return ret;
	}
	*out = vp;
	return 0;
}

VGEN_EXPORT void vgen_inspect_partition_free(struct vgen_inspect_partition *p)
{
	free(p);
}

VGEN_EXPORT void vgen_inspect_vp_free(struct vgen_inspect_vp *vp)
{
	free(vp);
}

static bool vgen_is_partition_scalar(unsigned int attr)
{
	return attr >= VGEN_A_PARTITION_ID &&
	       attr <= VGEN_A_PARTITION_VPS_CREATED;
}

static bool vgen_is_vp_scalar(unsigned int attr)
{
	return attr == VGEN_A_PARTITION_ID || attr == VGEN_A_VP_HOST_TID ||
	       (attr >= VGEN_A_VP_INDEX && attr <= VGEN_A_VP_LAST_EXIT) ||
	       (attr >= VGEN_A_VP_RUN_TID && attr <= VGEN_A_VP_USER_NS) ||
	       attr == VGEN_A_VP_TPR || attr == VGEN_A_VP_PPR;
}

static int vgen_scalar_get(const struct vgen_inspect_scalars *s,
			   unsigned int attr, uint64_t *value)
{
	if (!(s->present & (1ULL << attr)))
		return -ENODATA;
	*value = s->val[attr];
	return 0;
}

VGEN_EXPORT int vgen_inspect_partition_attr(const struct vgen_inspect_partition *p,
					    unsigned int attr, uint64_t *value)
{
	if (!p || !value || !vgen_is_partition_scalar(attr))
		return -EINVAL;
	return vgen_scalar_get(&p->s, attr, value);
}

VGEN_EXPORT int vgen_inspect_partition_regions(const struct vgen_inspect_partition *p,
					       const struct vgen_inspect_region **regions,
					       size_t *n)
{
	if (!p || !regions || !n)
		return -EINVAL;
	*regions = p->regions;
	*n = p->nregions;
	return 0;
}

VGEN_EXPORT int vgen_inspect_vp_attr(const struct vgen_inspect_vp *vp,
				     unsigned int attr, uint64_t *value)
{
	if (!vp || !value || !vgen_is_vp_scalar(attr))
		return -EINVAL;
	return vgen_scalar_get(&vp->s, attr, value);
}

VGEN_EXPORT int vgen_inspect_vp_exits(const struct vgen_inspect_vp *vp,
				      uint32_t reason, uint64_t *count)
{
	if (!vp || !count || reason >= VGEN_INSPECT_EXITS)
		return -EINVAL;
	*count = vp->exits[reason];
	return 0;
}

VGEN_EXPORT int vgen_inspect_vp_vectors(const struct vgen_inspect_vp *vp,
					uint8_t irr[VGEN_GENL_VECTOR_BITMAP],
					uint8_t isr[VGEN_GENL_VECTOR_BITMAP])
{
	if (!vp)
		return -EINVAL;
	if (!(vp->s.present & (1ULL << VGEN_A_VP_IRR)) ||
	    !(vp->s.present & (1ULL << VGEN_A_VP_ISR)))
		return -ENODATA;
	if (irr)
		memcpy(irr, vp->irr, sizeof(vp->irr));
	if (isr)
		memcpy(isr, vp->isr, sizeof(vp->isr));
	return 0;
}

VGEN_EXPORT int vgen_inspect_regs_parse(const void *msg, size_t len,
					struct vgen_inspect_regs **out)
{
	struct vgen_inspect_regs *r;
	int ret;

	if (!msg || !out)
		return -EINVAL;
	r = calloc(1, sizeof(*r));
	if (!r)
		return -ENOMEM;
	ret = vgen_parse_msg(msg, len, VGEN_CMD_GET_VP_REGS, &r->s,
			     &(struct vgen_parse_out){ .regs = r });
	/* The registers themselves are what the reply is for. */
	if (!ret && (!(r->s.present & (1ULL << VGEN_A_VP_REGS)) ||
		     !(r->s.present & (1ULL << VGEN_A_VP_SREGS))))
		ret = -EPROTO;
	if (ret) {
		free(r);
		return ret;
	}
	*out = r;
	return 0;
}

VGEN_EXPORT void vgen_inspect_regs_free(struct vgen_inspect_regs *r)
{
	free(r);
}

VGEN_EXPORT int vgen_inspect_regs_attr(const struct vgen_inspect_regs *r,
				       unsigned int attr, uint64_t *value)
{
	if (!r || !value ||
	    (attr != VGEN_A_PARTITION_ID && attr != VGEN_A_VP_INDEX &&
	     attr != VGEN_A_VP_ACTIVITY && attr != VGEN_A_VP_INSNS_RETIRED))
		return -EINVAL;
	return vgen_scalar_get(&r->s, attr, value);
}

VGEN_EXPORT int vgen_inspect_regs_get(const struct vgen_inspect_regs *r,
				      struct vgen_regs *regs,
				      struct vgen_sregs *sregs)
{
	if (!r)
		return -EINVAL;
	if (regs)
		*regs = r->regs;
	if (sregs)
		*sregs = r->sregs;
	return 0;
}

VGEN_EXPORT int vgen_inspect_regs_lapic(const struct vgen_inspect_regs *r,
					struct vgen_lapic_state *lapic)
{
	if (!r || !lapic)
		return -EINVAL;
	if (!(r->s.present & (1ULL << VGEN_A_VP_LAPIC)))
		return -ENODATA;
	*lapic = r->lapic;
	return 0;
}

/* --------------------------------------------------------- connection */

/* Called for each reply message of a request; returns 0 or -errno. */
typedef int (*vgen_msg_fn)(const struct nlmsghdr *nlh, void *arg);

/* Keep the extended ACK message of an error, if any. */
static void vgen_inspect_save_extack(struct vgen_inspect *ins,
				     const struct nlmsghdr *nlh)
{
	const struct nlmsgerr *err = mnl_nlmsg_get_payload(nlh);
	const char *pos, *end;
	const struct nlattr *a;
	size_t off;

	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS))
		return;
	/* The request is echoed in full unless NLM_F_CAPPED. */
	off = sizeof(*err);
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
		off += err->msg.nlmsg_len - sizeof(err->msg);
	off = MNL_ALIGN(off);
	if (MNL_NLMSG_HDRLEN + off > nlh->nlmsg_len)
		return;
	pos = (const char *)err + off;
	end = (const char *)nlh + nlh->nlmsg_len;
	while (vgen_attr_next(&pos, end, &a) > 0) {
		if (mnl_attr_get_type(a) == NLMSGERR_ATTR_MSG &&
		    !mnl_attr_validate(a, MNL_TYPE_NUL_STRING)) {
			snprintf(ins->errmsg, sizeof(ins->errmsg), "%s",
				 mnl_attr_get_str(a));
			return;
		}
	}
}

/*
 * vgen_inspect_send() - start a request: the netlink and genetlink
 * headers in ins->buf; the caller adds attributes and calls
 * vgen_inspect_transact().
 */
static struct nlmsghdr *vgen_inspect_start(struct vgen_inspect *ins,
					   uint16_t type, uint16_t flags,
					   uint8_t cmd, uint8_t version)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(ins->buf);
	struct genlmsghdr *genl;

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | flags;
	nlh->nlmsg_seq = ++ins->seq;
	genl = mnl_nlmsg_put_extra_header(nlh, sizeof(*genl));
	genl->cmd = cmd;
	genl->version = version;
	return nlh;
}

/*
 * vgen_inspect_transact() - send the request in ins->buf and read every
 * reply until the final ACK, error or NLMSG_DONE, calling @fn for each
 * message of type @type (after an error of @fn, the rest is discarded).
 *
 * Return: 0, VGEN_INSPECT_DUMP_INTR, or -errno (the kernel's error, the
 * first error of @fn, or a socket error).
 */
static int vgen_inspect_transact(struct vgen_inspect *ins, uint16_t type,
				 vgen_msg_fn fn, void *arg)
{
	const struct nlmsghdr *req = (const void *)ins->buf;
	uint32_t seq = req->nlmsg_seq;
	const struct nlmsgerr *err;
	const struct nlmsghdr *nlh;
	int fn_ret = 0, intr = 0, done = 0, ret = 0;
	ssize_t n;
	int left;

	ins->errmsg[0] = '\0';
	if (mnl_socket_sendto(ins->nl, req, req->nlmsg_len) < 0)
		return -errno;
	while (!done) {
		n = recv(mnl_socket_get_fd(ins->nl), ins->buf,
			 VGEN_INSPECT_BUF, 0);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		nlh = (const void *)ins->buf;
		left = n;
		for (; mnl_nlmsg_ok(nlh, left); nlh = mnl_nlmsg_next(nlh, &left)) {
			/* Stale replies of an abandoned request. */
			if (nlh->nlmsg_seq != seq)
				continue;
			if (nlh->nlmsg_type == NLMSG_ERROR) {
				err = mnl_nlmsg_get_payload(nlh);
				if (nlh->nlmsg_len < MNL_NLMSG_HDRLEN +
						     sizeof(err->error))
					return -EPROTO;
				ret = err->error;
				if (ret)
					vgen_inspect_save_extack(ins, nlh);
				done = 1;
				break;
			}
			if (nlh->nlmsg_type == NLMSG_DONE) {
				/* The dump's error, if it ended with one. */
				if (nlh->nlmsg_len >= MNL_NLMSG_HDRLEN +
						      sizeof(int))
					memcpy(&ret, mnl_nlmsg_get_payload(nlh),
					       sizeof(int));
				done = 1;
				break;
			}
			if (nlh->nlmsg_type != type)
				continue;
			if (nlh->nlmsg_flags & NLM_F_DUMP_INTR)
				intr = 1;
			if (!fn_ret && fn)
				fn_ret = fn(nlh, arg);
		}
	}
	if (ret)
		return ret > 0 ? -EPROTO : ret;
	if (fn_ret)
		return fn_ret;
	return intr ? VGEN_INSPECT_DUMP_INTR : 0;
}

/* Parse the reply of CTRL_CMD_GETFAMILY: family id and events group. */
static int vgen_inspect_family_reply(const struct nlmsghdr *nlh, void *arg)
{
	struct vgen_inspect *ins = arg;
	const struct nlattr *a, *grp, *ga;
	const char *name;
	uint32_t id;

	mnl_attr_for_each(a, nlh, MNL_ALIGN(sizeof(struct genlmsghdr))) {
		switch (mnl_attr_get_type(a)) {
		case CTRL_ATTR_FAMILY_ID:
			if (mnl_attr_validate(a, MNL_TYPE_U16) < 0)
				return -EPROTO;
			ins->family = mnl_attr_get_u16(a);
			break;
		case CTRL_ATTR_MCAST_GROUPS:
			mnl_attr_for_each_nested(grp, a) {
				name = NULL;
				id = 0;
				mnl_attr_for_each_nested(ga, grp) {
					if (mnl_attr_get_type(ga) ==
						    CTRL_ATTR_MCAST_GRP_NAME &&
					    !mnl_attr_validate(ga,
							MNL_TYPE_NUL_STRING))
						name = mnl_attr_get_str(ga);
					else if (mnl_attr_get_type(ga) ==
							 CTRL_ATTR_MCAST_GRP_ID &&
						 !mnl_attr_validate(ga,
								    MNL_TYPE_U32))
						id = mnl_attr_get_u32(ga);
				}
				if (name && !strcmp(name, VGEN_GENL_MCGRP_EVENTS))
					ins->events_group = id;
			}
			break;
		default:
			break;
		}
	}
	return 0;
}

VGEN_EXPORT int vgen_inspect_open(struct vgen_inspect **out)
{
	struct vgen_inspect *ins;
	struct nlmsghdr *nlh;
	int one = 1, ret;

	if (!out)
		return -EINVAL;
	ins = calloc(1, sizeof(*ins));
	if (!ins)
		return -ENOMEM;
	ins->buf = malloc(VGEN_INSPECT_BUF);
	if (!ins->buf) {
		ret = -ENOMEM;
		goto err;
	}
	ins->nl = mnl_socket_open2(NETLINK_GENERIC, SOCK_CLOEXEC);
	if (!ins->nl) {
		ret = -errno;
		goto err;
	}
	if (mnl_socket_bind(ins->nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		ret = -errno;
		goto err;
	}
	ins->portid = mnl_socket_get_portid(ins->nl);
	/* Error messages from the kernel; older kernels ignore it. */
	mnl_socket_setsockopt(ins->nl, NETLINK_EXT_ACK, &one, sizeof(one));
	ins->seq = time(NULL);

	nlh = vgen_inspect_start(ins, GENL_ID_CTRL, NLM_F_ACK,
				 CTRL_CMD_GETFAMILY, 1);
	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, VGEN_GENL_NAME);
	ret = vgen_inspect_transact(ins, GENL_ID_CTRL,
				    vgen_inspect_family_reply, ins);
	if (ret < 0)
		goto err;
	if (!ins->family) {
		ret = -EPROTO;
		goto err;
	}
	*out = ins;
	return 0;

err:
	vgen_inspect_close(ins);
	return ret;
}

VGEN_EXPORT int vgen_inspect_close(struct vgen_inspect *ins)
{
	if (!ins)
		return 0;
	if (ins->nl)
		mnl_socket_close(ins->nl);
	free(ins->buf);
	free(ins);
	return 0;
}

VGEN_EXPORT const char *vgen_inspect_error_message(struct vgen_inspect *ins)
{
	return ins ? ins->errmsg : "";
}

/* ----------------------------------------------------------- requests */

struct vgen_dump_ctx {
	vgen_inspect_partition_fn pfn;
	vgen_inspect_vp_fn vfn;
	void *arg;
	/* vgen_inspect_get_*: the single result. */
	struct vgen_inspect_partition *part;
	struct vgen_inspect_vp *vp;
};

static int vgen_dump_partition_msg(const struct nlmsghdr *nlh, void *arg)
{
	struct vgen_dump_ctx *ctx = arg;
	struct vgen_inspect_partition *p;
	int ret;

	ret = vgen_inspect_partition_parse(nlh, nlh->nlmsg_len, &p);
	if (ret)
		return ret;
	if (ctx->pfn) {
		ret = ctx->pfn(p, ctx->arg);
		free(p);
		return ret;
	}
	if (ctx->part) {		/* more than one reply */
		free(p);
		return -EPROTO;
	}
	ctx->part = p;
	return 0;
}

static int vgen_dump_vp_msg(const struct nlmsghdr *nlh, void *arg)
{
	struct vgen_dump_ctx *ctx = arg;
	struct vgen_inspect_vp *vp;
	int ret;

	ret = vgen_inspect_vp_parse(nlh, nlh->nlmsg_len, &vp);
	if (ret)
		return ret;
	if (ctx->vfn) {
		ret = ctx->vfn(vp, ctx->arg);
		free(vp);
		return ret;
	}
	if (ctx->vp) {
		free(vp);
		return -EPROTO;
	}
	ctx->vp = vp;
	return 0;
}

VGEN_EXPORT int vgen_inspect_dump_partitions(struct vgen_inspect *ins,
					     vgen_inspect_partition_fn fn,
					     void *arg)
{
	struct vgen_dump_ctx ctx = { .pfn = fn, .arg = arg };

	if (!ins || !fn)
		return -EINVAL;
	vgen_inspect_start(ins, ins->family, NLM_F_DUMP,
			   VGEN_CMD_GET_PARTITION, VGEN_GENL_VERSION);
	return vgen_inspect_transact(ins, ins->family,
				     vgen_dump_partition_msg, &ctx);
}

VGEN_EXPORT int vgen_inspect_dump_vps(struct vgen_inspect *ins,
				      uint32_t partition_id,
				      vgen_inspect_vp_fn fn, void *arg)
{
	struct vgen_dump_ctx ctx = { .vfn = fn, .arg = arg };
	struct nlmsghdr *nlh;

	if (!ins || !fn)
		return -EINVAL;
	nlh = vgen_inspect_start(ins, ins->family, NLM_F_DUMP,
				 VGEN_CMD_GET_VP, VGEN_GENL_VERSION);
	mnl_attr_put_u32(nlh, VGEN_A_PARTITION_ID, partition_id);
	return vgen_inspect_transact(ins, ins->family, vgen_dump_vp_msg, &ctx);
}

VGEN_EXPORT int vgen_inspect_get_partition(struct vgen_inspect *ins,
					   uint32_t partition_id,
					   struct vgen_inspect_partition **out)
{
	struct vgen_dump_ctx ctx = { 0 };
	struct nlmsghdr *nlh;
	int ret;

	if (!ins || !out)
		return -EINVAL;
	nlh = vgen_inspect_start(ins, ins->family, NLM_F_ACK,
				 VGEN_CMD_GET_PARTITION, VGEN_GENL_VERSION);
	mnl_attr_put_u32(nlh, VGEN_A_PARTITION_ID, partition_id);
	ret = vgen_inspect_transact(ins, ins->family, vgen_dump_partition_msg,
				    &ctx);
	if (!ret && !ctx.part)
		ret = -EPROTO;
	if (ret) {
		free(ctx.part);
		return ret;
	}
	*out = ctx.part;
	return 0;
}

VGEN_EXPORT int vgen_inspect_get_vp(struct vgen_inspect *ins,
				    uint32_t partition_id, uint32_t vp_index,
				    struct vgen_inspect_vp **out)
{
	struct vgen_dump_ctx ctx = { 0 };
	struct nlmsghdr *nlh;
	int ret;

	if (!ins || !out)
		return -EINVAL;
	nlh = vgen_inspect_start(ins, ins->family, NLM_F_ACK,
				 VGEN_CMD_GET_VP, VGEN_GENL_VERSION);
	mnl_attr_put_u32(nlh, VGEN_A_PARTITION_ID, partition_id);
	mnl_attr_put_u32(nlh, VGEN_A_VP_INDEX, vp_index);
	ret = vgen_inspect_transact(ins, ins->family, vgen_dump_vp_msg, &ctx);
	if (!ret && !ctx.vp)
		ret = -EPROTO;
	if (ret) {
		free(ctx.vp);
		return ret;
	}
	*out = ctx.vp;
	return 0;
}

static int vgen_regs_msg(const struct nlmsghdr *nlh, void *arg)
{
	struct vgen_inspect_regs **out = arg;
	struct vgen_inspect_regs *r;
	int ret;

	ret = vgen_inspect_regs_parse(nlh, nlh->nlmsg_len, &r);
	if (ret)
		return ret;
	if (*out) {
		free(r);
		return -EPROTO;
	}
	*out = r;
	return 0;
}

VGEN_EXPORT int vgen_inspect_get_vp_regs(struct vgen_inspect *ins,
					 uint32_t partition_id,
					 uint32_t vp_index,
					 struct vgen_inspect_regs **out)
{
	struct vgen_inspect_regs *r = NULL;
	struct nlmsghdr *nlh;
	int ret;

	if (!ins || !out)
		return -EINVAL;
	nlh = vgen_inspect_start(ins, ins->family, NLM_F_ACK,
				 VGEN_CMD_GET_VP_REGS, VGEN_GENL_VERSION);
	mnl_attr_put_u32(nlh, VGEN_A_PARTITION_ID, partition_id);
	mnl_attr_put_u32(nlh, VGEN_A_VP_INDEX, vp_index);
	ret = vgen_inspect_transact(ins, ins->family, vgen_regs_msg, &r);
	if (!ret && !r)
		ret = -EPROTO;
	if (ret) {
		free(r);
		return ret;
	}
	*out = r;
	return 0;
}

/* The reply to VGEN_CMD_GET_IRQ_ROUTES: one message. */
struct vgen_routes_ctx {
	struct vgen_inspect_routes routes;
	int replies;
};

static int vgen_routes_msg(const struct nlmsghdr *nlh, void *arg)
{
	struct vgen_routes_ctx *ctx = arg;
	struct vgen_inspect_scalars s = { 0 };

	if (ctx->replies++)
		return -EPROTO;
	return vgen_parse_msg(nlh, nlh->nlmsg_len, VGEN_CMD_GET_IRQ_ROUTES, &s,
			      &(struct vgen_parse_out){
					.routes = &ctx->routes });
}

VGEN_EXPORT int vgen_inspect_get_irq_routes(struct vgen_inspect *ins,
					    uint32_t partition_id,
					    struct vgen_inspect_irq_route *routes,
					    size_t *n)
{
	struct vgen_routes_ctx ctx = { .routes.routes = routes };
	struct nlmsghdr *nlh;
	int ret;

	if (!ins || !routes || !n)
		return -EINVAL;
	nlh = vgen_inspect_start(ins, ins->family, NLM_F_ACK,
				 VGEN_CMD_GET_IRQ_ROUTES, VGEN_GENL_VERSION);
	mnl_attr_put_u32(nlh, VGEN_A_PARTITION_ID, partition_id);
	ret = vgen_inspect_transact(ins, ins->family, vgen_routes_msg, &ctx);
	if (!ret && !ctx.replies)
		ret = -EPROTO;
	if (ret)
		return ret;
	*n = ctx.routes.n;
	return 0;
}

/* ------------------------------------------------------------ monitor */

VGEN_EXPORT int vgen_inspect_monitor_open(struct vgen_inspect_monitor **out)
{
	struct vgen_inspect_monitor *mon;
	int ret;

	if (!out)
		return -EINVAL;
	mon = calloc(1, sizeof(*mon));
	if (!mon)
		return -ENOMEM;
	ret = vgen_inspect_open(&mon->ins);
	if (ret)
		goto err;
	if (!mon->ins->events_group) {
		ret = -EPROTO;
		goto err;
	}
	if (mnl_socket_setsockopt(mon->ins->nl, NETLINK_ADD_MEMBERSHIP,
				  &mon->ins->events_group,
				  sizeof(mon->ins->events_group)) < 0) {
		ret = -errno;
		goto err;
	}
	*out = mon;
	return 0;

err:
	vgen_inspect_monitor_close(mon);
	return ret;
}

VGEN_EXPORT int vgen_inspect_monitor_close(struct vgen_inspect_monitor *mon)
{
	if (!mon)
		return 0;
	vgen_inspect_close(mon->ins);
	free(mon);
	return 0;
}

VGEN_EXPORT int vgen_inspect_monitor_fd(struct vgen_inspect_monitor *mon,
					int *fd)
{
	if (!mon || !fd)
		return -EINVAL;
	*fd = mnl_socket_get_fd(mon->ins->nl);
	return 0;
}

/* Decode one VGEN_CMD_EVENT message. */
static int vgen_parse_event(const struct nlmsghdr *nlh,
			    struct vgen_inspect_event *ev)
{
	struct vgen_inspect_scalars s = { 0 };
	int ret;

	ret = vgen_parse_msg(nlh, nlh->nlmsg_len, VGEN_CMD_EVENT, &s,
			     &(struct vgen_parse_out){ 0 });
	if (ret)
		return ret;
	if (!(s.present & (1ULL << VGEN_A_EVENT)) ||
	    !(s.present & (1ULL << VGEN_A_PARTITION_ID)))
		return -EPROTO;
	memset(ev, 0, sizeof(*ev));
	ev->type = s.val[VGEN_A_EVENT];
	ev->partition_id = s.val[VGEN_A_PARTITION_ID];
	ev->owner_pid = s.val[VGEN_A_PARTITION_OWNER_PID];
	ev->vp_index = s.present & (1ULL << VGEN_A_VP_INDEX) ?
		       s.val[VGEN_A_VP_INDEX] : UINT32_MAX;
	ev->reason = s.val[VGEN_A_EVENT_REASON];
	return 0;
}

VGEN_EXPORT int vgen_inspect_monitor_read(struct vgen_inspect_monitor *mon,
					  struct vgen_inspect_event *ev,
					  int timeout_ms)
{
	struct vgen_inspect *ins;
	const struct nlmsghdr *nlh;
	struct pollfd pfd;
	ssize_t n;
	int r;

	if (!mon || !ev)
		return -EINVAL;
	ins = mon->ins;
	for (;;) {
		/* Next buffered message of the last datagram. */
		while (mon->off < mon->len) {
			nlh = (const void *)(ins->buf + mon->off);
			if (!mnl_nlmsg_ok(nlh, mon->len - mon->off)) {
				mon->off = mon->len;
				return -EPROTO;
			}
			mon->off += MNL_ALIGN(nlh->nlmsg_len);
			if (nlh->nlmsg_type == ins->family)
				return vgen_parse_event(nlh, ev);
		}
		pfd.fd = mnl_socket_get_fd(ins->nl);
		pfd.events = POLLIN;
		r = poll(&pfd, 1, timeout_ms);
		if (r < 0)
			return -errno;
		if (!r)
			return -EAGAIN;
		n = recv(pfd.fd, ins->buf, VGEN_INSPECT_BUF, MSG_DONTWAIT);
		if (n < 0) {
			if (errno == EAGAIN)
				continue;
			return -errno;
		}
		mon->off = 0;
		mon->len = n;
	}
}
