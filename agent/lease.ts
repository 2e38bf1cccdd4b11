// The FloorStore over the agent's Lease (coordination.k8s.io/v1) `gns-sync-agent` in its own
// namespace: holderIdentity, leaseDurationSeconds and renewTime elect the publisher; the
// annotation `gns-sync.io/hlc-floor` holds the HLC floor (docs/adr/0002). Writes are
// conditional on the resourceVersion read, so two agents never both win a round.
import { V1MicroTime } from '@kubernetes/client-node';
import type { CoordinationV1Api, V1Lease } from '@kubernetes/client-node';
import { HANDBACK_ANNOTATION, parseHandback } from '../shared/core/handback.ts';
import { formatHlc, isHlc, parseHlc } from '../shared/core/hlc.ts';
import { DEFAULT_INSTALLATION, LABEL_INSTALLATION, installationOf, perInstallationName } from '../shared/core/installation.ts';
import { RetryableError } from '../shared/errors.ts';
import type { FloorStore, LeaseRecord } from './clock.ts';

export const LEASE_NAME = 'gns-sync-agent';

/** The Lease of an installation's agents: `gns-sync-agent` (default installation), `gns-sync-agent-<installation>`. */
export const leaseNameOf = (installation: string = DEFAULT_INSTALLATION): string => perInstallationName(LEASE_NAME, installation);
export const FLOOR_ANNOTATION = 'gns-sync.io/hlc-floor';

/** The Lease could not be read or written; the elector retries next round. */
export class LeaseError extends RetryableError {
  override readonly name: string = 'LeaseError';
}

const statusOf = (error: unknown): number | undefined => {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'number' ? code : undefined;
};

/** The floor annotation: an HLC (`001764366000123.000000`) or, leniently, integer milliseconds. */
export function parseFloor(value: string | undefined): number {
  if (value === undefined) return 0;
  if (isHlc(value)) return parseHlc(value).ms;
  return /^\d{1,15}$/.test(value) ? Number(value) : 0;
}

export function toLeaseRecord(lease: V1Lease): LeaseRecord {
  const spec = lease.spec ?? {};
  const renew = spec.renewTime === undefined ? 0 : new Date(spec.renewTime).getTime();
  const handback = lease.metadata?.annotations?.[HANDBACK_ANNOTATION];
  return {
    holder: spec.holderIdentity ?? '',
    renewTimeMs: Number.isFinite(renew) ? renew : 0,
    durationMs: (spec.leaseDurationSeconds ?? 15) * 1000,
    floorMs: parseFloor(lease.metadata?.annotations?.[FLOOR_ANNOTATION]),
    ...(handback === undefined ? {} : { handback: parseHandback(handback) }),
  };
}

function leaseBody(record: LeaseRecord, namespace: string, name: string, installation: string, previous: V1Lease | undefined): V1Lease {
  const before = previous?.spec ?? {};
  const takeover = before.holderIdentity !== record.holder && record.holder !== '';
  return {
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata: {
      ...previous?.metadata,
      name,
      namespace,
      annotations: { ...previous?.metadata?.annotations, [FLOOR_ANNOTATION]: formatHlc(record.floorMs, 0) },
      labels: { ...previous?.metadata?.labels, [LABEL_INSTALLATION]: installation },
    },
    spec: {
      ...before,
      holderIdentity: record.holder,
      leaseDurationSeconds: Math.max(1, Math.ceil(record.durationMs / 1000)),
      renewTime: new V1MicroTime(record.renewTimeMs),
      ...(takeover ? { acquireTime: new V1MicroTime(record.renewTimeMs), leaseTransitions: (before.leaseTransitions ?? 0) + (previous === undefined ? 0 : 1) } : {}),
    },
  };
}

/**
 * The floor store over the Lease of an installation (`installation`, default the default one):
 * its name is per installation, and it is labelled with the installation. A Lease of that name
 * labelled as another installation's is never taken over (LeaseError, retried each round).
 */
export function leaseFloorStore(api: CoordinationV1Api, namespace: string, installation: string = DEFAULT_INSTALLATION): FloorStore {
  const name = leaseNameOf(installation);
  return {
    async read() {
      let lease: V1Lease;
      try {
        lease = await api.readNamespacedLease({ name, namespace });
      } catch (error) {
        if (statusOf(error) === 404) return { token: undefined };
        throw new LeaseError(`could not read Lease ${namespace}/${name}: ${String(error)}; the agent retries next round`, { cause: error });
      }
      const owner = installationOf(lease.metadata?.labels);
      if (owner !== installation) {
        throw new LeaseError(`Lease ${namespace}/${name} belongs to installation "${owner}", not "${installation}"; this agent does not take it (rename the installation or delete the Lease)`);
      }
      return { record: toLeaseRecord(lease), token: lease };
    },
    async write(record, token) {
      const previous = token as V1Lease | undefined;
      const body = leaseBody(record, namespace, name, installation, previous);
      try {
        if (previous === undefined) await api.createNamespacedLease({ namespace, body });
        else await api.replaceNamespacedLease({ name, namespace, body });
        return true;
      } catch (error) {
        if (statusOf(error) === 409) return false;
        throw new LeaseError(`could not write Lease ${namespace}/${name}: ${String(error)}; the agent retries next round`, { cause: error });
      }
    },
  };
}
