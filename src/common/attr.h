/* Netlink attributes read without libnl, header-only: the planner's side of
 * the tree (the kinds' observe halves, the bridge-info parser) links no
 * netlink library. */
#ifndef XP_COMMON_ATTR_H
#define XP_COMMON_ATTR_H

#include <linux/netlink.h>
#include <stdint.h>
#include <string.h>

/* Reading a nest of attributes (a kind's IFLA_INFO_DATA) without libnl:
 * tb[type] after xp_attr_parse (types above max ignored; short attributes dropped). */
static inline void xp_attr_parse(const struct nlattr **tb, int max, const struct nlattr *nest)
{
	const unsigned char *p, *end;

	memset(tb, 0, (size_t)(max + 1) * sizeof(*tb));
	if (!nest || nest->nla_len < NLA_HDRLEN)
		return;
	p = (const unsigned char *)nest + NLA_HDRLEN;
	end = (const unsigned char *)nest + nest->nla_len;
	while (p + NLA_HDRLEN <= end) {
		const struct nlattr *a = (const struct nlattr *)(const void *)p;
		int type = a->nla_type & NLA_TYPE_MASK;
		if (a->nla_len < NLA_HDRLEN || p + a->nla_len > end)
			break;
		if (type <= max)
			tb[type] = a;
		p += NLA_ALIGN(a->nla_len);
	}
}
static inline const void *xp_attr_data(const struct nlattr *a, size_t need)
{
	return a && a->nla_len >= NLA_HDRLEN + need ? (const unsigned char *)a + NLA_HDRLEN : NULL;
}
/* The attribute's value, or dflt when it is missing or short. */
static inline unsigned xp_attr_u8(const struct nlattr *a, unsigned dflt)
{
	const uint8_t *d = xp_attr_data(a, 1);
	return d ? *d : dflt;
}
static inline unsigned xp_attr_u16(const struct nlattr *a, unsigned dflt)
{
	uint16_t v;
	const void *d = xp_attr_data(a, 2);
	if (!d)
		return dflt;
	memcpy(&v, d, 2);
	return v;
}
static inline uint32_t xp_attr_u32(const struct nlattr *a, uint32_t dflt)
{
	uint32_t v;
	const void *d = xp_attr_data(a, 4);
	if (!d)
		return dflt;
	memcpy(&v, d, 4);
	return v;
}

#endif
