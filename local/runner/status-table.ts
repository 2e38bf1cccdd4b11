// `gns-sync status`: the table of targets — GNS, cluster/namespace/service, endpoints, VIPs,
// last sync, last error.
import type { GlobalNamespace } from '../../shared/core/types.ts';
import type { TargetStatus } from '../../shared/ports.ts';

function ago(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s}s ago`;
  if (s < 3600) return `${Math.floor(s / 60)}m${s % 60 ? `${s % 60}s` : ''} ago`;
  return `${Math.floor(s / 3600)}h${Math.floor((s % 3600) / 60)}m ago`;
}

/**
 * The statuses of targets that lie in a member of their GNS in the current config, and how
 * many others there are. The store keeps the last status of a target whose member (or GNS)
 * was removed from the config; gns-sync removed its slices there, so its last endpoints
 * would mislead.
 */
export function memberStatuses(
  statuses: readonly TargetStatus[],
  globalNamespaces: readonly GlobalNamespace[],
): { readonly shown: readonly TargetStatus[]; readonly hidden: number } {
  const members = new Set(globalNamespaces.flatMap((g) => g.members.map((m) => `${g.name}/${m.cluster}/${m.namespace}`)));
  const shown = statuses.filter((s) => members.has(`${s.target.gns}/${s.target.cluster}/${s.target.namespace}`));
  return { shown: shown.length === statuses.length ? statuses : shown, hidden: statuses.length - shown.length };
}

export function formatTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join('  ').trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}

export function formatStatusTable(statuses: readonly TargetStatus[], now: number): string {
  if (statuses.length === 0) return 'No targets synced yet.';
  const sorted = [...statuses].sort((a, b) =>
    `${a.target.gns}/${a.target.cluster}/${a.target.namespace}/${a.target.name}`.localeCompare(`${b.target.gns}/${b.target.cluster}/${b.target.namespace}/${b.target.name}`));
  return formatTable(
    ['GNS', 'TARGET (cluster/namespace/service)', 'ENDPOINTS', 'VIPS', 'LAST SYNC', 'LAST ERROR'],
    sorted.map((s) => [
      s.target.gns,
      `${s.target.cluster}/${s.target.namespace}/${s.target.name}`,
      String(s.endpoints),
      String(s.vips),
      ago(now - s.lastSyncAt),
      (s.lastError ?? '-').split('\n')[0]!,
    ]),
  );
}
