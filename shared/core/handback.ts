// The hand-back channel (docs/adr/0014-store-completeness.md): what the functions tell a
// cluster's agent through its own Lease, the one object the agent already reads every few
// seconds. An annotation `gns-sync.io/handback` holds a small JSON object; each field is
// optional and travels independently:
//   incarnation  the store's incarnation: a new one asks the agent to resnapshot every namespace
//   floor        the highest version stored for the cluster: the agent's clock never issues at or
//                below it (a floor a lost Lease cannot take away, ADR 2)
// Pure: parsing, merging, formatting.
import { isHlc } from './hlc.ts';
import type { Hlc } from './types.ts';

export const HANDBACK_ANNOTATION = 'gns-sync.io/handback';

export interface Handback {
  readonly incarnation?: string;
  readonly floor?: Hlc;
}

/** The hand-back in an annotation value; anything malformed reads as absent (never throws). */
export function parseHandback(value: string | undefined): Handback {
  if (value === undefined) return {};
  let raw: unknown;
  try {
    raw = JSON.parse(value);
  } catch {
    return {};
  }
  if (raw === null || typeof raw !== 'object') return {};
  const { incarnation, floor } = raw as Record<string, unknown>;
  return {
    ...(typeof incarnation === 'string' && incarnation.length > 0 && incarnation.length <= 128 ? { incarnation } : {}),
    ...(typeof floor === 'string' && isHlc(floor) ? { floor } : {}),
  };
}

/** The annotation value (keys in a fixed order, so equal hand-backs are equal strings). */
export function formatHandback(h: Handback): string {
  return JSON.stringify({ ...(h.incarnation === undefined ? {} : { incarnation: h.incarnation }), ...(h.floor === undefined ? {} : { floor: h.floor }) });
}

/** `update` over `current`: a given incarnation replaces, a floor only ever rises. */
export function mergeHandback(current: Handback, update: Handback): Handback {
  const floor = update.floor === undefined || (current.floor !== undefined && current.floor >= update.floor) ? current.floor : update.floor;
  const incarnation = update.incarnation ?? current.incarnation;
  return { ...(incarnation === undefined ? {} : { incarnation }), ...(floor === undefined ? {} : { floor }) };
}
