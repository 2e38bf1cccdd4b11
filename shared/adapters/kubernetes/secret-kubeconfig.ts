// The kubeconfig a function reads from a cluster's secret (issue 11, finding 1; docs/security.md).
// A kubeconfig can run code (`exec`, `auth-provider`), read files of the function (`tokenFile`,
// `client-certificate`, `certificate-authority`, …) or turn TLS verification off. In a function
// that may read every cluster's credentials, whoever may write one cluster's secret would then
// control all clusters. So a secret's kubeconfig may carry static credentials only — a bearer
// token, or client certificate and key data — and CA data, with TLS verification on: every other
// key is refused with its name, before the client library sees the document. (A local
// kubeconfig, the user's own, keeps working as kubectl's: shared/adapters/kubernetes/cluster-apis.ts.)
import { parse } from 'yaml';
import * as z from 'zod'; // the namespace import lets esbuild drop what is unused (`{ z }` keeps all of zod: ADR 10)
import { FinalError } from '../../errors.ts';

const Extensions = z.array(z.unknown()).optional();

const ClusterEntry = z.strictObject({
  server: z.url({ protocol: /^https$/, error: 'must be an https:// URL (TLS is required)' }),
  'certificate-authority-data': z.string().min(1).optional(),
  'tls-server-name': z.string().min(1).optional(),
  'disable-compression': z.boolean().optional(),
  /** Written as false by some tools (client-node's exportConfig); true is refused. */
  'insecure-skip-tls-verify': z.literal(false, { error: 'TLS verification must stay on' }).optional(),
  extensions: Extensions,
});

const UserEntry = z.strictObject({
  token: z.string().min(1).optional(),
  'client-certificate-data': z.string().min(1).optional(),
  'client-key-data': z.string().min(1).optional(),
  extensions: Extensions,
}).refine((u) => u.token !== undefined || (u['client-certificate-data'] !== undefined && u['client-key-data'] !== undefined), {
  message: 'needs a token, or client-certificate-data and client-key-data',
});

const ContextEntry = z.strictObject({
  name: z.string().optional(),
  cluster: z.string().min(1),
  user: z.string().min(1),
  namespace: z.string().optional(),
  extensions: Extensions,
});

const StaticKubeConfig = z.strictObject({
  apiVersion: z.string().optional(),
  kind: z.string().optional(),
  preferences: z.record(z.string(), z.unknown()).optional(),
  'current-context': z.string().optional(),
  clusters: z.array(z.strictObject({ name: z.string().min(1), cluster: ClusterEntry })).min(1),
  users: z.array(z.strictObject({ name: z.string().min(1), user: UserEntry })).min(1),
  contexts: z.array(z.strictObject({ name: z.string().min(1), context: ContextEntry })).min(1),
  extensions: Extensions,
});

/** Why keys are refused, by the key's last segment (the issue's list first). */
const WHY: Readonly<Record<string, string>> = {
  exec: 'an exec credential plugin would run a command inside the function',
  'auth-provider': 'an auth provider plugin would run inside the function',
  'insecure-skip-tls-verify': 'TLS verification must stay on',
  'certificate-authority': 'a file path would be read from the function\'s file system; use certificate-authority-data',
  'client-certificate': 'a file path would be read from the function\'s file system; use client-certificate-data',
  'client-key': 'a file path would be read from the function\'s file system; use client-key-data',
  tokenFile: 'a file path would be read from the function\'s file system; use token',
  'proxy-url': 'a proxy would see every request to the cluster',
  username: 'basic authentication is not accepted; use a ServiceAccount token',
  password: 'basic authentication is not accepted; use a ServiceAccount token',
  as: 'impersonation is not accepted',
  'as-groups': 'impersonation is not accepted',
  'as-uid': 'impersonation is not accepted',
  'as-user-extra': 'impersonation is not accepted',
};

/**
 * Validates a kubeconfig from a secret: only static credentials and TLS verification on.
 * Throws FinalError naming the first key at fault (a sync cannot succeed until the secret is fixed).
 */
export function assertStaticKubeConfig(text: string, secretName: string): void {
  let doc: unknown;
  try {
    doc = parse(text);
  } catch (error) {
    throw new FinalError(`secret ${secretName}: not a kubeconfig (${error instanceof Error ? error.message.split('\n')[0] : String(error)}); store a kubeconfig YAML in it`, { cause: error });
  }
  const result = StaticKubeConfig.safeParse(doc);
  if (result.success) return;
  const issue = result.error.issues[0];
  const path = issue?.path.map(String) ?? [];
  const key = issue?.code === 'unrecognized_keys' ? String(issue.keys[0]) : undefined;
  const where = [...path, ...(key === undefined ? [] : [key])].join('.');
  const why = key !== undefined ? (WHY[key] ?? 'not a static credential, CA data or server setting') : (issue?.message ?? 'invalid');
  throw new FinalError(`secret ${secretName}: ${where || 'kubeconfig'}: ${key !== undefined ? 'not accepted: ' : ''}${why}; a cluster's secret holds only static credentials (token, or client certificate and key data) and CA data, with TLS verification on (docs/security.md)`, { cause: result.error });
}
