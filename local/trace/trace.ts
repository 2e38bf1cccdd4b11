// `gns-sync trace`: follows a per-pod name the way a client pod in one cluster reaches it,
// through the objects actually in the clusters, one hop at a time: kube DNS (the target's
// EndpointSlices) → the address → (same network) the pod, or (routing: istio) the listener a
// sidecar builds for it → the ServiceEntry endpoint's network → that network's east-west
// gateway → the gateway's SNI route → the pod. Stops at the first broken hop and names it.
import { ClusterReadError, cachedMeshReader } from './mesh.ts';
import type { MeshCluster, MeshObject, MeshReader, MeshTopology } from './mesh.ts';
import type { PodName } from './name.ts';
import { TraceInputError, parsePodName } from './name.ts';
import { followGateway, podAt } from './gateway-side.ts';
import type { Hop, TraceContext, TraceEnd } from './steps.ts';
import { Broken, istioNetwork, networkGateways } from './steps.ts';
import { MCS_SERVICE_NAME_LABEL, ISTIO_NETWORKING, TLS_MODE_LABEL, createdMs, list, obj, serviceEntryEndpoints, serviceEntryPorts, serviceExportTo, strings, visibilityRank } from './istio.ts';

export type { Hop, TraceEnd } from './steps.ts';

export interface TraceRequest {
  readonly name: string;
  /** The cluster the client pod runs in. */
  readonly from: string;
  /** The client pod's namespace (default: the name's namespace). */
  readonly namespace?: string;
}

export interface TraceResult {
  readonly hops: readonly Hop[];
  /** True when every port's path ends at a ready pod. */
  readonly ok: boolean;
  /** Where the name ends up (the last pod reached), when it does. */
  readonly end?: TraceEnd;
  /** The first broken hop's text. */
  readonly broken?: string;
}

interface Answer {
  readonly address: string;
  readonly ports: readonly { readonly port: number; readonly protocol: string; readonly name: string }[];
  readonly slice: string;
}

async function dnsAnswer(ctx: TraceContext, name: PodName): Promise<Answer> {
  const { from } = ctx;
  const services = (await ctx.reader.list(from.name, 'v1', 'Service', name.namespace)) ?? [];
  const svc = services.find((s) => s.metadata.name === name.service);
  if (!svc) throw new Broken('dns', `${name.fqdn}: no Service ${name.namespace}/${name.service} in ${from.name}, so kube DNS has no such name (NXDOMAIN)`);
  const spec = obj(svc.spec);
  if (spec.clusterIP !== 'None') throw new Broken('dns', `${name.fqdn}: Service ${name.namespace}/${name.service} in ${from.name} is not headless, so kube DNS has no per-pod names under it`);
  const slices = ((await ctx.reader.list(from.name, 'discovery.k8s.io/v1', 'EndpointSlice', name.namespace)) ?? [])
    .filter((s) => s.metadata.labels?.['kubernetes.io/service-name'] === name.service);
  const publishNotReady = spec.publishNotReadyAddresses === true;
  let notReady: string | undefined;
  for (const slice of slices) {
    for (const ep of list((slice as unknown as { endpoints?: unknown }).endpoints).map(obj)) {
      if (ep.hostname !== name.host) continue;
      const addresses = strings(ep.addresses);
      if (addresses.length === 0) continue;
      if (!publishNotReady && obj(ep.conditions).ready === false) {
        notReady = `${slice.metadata.name}`;
        continue;
      }
      const ports = list((slice as unknown as { ports?: unknown }).ports).map(obj).map((p) => ({ port: Number(p.port), protocol: typeof p.protocol === 'string' ? p.protocol : 'TCP', name: typeof p.name === 'string' ? p.name : '' }));
      return { address: addresses[0]!, ports, slice: slice.metadata.name ?? '' };
    }
  }
  if (notReady !== undefined) throw new Broken('dns', `${name.fqdn}: the endpoint with hostname ${name.host} in EndpointSlice ${name.namespace}/${notReady} (${from.name}) is not ready, so kube DNS does not answer it`);
  throw new Broken('dns', `${name.fqdn}: no endpoint with hostname ${name.host} in the EndpointSlices of ${name.namespace}/${name.service} in ${from.name} (NXDOMAIN)`);
}

interface Claimant {
  readonly kind: 'ServiceEntry' | 'Service';
  readonly cluster: string;
  readonly object: MeshObject;
  readonly rank: number;
}

const ref = (o: MeshObject): string => `${o.metadata.namespace}/${o.metadata.name}`;

/** Who gets the client sidecar's `address_port` listener: ServiceEntries and headless Services listing it, in Istio's order. */
async function listenerClaimants(ctx: TraceContext, address: string, port: number, clientNamespace: string): Promise<{ claimants: Claimant[]; hidden: string[] }> {
  const cc = ctx.from.istioConfigCluster;
  const entries = await ctx.reader.list(cc, ISTIO_NETWORKING, 'ServiceEntry');
  if (entries === undefined) throw new Broken('listener', `${cc} (where ${ctx.from.name}'s Istio reads config) does not serve ${ISTIO_NETWORKING} ServiceEntry: Istio's CRDs are not installed there`);
  const claimants: Claimant[] = [];
  const hidden: string[] = [];
  for (const se of entries) {
    const spec = obj(se.spec);
    if (!strings(spec.addresses).includes(address) || !serviceEntryPorts(se).some((p) => p.number === port)) continue;
    const exportTo = strings(spec.exportTo);
    const rank = visibilityRank(exportTo, se.metadata.namespace ?? '', clientNamespace);
    if (rank === undefined) hidden.push(`ServiceEntry ${ref(se)} lists it but its exportTo ${JSON.stringify(exportTo)} hides it from namespace ${clientNamespace}`);
    else claimants.push({ kind: 'ServiceEntry', cluster: cc, object: se, rank });
  }
  for (const cluster of ctx.topology.clusters) {
    const slices = (await ctx.reader.list(cluster.name, 'discovery.k8s.io/v1', 'EndpointSlice')) ?? [];
    const names = new Set<string>();
    for (const slice of slices) {
      if (slice.metadata.labels?.[MCS_SERVICE_NAME_LABEL] !== undefined) continue;
      const svcName = slice.metadata.labels?.['kubernetes.io/service-name'];
      if (svcName === undefined) continue;
      const hasPort = list((slice as unknown as { ports?: unknown }).ports).map(obj).some((p) => Number(p.port) === port && (p.protocol ?? 'TCP') === 'TCP');
      const hasAddress = list((slice as unknown as { endpoints?: unknown }).endpoints).map(obj).some((e) => strings(e.addresses).includes(address));
      if (hasPort && hasAddress) names.add(`${slice.metadata.namespace}/${svcName}`);
    }
    if (names.size === 0) continue;
    for (const svc of (await ctx.reader.list(cluster.name, 'v1', 'Service')) ?? []) {
      if (!names.has(ref(svc)) || obj(svc.spec).clusterIP !== 'None') continue;
      const rank = visibilityRank(serviceExportTo(svc), svc.metadata.namespace ?? '', clientNamespace);
      if (rank !== undefined) claimants.push({ kind: 'Service', cluster: cluster.name, object: svc, rank });
    }
  }
  claimants.sort((a, b) => a.rank - b.rank || createdMs(a.object) - createdMs(b.object));
  return { claimants, hidden };
}

const RANKS = ['private to the namespace', 'exported to the namespace', 'public'];

async function followPort(ctx: TraceContext, name: PodName, answer: Answer, port: number, clientNamespace: string): Promise<TraceEnd> {
  const clientNet = await istioNetwork(ctx, ctx.from.name);
  if (clientNet === undefined) {
    throw new Broken('client', `client proxies in ${ctx.from.name} have no Istio network: istio-system has no topology.istio.io/network label, and Istio 1.27 then takes every endpoint for a local one (a ServiceEntry endpoint without address sends nothing; one with an address sends the raw, unroutable address)`);
  }
  if (clientNet !== ctx.from.network) ctx.hops.push({ step: 'client', text: `note: ${ctx.from.name}'s Istio network is "${clientNet}" (istio-system label), the config says "${ctx.from.network}"; Istio uses "${clientNet}"` });
  const { claimants, hidden } = await listenerClaimants(ctx, answer.address, port, clientNamespace);
  const winner = claimants[0];
  if (!winner) {
    throw new Broken('listener', `${answer.address}:${port}: no ServiceEntry in ${ctx.from.istioConfigCluster} lists this address and port for clients in namespace ${clientNamespace}, so the sidecar passes the connection through to the address, which routes nowhere${hidden.length > 0 ? ` (${hidden.join('; ')})` : ''}`);
  }
  const losers = claimants.slice(1).map((c) => `${c.kind} ${ref(c.object)} in ${c.cluster} also claims it and loses`);
  if (winner.kind === 'Service') {
    const noEntry = claimants.some((c) => c.kind === 'ServiceEntry') ? '' : `; no ServiceEntry in ${ctx.from.istioConfigCluster} lists this address and port for clients in namespace ${clientNamespace}${hidden.length > 0 ? ` (${hidden.join('; ')})` : ''}`;
    throw new Broken('listener', `${answer.address}:${port}: the listener belongs to headless Service ${ref(winner.object)} in ${winner.cluster} (${RANKS[winner.rank]}${claimants.length > 1 ? ', older' : ''}), whose ORIGINAL_DST cluster dials ${answer.address} itself, which routes nowhere${losers.length > 0 ? `; ${losers.join('; ')}` : ''}${noEntry}`);
  }
  const se = winner.object;
  const spec = obj(se.spec);
  const host = strings(spec.hosts)[0] ?? '';
  ctx.hops.push({ step: 'listener', text: `${answer.address}:${port} → ServiceEntry ${ref(se)} in ${winner.cluster} (host ${host}, ${RANKS[winner.rank]})${losers.length > 0 ? `; ${losers.join('; ')}` : ''}` });
  if (spec.location === 'MESH_EXTERNAL') throw new Broken('listener', `ServiceEntry ${ref(se)} is MESH_EXTERNAL: no automatic mTLS, and east-west gateways skip external services; it must be MESH_INTERNAL`);
  if ((spec.resolution ?? 'NONE') !== 'STATIC') throw new Broken('listener', `ServiceEntry ${ref(se)} has resolution ${String(spec.resolution ?? 'NONE')}: only STATIC sends to its endpoints (NONE passes through to ${answer.address})`);
  if (spec.workloadSelector !== undefined) throw new Broken('endpoint', `ServiceEntry ${ref(se)} selects workloads (workloadSelector); trace follows inline endpoints only`);
  const seNet = (await istioNetwork(ctx, winner.cluster)) ?? '';
  const endpoints = serviceEntryEndpoints(se, seNet);
  if (endpoints.length === 0) throw new Broken('endpoint', `ServiceEntry ${ref(se)} has no endpoints: nothing to send to`);
  const dropped: string[] = [];
  for (const ep of endpoints) {
    const net = ep.network === '' ? '(none)' : ep.network;
    if (ep.network === '' || ep.network === clientNet) {
      if (ep.address === '') {
        dropped.push(`endpoint ${ep.index} is on the client's own network ${clientNet}${ep.network === '' ? ' (it names none)' : ''} and has no address: nothing is sent (fail closed)`);
        continue;
      }
      ctx.hops.push({ step: 'endpoint', text: `endpoint ${ep.index}: ${ep.address} on the client's network ${net}: sent directly` });
      return podAt(ctx, clientNet, ep.address, name);
    }
    if (ep.tlsMode !== 'istio') {
      dropped.push(`endpoint ${ep.index} (network ${net}) has no ${TLS_MODE_LABEL}: istio label and no serviceAccount, so Istio drops this cross-network endpoint`);
      continue;
    }
    const gateways = await networkGateways(ctx, ep.network);
    const usable = gateways.filter((g) => g.addresses.length > 0);
    if (usable.length === 0) {
      const pending = gateways.map((g) => `${g.namespace}/${g.name} in ${g.cluster} has no address`).join('; ');
      const known = [...new Set((await networkGateways(ctx, undefined)).map((g) => g.network))].sort();
      dropped.push(`no gateway Service labelled for network ${ep.network} (topology.istio.io/network=${ep.network}, with an address) in any cluster${pending ? ` (${pending})` : ''}${known.length > 0 ? `; gateways are labelled for: ${known.join(', ')}` : ''}; Istio 1.27 then uses the endpoint's own address${ep.address === '' ? ', which is empty: nothing is sent' : `, ${ep.address}, unroutable from ${clientNet}`}`);
      continue;
    }
    ctx.hops.push({ step: 'endpoint', text: `endpoint ${ep.index} on network ${ep.network} (client on ${clientNet}): cross-network, mTLS (tlsMode istio from its ${ep.tlsModeFrom})` });
    let end: TraceEnd | undefined;
    for (const gw of usable) end = await followGateway(ctx, gw, host, port, name);
    return end!;
  }
  throw new Broken('endpoint', `ServiceEntry ${ref(se)}: ${dropped.join('; ')}`);
}

async function pathOf(ctx: TraceContext, name: PodName, clientNamespace: string): Promise<TraceEnd> {
  const answer = await dnsAnswer(ctx, name);
  const ports = answer.ports.filter((p) => p.protocol === 'TCP');
  ctx.hops.push({ step: 'dns', text: `${name.fqdn} → ${answer.address} (EndpointSlice ${name.namespace}/${answer.slice} in ${ctx.from.name}; ports ${answer.ports.map((p) => `${p.port}/${p.protocol}`).join(', ') || 'none'})` });
  const sameNetwork = await ctx.podByIp(ctx.topology.clusters.filter((c) => c.network === ctx.from.network).map((c) => c.name), answer.address);
  if (sameNetwork) return podAt(ctx, ctx.from.network, answer.address, name, sameNetwork);
  if (ctx.topology.routing === 'none') {
    throw new Broken('vip', `${answer.address} is no pod IP on network ${ctx.from.network}; with routing: none nothing in the clusters routes it (a VIP needs a data plane you provide)`);
  }
  if (ports.length === 0) throw new Broken('listener', `${answer.address}: the slice publishes no TCP port, and only TCP is routed through the mesh`);
  let end: TraceEnd | undefined;
  for (const p of ports) end = await followPort(ctx, name, answer, p.port, clientNamespace);
  return end!;
}

/** Follows `request.name` from `request.from`; a TraceInputError for bad input (exit 2). */
export async function traceName(request: TraceRequest, topology: MeshTopology, reader: MeshReader): Promise<TraceResult> {
  const from: MeshCluster | undefined = topology.clusters.find((c) => c.name === request.from);
  if (!from) throw new TraceInputError(`--from ${request.from}: no such cluster in the config (clusters: ${topology.clusters.map((c) => c.name).join(', ')})`);
  const name = parsePodName(request.name, request.namespace);
  const ctx = makeContext(topology, from, cachedMeshReader(reader));
  try {
    const end = await pathOf(ctx, name, request.namespace ?? name.namespace);
    return { hops: ctx.hops, ok: end.ready, end, ...(end.ready ? {} : { broken: ctx.hops[ctx.hops.length - 1]!.text }) };
  } catch (error) {
    if (error instanceof Broken) {
      ctx.hops.push({ step: error.step, text: error.message, broken: true });
      return { hops: ctx.hops, ok: false, broken: error.message };
    }
    if (error instanceof ClusterReadError) {
      ctx.hops.push({ step: 'read', text: error.message, broken: true });
      return { hops: ctx.hops, ok: false, broken: error.message };
    }
    throw error;
  }
}

function makeContext(topology: MeshTopology, from: MeshCluster, reader: MeshReader): TraceContext {
  return {
    topology, from, reader, hops: [],
    async podByIp(clusters, ip) {
      for (const cluster of clusters) {
        for (const pod of (await reader.list(cluster, 'v1', 'Pod')) ?? []) {
          const status = obj(pod.status);
          const ips = [...list(status.podIPs).map(obj).map((p) => p.ip), status.podIP];
          if (ips.includes(ip)) return { cluster, pod };
        }
      }
      return undefined;
    },
  };
}
