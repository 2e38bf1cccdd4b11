// The ServiceAccount controllers of kube-controller-manager (Kubernetes v1.32
// pkg/controller/serviceaccount): every namespace gets its `default` ServiceAccount (with
// --rbac), and the token controller fills each `kubernetes.io/service-account-token` Secret with
// a long-lived token of its ServiceAccount, the cluster CA and the namespace (and the
// ServiceAccount's uid as an annotation), and deletes the Secret when that ServiceAccount is
// gone or was recreated — which revokes the token (local/sim/api/auth/authenticate.ts).
import { SERVICE_ACCOUNT_TOKEN_TYPE } from '../api/auth/authenticate.ts';
import type { TokenSigner } from '../api/auth/tokens.ts';
import { SA_NAME_ANNOTATION, SA_UID_ANNOTATION } from '../api/auth/validation.ts';
import type { KubeObject } from '../api/objects.ts';
import { clone, isPlainObject } from '../api/objects.ts';
import type { Registry } from '../api/registry.ts';
import { findResource } from '../api/resources.ts';
import { ApiError } from '../api/status.ts';
import type { StoreEvent } from '../api/store.ts';
import { WorkQueue } from './work-queue.ts';

const SECRETS = findResource('', 'v1', 'secrets')!;
const SERVICE_ACCOUNTS = findResource('', 'v1', 'serviceaccounts')!;

const b64 = (text: string): string => Buffer.from(text).toString('base64');

export class ServiceAccountController {
  private readonly registry: Registry;
  private readonly signer: TokenSigner;
  private readonly defaultAccounts: boolean;
  private readonly caPem: string;
  private readonly namespaces: WorkQueue;
  private readonly secrets: WorkQueue;
  private unsubscribe = (): void => {};

  /** `caPem`: the cluster's CA (ca.crt); `defaultAccounts`: create each namespace's `default` ServiceAccount. */
  constructor(registry: Registry, signer: TokenSigner, caPem: string, defaultAccounts: boolean) {
    this.registry = registry;
    this.signer = signer;
    this.defaultAccounts = defaultAccounts;
    this.caPem = caPem;
    this.namespaces = new WorkQueue((ns) => this.ensureDefault(ns));
    this.secrets = new WorkQueue((key) => this.syncSecret(key));
  }

  start(): void {
    this.unsubscribe = this.registry.store.subscribe((ev) => this.onEvent(ev));
    for (const ns of this.registry.store.bucket('namespaces').values()) this.namespaces.add(ns.metadata.name ?? '');
    for (const s of this.registry.store.bucket('secrets').values()) this.secrets.add(`${s.metadata.namespace}/${s.metadata.name}`);
  }

  stop(): void {
    this.unsubscribe();
    this.namespaces.stop();
    this.secrets.stop();
  }

  private onEvent(ev: StoreEvent): void {
    if (ev.storage === 'namespaces' && ev.type !== 'DELETED') this.namespaces.add(ev.object.metadata.name ?? '');
    else if (ev.storage === 'serviceaccounts') {
      if (ev.object.metadata.name === 'default' && ev.type === 'DELETED') this.namespaces.add(ev.object.metadata.namespace ?? '');
      for (const s of this.registry.store.list('secrets', ev.object.metadata.namespace)) {
        if (s.metadata.annotations?.[SA_NAME_ANNOTATION] === ev.object.metadata.name) this.secrets.add(`${s.metadata.namespace}/${s.metadata.name}`);
      }
    } else if (ev.storage === 'secrets' && ev.type !== 'DELETED') this.secrets.add(`${ev.object.metadata.namespace}/${ev.object.metadata.name}`);
  }

  private ensureDefault(namespace: string): void {
    if (!this.defaultAccounts) return;
    const ns = this.registry.store.get('namespaces', undefined, namespace);
    if (!ns || ns.metadata.deletionTimestamp || this.registry.store.get('serviceaccounts', namespace, 'default')) return;
    try {
      this.registry.create(SERVICE_ACCOUNTS, namespace, { metadata: { name: 'default' } }, { internal: true });
    } catch (error) {
      if (!(error instanceof ApiError && (error.code === 409 || error.code === 403 || error.code === 404))) throw error;
    }
  }

  private syncSecret(key: string): void {
    const [namespace, name] = key.split('/') as [string, string];
    const secret = this.registry.store.get('secrets', namespace, name);
    if (!secret || secret.type !== SERVICE_ACCOUNT_TOKEN_TYPE || secret.metadata.deletionTimestamp) return;
    const annotations = secret.metadata.annotations ?? {};
    const sa = this.registry.store.get('serviceaccounts', namespace, annotations[SA_NAME_ANNOTATION] ?? '');
    const wantedUid = annotations[SA_UID_ANNOTATION];
    if (!sa || sa.metadata.deletionTimestamp || (wantedUid !== undefined && wantedUid !== sa.metadata.uid)) {
      this.deleteSecret(namespace, name);
      return;
    }
    const data = isPlainObject(secret.data) ? secret.data : {};
    // As tokens_controller.go's needsTokenUpdate: a token already there is kept (one not signed by the cluster authenticates no one).
    const valid = typeof data.token === 'string' && data.token !== '';
    if (valid && data['ca.crt'] !== undefined && data.namespace !== undefined && wantedUid === sa.metadata.uid) return;
    const next: KubeObject = clone(secret);
    next.metadata.annotations = { ...annotations, [SA_UID_ANNOTATION]: sa.metadata.uid ?? '' };
    next.data = {
      ...data,
      'ca.crt': b64(this.caPem),
      namespace: b64(namespace),
      token: valid ? data.token : b64(this.signer.legacy({ namespace, name: sa.metadata.name ?? '', uid: sa.metadata.uid ?? '' }, name)),
    };
    this.registry.update(SECRETS, namespace, name, next, { internal: true });
  }

  private deleteSecret(namespace: string, name: string): void {
    try {
      this.registry.delete(SECRETS, namespace, name);
    } catch (error) {
      if (!(error instanceof ApiError && error.code === 404)) throw error;
    }
  }
}
