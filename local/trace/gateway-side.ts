// The far half of a cross-network path: the east-west gateway (its address and port), the
// AUTO_PASSTHROUGH Gateway that admits the SNI, the ServiceEntry the gateway's SNI cluster is
// built from (in the gateway cluster's Istio config cluster, visible to the gateway's
// namespace), its mTLS endpoint, and the pod with that IP — ready or not, the right one or not.
import type { NetworkGateway } from './istio.ts';
import { ISTIO_NETWORKING, TLS_MODE_LABEL, createdMs, gatewayHostMatches, labelsMatch, list, obj, podReady, serviceEntryEndpoints, serviceEntryPorts, sniOf, strings, visibilityRank } from './istio.ts';
import type { MeshObject } from './mesh.ts';
import type { PodName } from './name.ts';
import type { TraceContext, TraceEnd } from './steps.ts';
import { Broken, istioNetwork } from './steps.ts';

const ref = (o: MeshObject): string => `${o.metadata.namespace}/${o.metadata.name}`;

function configClusterOf(ctx: TraceContext, cluster: string): string {
  return ctx.topology.clusters.find((c) => c.name === cluster)?.istioConfigCluster ?? cluster;
}

async function passthroughGateway(ctx: TraceContext, gw: NetworkGateway, host: string, hostNamespace: string, configCluster: string): Promise<MeshObject> {
  const gateways = await ctx.reader.list(configCluster, ISTIO_NETWORKING, 'Gateway');
  if (gateways === undefined) throw new Broken('sni', `${configCluster} does not serve ${ISTIO_NETWORKING} Gateway: Istio's CRDs are not installed there`);
  const targetPorts = gw.servicePorts.filter((p) => p.port === gw.port).map((p) => Number(p.targetPort));
  const found = gateways.find((g) => {
    const spec = obj(g.spec);
    const selector = Object.fromEntries(Object.entries(obj(spec.selector)).filter((e): e is [string, string] => typeof e[1] === 'string'));
    if (!gw.static && !labelsMatch(selector, gw.selector)) return false;
    return list(spec.servers).map(obj).some((s) => {
      const n = Number(obj(s.port).number);
      return (n === gw.port || targetPorts.includes(n)) && obj(s.tls).mode === 'AUTO_PASSTHROUGH' && strings(s.hosts).some((h) => gatewayHostMatches(h, host, hostNamespace, g.metadata.namespace ?? ''));
    });
  });
  if (!found) {
    throw new Broken('sni', `no Gateway in ${configCluster} has an AUTO_PASSTHROUGH server on port ${gw.port} whose hosts admit ${host}${gw.static ? '' : ` and selects the pods of ${gw.namespace}/${gw.name}`}: the gateway does not route this SNI`);
  }
  return found;
}

/** Follows one gateway of the endpoint's network to the pod. */
export async function followGateway(ctx: TraceContext, gw: NetworkGateway, host: string, port: number, name: PodName): Promise<TraceEnd> {
  const where = gw.static ? gw.name : `Service ${gw.namespace}/${gw.name} in ${gw.cluster}`;
  if (!gw.static && !gw.servicePorts.some((p) => p.port === gw.port)) {
    throw new Broken('gateway', `${where} (network ${gw.network}): its gatewayPort ${gw.port}${gw.badPortLabel !== undefined ? ` (label "${gw.badPortLabel}" is no port number, so istiod uses 15443)` : ''} is not one of its ports (${gw.servicePorts.map((p) => `${p.name} ${p.port}`).join(', ')}), so connections to ${gw.addresses[0]}:${gw.port} reach nothing`);
  }
  ctx.hops.push({ step: 'gateway', text: `network ${gw.network} → ${gw.addresses[0]}:${gw.port} (${where})` });
  const configCluster = configClusterOf(ctx, gw.cluster);
  const sni = sniOf(port, host);
  const entries = await ctx.reader.list(configCluster, ISTIO_NETWORKING, 'ServiceEntry');
  if (entries === undefined) throw new Broken('sni', `${configCluster} (where ${gw.cluster}'s Istio reads config) does not serve ${ISTIO_NETWORKING} ServiceEntry: Istio's CRDs are not installed there`);
  const hidden: string[] = [];
  const candidates: { se: MeshObject; rank: number }[] = [];
  for (const se of entries) {
    const spec = obj(se.spec);
    if (!strings(spec.hosts).includes(host) || !serviceEntryPorts(se).some((p) => p.number === port)) continue;
    if (spec.location === 'MESH_EXTERNAL') {
      hidden.push(`ServiceEntry ${ref(se)} is MESH_EXTERNAL, which gateways skip`);
      continue;
    }
    const exportTo = strings(spec.exportTo);
    const rank = visibilityRank(exportTo, se.metadata.namespace ?? '', gw.namespace);
    if (rank === undefined) hidden.push(`ServiceEntry ${ref(se)} has it but its exportTo ${JSON.stringify(exportTo)} is too narrow for the gateway's namespace ${gw.namespace}`);
    else candidates.push({ se, rank });
  }
  candidates.sort((a, b) => a.rank - b.rank || createdMs(a.se) - createdMs(b.se));
  const chosen = candidates[0];
  if (!chosen) throw new Broken('sni', `SNI ${sni}: no ServiceEntry in ${configCluster} with host ${host} and port ${port} is visible to the gateway's namespace ${gw.namespace}, so ${gw.name} has no route for it${hidden.length > 0 ? ` (${hidden.join('; ')})` : ''}`);
  const gateway = await passthroughGateway(ctx, gw, host, chosen.se.metadata.namespace ?? '', configCluster);
  ctx.hops.push({ step: 'sni', text: `SNI ${sni} → ServiceEntry ${ref(chosen.se)} in ${configCluster} (Gateway ${ref(gateway)}, AUTO_PASSTHROUGH)` });
  const seNet = (await istioNetwork(ctx, configCluster)) ?? '';
  const sePort = serviceEntryPorts(chosen.se).find((p) => p.number === port)!;
  const reasons: string[] = [];
  for (const ep of serviceEntryEndpoints(chosen.se, seNet)) {
    if (ep.tlsMode !== 'istio') {
      reasons.push(`endpoint ${ep.index} has no ${TLS_MODE_LABEL}: istio label and no serviceAccount, and the gateway keeps mTLS endpoints only`);
      continue;
    }
    if (ep.address === '') {
      reasons.push(`endpoint ${ep.index} has no address`);
      continue;
    }
    if (ep.network !== '' && ep.network !== gw.network) {
      reasons.push(`endpoint ${ep.index} is on network ${ep.network}, not the gateway's ${gw.network}`);
      continue;
    }
    const targetPort = ep.ports[sePort.name] ?? sePort.targetPort ?? port;
    ctx.hops.push({ step: 'endpoint', text: `ServiceEntry ${ref(chosen.se)} endpoint ${ep.index}: ${ep.address}:${targetPort} (mTLS, network ${ep.network || gw.network})` });
    return podAt(ctx, gw.network, ep.address, name);
  }
  throw new Broken('sni', `ServiceEntry ${ref(chosen.se)} in ${configCluster}: ${reasons.join('; ') || 'no endpoints'}`);
}

/** The last hop: the pod with `ip` on `network` — the right pod (its hostname), ready or not. */
export async function podAt(ctx: TraceContext, network: string, ip: string, name: PodName, known?: { cluster: string; pod: MeshObject }): Promise<TraceEnd> {
  const clusters: string[] = [];
  for (const c of ctx.topology.clusters) if (((await istioNetwork(ctx, c.name)) ?? c.network) === network || c.network === network) clusters.push(c.name);
  const found = known ?? (await ctx.podByIp(clusters, ip));
  if (!found) throw new Broken('pod', `no pod has IP ${ip} in the clusters of network ${network} (${clusters.join(', ') || 'none'})`);
  const { pod, cluster } = found;
  const ready = podReady(pod);
  const hostname = typeof obj(pod.spec).hostname === 'string' ? (obj(pod.spec).hostname as string) : pod.metadata.name ?? '';
  const end: TraceEnd = { cluster, namespace: pod.metadata.namespace ?? '', pod: pod.metadata.name ?? '', ip, ready };
  const text = `${ip} → pod ${ref(pod)} in ${cluster}, ${ready ? 'ready' : 'NOT ready'}`;
  if (hostname !== name.host) throw new Broken('pod', `${text}; but its hostname is ${hostname}, not ${name.host}: the name reaches the wrong pod`);
  ctx.hops.push({ step: 'pod', text, ...(ready ? {} : { broken: true }) });
  return end;
}
