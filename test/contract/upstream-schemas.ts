// What Kubernetes and Istio publish as the schemas of the objects gns-sync writes, through the
// maintained model packages (kubernetes-models, @kubernetes-models/istio): the problems of an
// object as written on the wire (JSON, as the client serializes it), empty when it is valid.
import { Gateway, DestinationRule, ServiceEntry, Sidecar, WorkloadEntry } from '@kubernetes-models/istio/networking.istio.io/v1';
import { EndpointSlice } from 'kubernetes-models/discovery.k8s.io/v1';
import { Event as EventsV1Event } from 'kubernetes-models/events.k8s.io/v1';
import { Event } from 'kubernetes-models/v1';

type Model = new (data: never) => { validate(): void };

const MODELS: Readonly<Record<string, Model>> = {
  'discovery.k8s.io/v1 EndpointSlice': EndpointSlice as unknown as Model,
  'v1 Event': Event as unknown as Model,
  'events.k8s.io/v1 Event': EventsV1Event as unknown as Model,
  'networking.istio.io/v1 ServiceEntry': ServiceEntry as unknown as Model,
  'networking.istio.io/v1 WorkloadEntry': WorkloadEntry as unknown as Model,
  'networking.istio.io/v1 DestinationRule': DestinationRule as unknown as Model,
  'networking.istio.io/v1 Gateway': Gateway as unknown as Model,
  'networking.istio.io/v1 Sidecar': Sidecar as unknown as Model,
};

/** The upstream schema's complaint about `object` (apiVersion and kind say which), or undefined when valid. */
export function upstreamProblem(object: unknown): string | undefined {
  const wire = JSON.parse(JSON.stringify(object)) as { apiVersion?: string; kind?: string };
  const key = `${wire.apiVersion ?? ''} ${wire.kind ?? ''}`;
  const model = MODELS[key];
  if (!model) return `no upstream schema known for ${key}: add its model`;
  try {
    new model(wire as never).validate();
    return undefined;
  } catch (error) {
    return `${key}: ${(error as Error).message}`;
  }
}
