// A MetalLB-like load-balancer controller: every Service of type LoadBalancer gets an address
// from the cluster's pool in status.loadBalancer.ingress (a requested spec.loadBalancerIP when
// free), kept while the Service lives and released when it goes or stops being a LoadBalancer.
import type { KubeObject } from '../api/objects.ts';
import { clone, isPlainObject } from '../api/objects.ts';
import type { Registry } from '../api/registry.ts';
import { findResource } from '../api/resources.ts';
import { ApiError } from '../api/status.ts';
import type { StoreEvent } from '../api/store.ts';
import { Ipv4Allocator } from '../ip.ts';
import { WorkQueue } from './work-queue.ts';

const SERVICES = findResource('', 'v1', 'services')!;

function ingressIp(svc: KubeObject): string | undefined {
  const status = isPlainObject(svc.status) ? svc.status : {};
  const lb = isPlainObject(status.loadBalancer) ? status.loadBalancer : {};
  const first = Array.isArray(lb.ingress) ? lb.ingress.find(isPlainObject) : undefined;
  return typeof first?.ip === 'string' ? first.ip : undefined;
}

export class LoadBalancerController {
  private readonly registry: Registry;
  private readonly pool: Ipv4Allocator;
  private readonly queue: WorkQueue;
  /** Address held, by service uid. */
  private readonly held = new Map<string, string>();
  private unsubscribe = (): void => {};

  constructor(registry: Registry, poolCidr: string) {
    this.registry = registry;
    this.pool = new Ipv4Allocator(poolCidr, 1);
    this.queue = new WorkQueue((key) => this.sync(key));
  }

  start(): void {
    this.unsubscribe = this.registry.store.subscribe((ev) => this.onEvent(ev));
    for (const svc of this.registry.store.bucket('services').values()) this.queue.add(`${svc.metadata.namespace}/${svc.metadata.name}`);
  }

  stop(): void {
    this.unsubscribe();
    this.queue.stop();
  }

  private onEvent(ev: StoreEvent): void {
    if (ev.storage !== 'services') return;
    if (ev.type === 'DELETED') {
      const uid = ev.object.metadata.uid ?? '';
      const ip = this.held.get(uid);
      if (ip !== undefined) this.pool.release(ip);
      this.held.delete(uid);
      return;
    }
    this.queue.add(`${ev.object.metadata.namespace}/${ev.object.metadata.name}`);
  }

  private sync(key: string): void {
    const [namespace, name] = key.split('/') as [string, string];
    const svc = this.registry.find(SERVICES, namespace, name);
    if (!svc) return;
    const spec = isPlainObject(svc.spec) ? svc.spec : {};
    const uid = svc.metadata.uid ?? '';
    const held = this.held.get(uid);
    if (spec.type !== 'LoadBalancer') {
      if (held !== undefined) {
        this.pool.release(held);
        this.held.delete(uid);
        this.writeIngress(svc, undefined);
      }
      return;
    }
    let ip = held;
    if (ip === undefined) {
      const wanted = typeof spec.loadBalancerIP === 'string' && spec.loadBalancerIP !== '' ? spec.loadBalancerIP : undefined;
      ip = wanted !== undefined && this.pool.claim(wanted) ? wanted : this.pool.allocate();
      this.held.set(uid, ip);
    }
    if (ingressIp(svc) !== ip) this.writeIngress(svc, ip);
  }

  private writeIngress(svc: KubeObject, ip: string | undefined): void {
    const next = clone(svc);
    next.status = { ...(isPlainObject(next.status) ? next.status : {}), loadBalancer: ip === undefined ? {} : { ingress: [{ ip, ipMode: 'VIP' }] } };
    try {
      this.registry.update(SERVICES, svc.metadata.namespace, svc.metadata.name ?? '', next, { subresource: 'status', internal: true });
    } catch (error) {
      if (!(error instanceof ApiError && (error.code === 404 || error.code === 409))) throw error;
      this.queue.add(`${svc.metadata.namespace}/${svc.metadata.name}`);
    }
  }
}
