/* A bridge's IFLA_INFO_DATA, for both helpers; see bridge.h.  No libnl:
 * the planner's kind half links it. */
#include <linux/if_link.h>

#include "common/attr.h"
#include "common/bridge.h"

#define USER_HZ 100

void xp_br_info_parse(const struct nlattr *info_data, struct xp_br_info *bi)
{
	const struct nlattr *d[IFLA_BR_MAX + 1];

	if (!info_data)
		return;
	xp_attr_parse(d, IFLA_BR_MAX, info_data);
	if (d[IFLA_BR_STP_STATE])
		bi->stp = xp_attr_u32(d[IFLA_BR_STP_STATE], 0) ? 1 : 0;
	if (d[IFLA_BR_FORWARD_DELAY])
		bi->forward_delay = (int)(xp_attr_u32(d[IFLA_BR_FORWARD_DELAY], 0) / USER_HZ);
	if (d[IFLA_BR_VLAN_FILTERING])
		bi->vlan_filtering = (int)xp_attr_u8(d[IFLA_BR_VLAN_FILTERING], 0);
	if (d[IFLA_BR_VLAN_DEFAULT_PVID])
		bi->default_pvid = (int)xp_attr_u16(d[IFLA_BR_VLAN_DEFAULT_PVID], 0);
}
