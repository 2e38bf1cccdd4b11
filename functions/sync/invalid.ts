// A target that is invalid now (bad JSON, an annotation over the agent's limit, too many ports,
// a selector, not headless: shared/core/target.ts). Bad input changes nothing that worked
// (issue 10, case 5): the slices it published while it was valid stay exactly as they are, and
// their VIPs stay held, until the Service is fixed (the next sync publishes again) or deleted
// (that sync removes them). Only the Warning event and the status say what is wrong.
import { parseIdentityKey } from '../../shared/core/identity.ts';
import { ownedBy } from '../../shared/core/plan.ts';
import { LABEL_GNS } from '../../shared/core/types.ts';
import type { Slice, TargetRef } from '../../shared/core/types.ts';
import type { ClusterApi, VipAllocator } from '../../shared/ports.ts';

export interface KeptState {
  /** This installation's slices of the target, left unchanged. */
  readonly slices: readonly Slice[];
  readonly endpoints: number;
  /** Endpoints whose address is a VIP bound in the target's GNS (held, so never released under it). */
  readonly vips: number;
}

/** The slices an invalid target keeps publishing; re-asserts the VIPs in them (`ensure` clears a gone mark). */
export async function keepLastValidState(
  api: ClusterApi,
  vipAllocator: VipAllocator,
  target: TargetRef,
  installation: string,
  now: number,
): Promise<KeptState> {
  const owned = ownedBy(installation);
  const slices = (await api.listSlices(target.namespace, target.name)).filter((s) => owned(s) && s.labels[LABEL_GNS] === target.gns);
  const addresses = slices.flatMap((s) => s.endpoints.flatMap((e) => e.addresses));
  const endpoints = slices.reduce((n, s) => n + s.endpoints.length, 0);
  if (addresses.length === 0) return { slices, endpoints, vips: 0 };
  const published = new Set(addresses);
  const bound = await vipAllocator.listGns(target.gns); // `cluster/namespace/pod` → VIP
  const heldEntries = [...bound].filter(([, vip]) => published.has(vip));
  const held = heldEntries.map(([key]) => parseIdentityKey(`${target.gns}/${key}`));
  if (held.length > 0) await vipAllocator.ensure(held, now);
  const heldVips = new Set(heldEntries.map(([, vip]) => vip));
  const vips = addresses.filter((a) => heldVips.has(a)).length;
  return { slices, endpoints, vips };
}

/** The Warning and status line of an invalid target: the problem, and what is kept. */
export function invalidTargetLine(problem: string, kept: KeptState): string {
  const keeps = kept.endpoints === 0
    ? 'it has published nothing, so nothing is published until it is fixed'
    : `keeping the last valid state: ${kept.endpoints} endpoint(s) in ${kept.slices.length} slice(s) stay published unchanged until the Service is fixed or deleted`;
  return `InvalidTarget: ${problem}; ${keeps}`;
}
