// A kubelet and scheduler stand-in: binds new pods to the cluster's node — after `startDelayMs`
// (scheduling, sandbox and network setup: the pod is Pending without an IP meanwhile), and only
// while the node is schedulable (`kubectl cordon` keeps new pods Pending, Unschedulable, until
// `kubectl uncordon`) — gives each an IP
// from the cluster's pod CIDR (never one in use), sets it Running, and Ready after a delay
// unless a test switched readiness off, or the pod carries the annotation
// `sim.gns-sync.io/ready: "false"` (kubectl's way to fail a pod's readiness: the sim runs no
// probes). A pod marked for deletion turns not-ready (its containers got SIGTERM); when its
// containers have exited — after `containerStopMs`, or at the end of the pod's grace when they
// take longer (SIGKILL) — the kubelet records the terminal phase and deletes the pod with grace 0
// and a uid precondition, as the kubelet's status manager does.
import type { KubeObject } from '../api/objects.ts';
import { clone, isPlainObject, objectKey, timestamp } from '../api/objects.ts';
import type { Registry } from '../api/registry.ts';
import { findResource } from '../api/resources.ts';
import { ApiError } from '../api/status.ts';
import type { StoreEvent } from '../api/store.ts';
import type { Ipv4Allocator } from '../ip.ts';
import type { EventRecorder } from './events.ts';
import { WorkQueue } from './work-queue.ts';

type Obj = Record<string, unknown>;
const PODS = findResource('', 'v1', 'pods')!;
const NODES = findResource('', 'v1', 'nodes')!;

/** `kubectl annotate pod NAME sim.gns-sync.io/ready=false` makes a running pod not-ready; removing it makes it Ready again. */
export const SIM_READY_ANNOTATION = 'sim.gns-sync.io/ready';

export interface KubeletOptions {
  readonly nodeName: string;
  readonly hostIP: string;
  readonly readyDelayMs: number;
  readonly podIps: Ipv4Allocator;
  readonly now: () => number;
  /** How long containers take to exit after SIGTERM; Infinity: they use the whole grace period. */
  readonly containerStopMs: number;
  /** How long a new pod stays Pending without an IP before it is bound and started (default 0). */
  readonly startDelayMs?: number;
}

function condition(type: string, ok: boolean, now: string): Obj {
  return { type, status: ok ? 'True' : 'False', lastProbeTime: null, lastTransitionTime: now };
}

export class Kubelet {
  private readonly registry: Registry;
  private readonly opts: KubeletOptions;
  private readonly events: EventRecorder;
  private readonly queue: WorkQueue;
  /** Readiness switched off (false) or on (true) by tests, by namespace/name. */
  private readonly readiness = new Map<string, boolean>();
  /** Pods (by uid) whose ready delay has passed. */
  private readonly warmedUp = new Set<string>();
  /** New pods (by uid) waiting out the start delay (false) or past it (true). */
  private readonly starting = new Map<string, boolean>();
  /** IPs by pod uid, released when the pod is gone. */
  private readonly ips = new Map<string, string>();
  private readonly timers = new Set<ReturnType<typeof setTimeout>>();
  /** Terminating pods (by uid): when the kubelet first saw the deletion, and when their containers exit. */
  private readonly terminating = new Map<string, { seen: number; due: number; timer: ReturnType<typeof setTimeout> }>();
  private unsubscribe = (): void => {};

  constructor(registry: Registry, events: EventRecorder, opts: KubeletOptions) {
    this.registry = registry;
    this.events = events;
    this.opts = opts;
    this.queue = new WorkQueue((key) => this.sync(key));
  }

  start(): void {
    this.unsubscribe = this.registry.store.subscribe((ev) => this.onEvent(ev));
  }

  stop(): void {
    this.unsubscribe();
    this.queue.stop();
    for (const t of this.timers) clearTimeout(t);
    for (const t of this.terminating.values()) clearTimeout(t.timer);
  }

  setReady(namespace: string, name: string, ready: boolean): void {
    this.readiness.set(objectKey(namespace, name), ready);
    this.queue.add(objectKey(namespace, name));
  }

  private onEvent(ev: StoreEvent): void {
    if (ev.storage === NODES.storage && ev.object.metadata.name === this.opts.nodeName) {
      // Cordoned or uncordoned: the pods not started yet are scheduled again.
      for (const pod of this.registry.store.list(PODS.storage)) {
        if (!this.ips.has(pod.metadata.uid ?? '')) this.queue.add(objectKey(pod.metadata.namespace, pod.metadata.name ?? ''));
      }
      return;
    }
    if (ev.storage !== 'pods') return;
    const uid = ev.object.metadata.uid ?? '';
    if (ev.type === 'DELETED') {
      this.starting.delete(uid);
      const ip = this.ips.get(uid);
      if (ip) this.opts.podIps.release(ip);
      this.ips.delete(uid);
      this.warmedUp.delete(uid);
      const t = this.terminating.get(uid);
      if (t) clearTimeout(t.timer);
      this.terminating.delete(uid);
      return;
    }
    this.queue.add(objectKey(ev.object.metadata.namespace, ev.object.metadata.name ?? ''));
  }

  private later(ms: number, fn: () => void): void {
    const t = setTimeout(() => {
      this.timers.delete(t);
      fn();
    }, ms);
    this.timers.add(t);
  }

  private sync(key: string): void {
    const [namespace, name] = key.split('/') as [string, string];
    const pod = this.registry.find(PODS, namespace, name);
    if (!pod) return;
    const uid = pod.metadata.uid ?? '';
    const spec = pod.spec as Obj;
    const status = (isPlainObject(pod.status) ? pod.status : {}) as Obj;
    const nowText = timestamp(this.opts.now());
    if (pod.metadata.deletionTimestamp) {
      this.terminate(pod);
      return;
    }
    if (spec.nodeName !== undefined && spec.nodeName !== this.opts.nodeName) return;
    if (!this.ips.has(uid)) {
      // Cordoning stops the scheduler only: a pod created with its nodeName set bypasses it.
      if (spec.nodeName === undefined && !this.schedulable(pod)) return;
      if ((this.opts.startDelayMs ?? 0) > 0 && this.starting.get(uid) !== true) {
        if (!this.starting.has(uid)) {
          this.starting.set(uid, false);
          this.later(this.opts.startDelayMs ?? 0, () => {
            if (!this.starting.has(uid)) return;
            this.starting.set(uid, true);
            this.queue.add(key);
          });
        }
        return;
      }
      this.starting.delete(uid);
      // Schedule and start: node, IP, Running (not yet Ready).
      const ip = typeof status.podIP === 'string' && this.opts.podIps.claim(status.podIP) ? status.podIP : this.opts.podIps.allocate();
      this.ips.set(uid, ip);
      const next = clone(pod);
      (next.spec as Obj).nodeName = this.opts.nodeName;
      next.status = this.runningStatus(pod, ip, false, nowText);
      this.registry.update(PODS, namespace, name, next, { internal: true });
      this.events.record(pod, 'Normal', 'Scheduled', `Successfully assigned ${namespace}/${name} to ${this.opts.nodeName}`, 'default-scheduler');
      for (const c of (spec.containers as Obj[] | undefined) ?? []) {
        this.events.record(pod, 'Normal', 'Pulled', `Container image "${String(c.image)}" already present on machine`, 'kubelet', this.opts.nodeName);
        this.events.record(pod, 'Normal', 'Created', `Created container: ${String(c.name)}`, 'kubelet', this.opts.nodeName);
        this.events.record(pod, 'Normal', 'Started', `Started container ${String(c.name)}`, 'kubelet', this.opts.nodeName);
      }
      this.later(this.opts.readyDelayMs, () => {
        this.warmedUp.add(uid);
        this.queue.add(key);
      });
      return;
    }
    const wantReady = this.warmedUp.has(uid) && this.readiness.get(key) !== false && pod.metadata.annotations?.[SIM_READY_ANNOTATION] !== 'false';
    const ready = (status.conditions as Obj[] | undefined)?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
    if (wantReady === ready) return;
    const next = clone(pod);
    next.status = this.runningStatus(pod, this.ips.get(uid)!, wantReady, nowText);
    this.registry.update(PODS, namespace, name, next, { internal: true });
  }

  /** Whether the node takes the pod now; a cordoned node leaves it Pending, PodScheduled False (Unschedulable), once. */
  private schedulable(pod: KubeObject): boolean {
    const node = this.registry.find(NODES, undefined, this.opts.nodeName);
    if ((node?.spec as Obj | undefined)?.unschedulable !== true) return true;
    const status = (isPlainObject(pod.status) ? pod.status : {}) as Obj;
    if (((status.conditions as Obj[] | undefined) ?? []).some((c) => c.type === 'PodScheduled' && c.reason === 'Unschedulable')) return false;
    const message = "0/1 nodes are available: 1 node(s) were unschedulable. preemption: 0/1 nodes are available: 1 Preemption is not helpful for scheduling.";
    const next = clone(pod);
    next.status = { ...status, phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False', lastProbeTime: null, lastTransitionTime: timestamp(this.opts.now()), reason: 'Unschedulable', message }], qosClass: status.qosClass ?? 'BestEffort' };
    this.registry.update(PODS, pod.metadata.namespace, pod.metadata.name ?? '', next, { internal: true });
    this.events.record(pod, 'Warning', 'FailedScheduling', message, 'default-scheduler');
    return false;
  }

  private runningStatus(pod: KubeObject, ip: string, ready: boolean, now: string): Obj {
    const spec = pod.spec as Obj;
    const old = (isPlainObject(pod.status) ? pod.status : {}) as Obj;
    const started = typeof old.startTime === 'string' ? old.startTime : now;
    const oldConds = (old.conditions as Obj[] | undefined) ?? [];
    const cond = (type: string, ok: boolean): Obj => {
      const prev = oldConds.find((c) => c.type === type);
      return prev && prev.status === (ok ? 'True' : 'False') ? prev : condition(type, ok, now);
    };
    return {
      ...old,
      phase: 'Running',
      conditions: [
        cond('PodReadyToStartContainers', true), cond('Initialized', true), cond('Ready', ready), cond('ContainersReady', ready), cond('PodScheduled', true),
      ],
      hostIP: this.opts.hostIP,
      hostIPs: [{ ip: this.opts.hostIP }],
      podIP: ip,
      podIPs: [{ ip }],
      startTime: started,
      containerStatuses: ((spec.containers as Obj[] | undefined) ?? []).map((c) => ({
        name: c.name, image: c.image, imageID: `${String(c.image)}@sha256:${'0'.repeat(64)}`, containerID: `containerd://${String(pod.metadata.uid).replace(/-/g, '')}`,
        ready, started: true, restartCount: 0, state: { running: { startedAt: started } }, lastState: {},
      })),
      qosClass: old.qosClass ?? 'BestEffort',
    };
  }

  private terminate(pod: KubeObject): void {
    const namespace = pod.metadata.namespace ?? '';
    const name = pod.metadata.name ?? '';
    const status = (isPlainObject(pod.status) ? pod.status : {}) as Obj;
    if (status.phase === 'Succeeded' || status.phase === 'Failed') return;
    const ready = (status.conditions as Obj[] | undefined)?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
    if (ready) {
      const next = clone(pod);
      next.status = { ...status, conditions: ((status.conditions as Obj[] | undefined) ?? []).map((c) => (c.type === 'Ready' || c.type === 'ContainersReady' ? { ...c, status: 'False', lastTransitionTime: timestamp(this.opts.now()) } : c)) };
      this.registry.update(PODS, namespace, name, next, { internal: true });
      return;
    }
    const uid = pod.metadata.uid ?? '';
    const now = this.opts.now();
    const seen = this.terminating.get(uid)?.seen ?? now;
    // deletionTimestamp is the end of the grace (seconds precision); a shortened grace moves it earlier.
    const deadline = Date.parse(pod.metadata.deletionTimestamp ?? '') || now;
    const due = Math.min(seen + this.opts.containerStopMs, Math.max(deadline, seen));
    const current = this.terminating.get(uid);
    if (current && current.due <= due) return;
    if (current) clearTimeout(current.timer);
    const timer = setTimeout(() => this.stopped(namespace, name, uid, due < deadline), Math.max(0, due - now));
    this.terminating.set(uid, { seen, due, timer });
  }

  /** The containers exited (on SIGTERM, or killed at the end of the grace): terminal status, then the final delete. */
  private stopped(namespace: string, name: string, uid: string, clean: boolean): void {
    const pod = this.registry.find(PODS, namespace, name);
    if (!pod || pod.metadata.uid !== uid) return;
    const status = (isPlainObject(pod.status) ? pod.status : {}) as Obj;
    const finishedAt = timestamp(this.opts.now());
    const next = clone(pod);
    next.status = {
      ...status,
      phase: clean ? 'Succeeded' : 'Failed',
      containerStatuses: ((status.containerStatuses as Obj[] | undefined) ?? []).map((c) => ({
        ...c, ready: false, started: false,
        state: { terminated: { exitCode: clean ? 0 : 137, reason: clean ? 'Completed' : 'Error', startedAt: ((c.state as Obj | undefined)?.running as Obj | undefined)?.startedAt ?? finishedAt, finishedAt, containerID: c.containerID } },
      })),
    };
    try {
      this.registry.update(PODS, namespace, name, next, { internal: true });
      this.registry.delete(PODS, namespace, name, { gracePeriodSeconds: 0, preconditions: { uid } });
    } catch (error) {
      // Gone already or replaced: nothing left to do for this pod.
      if (!(error instanceof ApiError && (error.code === 404 || error.code === 409))) throw error;
    }
  }
}
