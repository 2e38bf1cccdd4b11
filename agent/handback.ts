// The agent's side of the hand-back channel (shared/core/handback.ts,
// docs/adr/0014-store-completeness.md): every lease round reads the agent's Lease anyway, and
// with it what the functions handed back.
//   - a new store incarnation (different from the one seen at the previous round): the store
//     lost or restored its state, so every namespace is resnapshotted now, not at the next
//     periodic snapshot; the first value seen after start needs nothing (the start snapshot
//     follows it);
//   - a floor above the clock: versions stored for this cluster are newer than this agent's
//     clock (its Lease, and so its own floor, was lost while its node's clock is behind); the
//     clock jumps above the floor and every namespace is resnapshotted, so that its records win.
import type { Handback } from '../shared/core/handback.ts';
import type { HlcClock } from './clock.ts';
import type { AgentLogger } from './logger.ts';

export class HandbackListener {
  readonly #hlc: HlcClock;
  readonly #resnapshot: (reason: string, restamp: boolean) => void;
  readonly #logger: AgentLogger;
  #incarnation: string | undefined;
  #seen = false;

  /** `resnapshot(reason, restamp)`: restamp = every record needs a version above the new floor. */
  constructor(hlc: HlcClock, resnapshot: (reason: string, restamp: boolean) => void, logger: AgentLogger) {
    this.#hlc = hlc;
    this.#resnapshot = resnapshot;
    this.#logger = logger;
  }

  /** Called with the hand-back read at each lease round (an empty one when there is none). */
  observe(handback: Handback): void {
    const reasons: string[] = [];
    const restamp = handback.floor !== undefined && this.#hlc.adoptVersion(handback.floor);
    if (restamp) {
      this.#logger.warn('the versions stored for this cluster are ahead of this agent\'s clock: adopted the handed-back floor', { floor: handback.floor });
      reasons.push('version floor handed back');
    }
    if (handback.incarnation !== undefined && this.#seen && handback.incarnation !== this.#incarnation) {
      this.#logger.info('the store began a new incarnation: resnapshotting every namespace', { incarnation: handback.incarnation });
      reasons.push('new store incarnation');
    }
    if (handback.incarnation !== undefined) this.#incarnation = handback.incarnation;
    this.#seen = true;
    if (reasons.length > 0) this.#resnapshot(reasons.join(', '), restamp);
  }
}
