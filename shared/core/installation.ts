// The installation identity (docs/adr/0015-installation-identity.md): two installations of
// gns-sync may share a cluster, so every object gns-sync writes carries the name of the
// installation that wrote it, and each installation changes or deletes only its own. Slices
// written before the label existed carry none: they belong to the default installation.
import { LABEL_MANAGED_BY, MANAGED_BY } from './types.ts';

/** The installation of a config that names none. */
export const DEFAULT_INSTALLATION = 'default';

/** The label on every object gns-sync writes (slices, events, leases, routing objects). */
export const LABEL_INSTALLATION = 'gns-sync.io/installation';

/** An installation name: a DNS-1123 label of at most 40 characters (it ends up in object names). */
export const INSTALLATION_RE = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
export const MAX_INSTALLATION_LENGTH = 40;

export function isInstallationName(name: string): boolean {
  return name.length <= MAX_INSTALLATION_LENGTH && INSTALLATION_RE.test(name);
}

/** The labels that mark an object as written by this installation. */
export function installationLabels(installation: string): Readonly<Record<string, string>> {
  return { [LABEL_INSTALLATION]: installation };
}

/**
 * The installation an object belongs to, by its labels: the label's value, or the default
 * installation when the label is absent (objects written before installations existed).
 */
export function installationOf(labels: Readonly<Record<string, string>> | undefined): string {
  const value = labels?.[LABEL_INSTALLATION];
  return value === undefined ? DEFAULT_INSTALLATION : value;
}

/** Whether labels mark an object as this installation's (unlabelled: the default one's). */
export function belongsTo(labels: Readonly<Record<string, string>> | undefined, installation: string): boolean {
  return installationOf(labels) === installation;
}

/** Whether gns-sync of this installation owns a slice: managed by gns-sync and labelled as this installation's. */
export function ownsSlice(labels: Readonly<Record<string, string>> | undefined, installation: string): boolean {
  return labels?.[LABEL_MANAGED_BY] === MANAGED_BY && belongsTo(labels, installation);
}

/**
 * A name for a per-installation object (the agent's Lease, the inventory ConfigMap): `base`
 * for the default installation (the names of today), `base-<installation>` for any other.
 */
export function perInstallationName(base: string, installation: string): string {
  return installation === DEFAULT_INSTALLATION ? base : `${base}-${installation}`;
}
