// Every contribution to a cluster's manifests, in the order their rules and files are rendered.
// A new need (a grant, an object, an agent setting) is a new file here and one line below.
import type { Contribution } from '../contribution.ts';
import { agentBus } from './agent-bus.ts';
import { agentLease } from './agent-lease.ts';
import { agentReturning } from './agent-returning.ts';
import { agentWatch } from './agent-watch.ts';
import { writerAdmission } from './writer-admission.ts';
import { writerEvents } from './writer-events.ts';
import { writerInventory } from './writer-inventory.ts';
import { writerRouting } from './writer-routing.ts';
import { writerLease } from './writer-lease.ts';
import { writerSlices } from './writer-slices.ts';

export const contributions: readonly Contribution[] = [
  agentWatch,
  agentReturning,
  agentBus,
  agentLease,
  writerSlices,
  writerInventory,
  writerAdmission,
  writerEvents,
  writerRouting,
  writerLease,
];
