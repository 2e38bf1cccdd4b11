// The returning absences of a GNS's members (docs/adr/0019-a-restart-keeps-its-routing.md): pods
// deleted while their StatefulSet still wants them, read with the members' visible records (the
// batch's member reads share one query per member: sources.ts).
import type { ReturningSource } from '../../shared/core/routing/keep.ts';
import type { MemberRef } from '../../shared/core/types.ts';
import type { StateStore } from '../../shared/ports.ts';

export async function loadReturning(store: StateStore, members: readonly MemberRef[]): Promise<ReturningSource[]> {
  const perMember = await Promise.all(
    members.map(async (m) => ((await store.namespaceOf(m.cluster, m.namespace)).returning ?? []).map((pod) => ({ cluster: m.cluster, namespace: m.namespace, pod }))),
  );
  return perMember.flat();
}
