// Who a request is from, as the API server's authenticators describe it (k8s.io/apiserver
// pkg/authentication/user and serviceaccount/util.go, Kubernetes v1.32).

export interface UserInfo {
  readonly username: string;
  readonly uid?: string;
  readonly groups: readonly string[];
  readonly extra?: Readonly<Record<string, readonly string[]>>;
}

export const SYSTEM_MASTERS = 'system:masters';
export const ALL_AUTHENTICATED = 'system:authenticated';
export const ALL_SERVICE_ACCOUNTS = 'system:serviceaccounts';
const SA_PREFIX = 'system:serviceaccount:';

/** The kubeconfig's admin, as kind's admin.conf names it, in the privileged group. */
export const ADMIN: UserInfo = { username: 'kubernetes-admin', groups: [SYSTEM_MASTERS, ALL_AUTHENTICATED] };

export const serviceAccountUsername = (namespace: string, name: string): string => `${SA_PREFIX}${namespace}:${name}`;

/** A ServiceAccount's user: its username, uid and the groups every ServiceAccount gets. */
export function serviceAccountUser(namespace: string, name: string, uid: string, extra?: Record<string, string[]>): UserInfo {
  return {
    username: serviceAccountUsername(namespace, name),
    uid,
    groups: [ALL_SERVICE_ACCOUNTS, `${ALL_SERVICE_ACCOUNTS}:${namespace}`, ALL_AUTHENTICATED],
    ...(extra && Object.keys(extra).length > 0 ? { extra } : {}),
  };
}
