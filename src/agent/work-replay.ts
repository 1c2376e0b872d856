// Continuing a USP request on the gateway instance a CWMP session moved to
// (several instances behind a load balancer). The request is planned again
// from the start, which the pure planners allow, but the RPCs the previous
// instance already ran are not sent again: their outcomes come from the
// session's work log in the store, and the outcome of the RPC that was at the
// CPE comes with the POST that reached this instance. A plan that differs
// (this instance knew the CPE's tree differently) ends the replay and the
// request runs live from there: nothing is ever matched to the wrong RPC.
import type { AcsRequest, RpcOutcome } from "../cwmp/rpc.js";
import type { SessionWorkLog } from "../store/store.js";
import { rpcKey } from "../translate/device-model.js";

export type WorkStep = SessionWorkLog["steps"][number];

export class Replay {
  private next = 0;
  private atCpeStep: WorkStep | undefined;

  /** `atCpe`: the RPC that was at the CPE when the session moved, and its outcome. */
  constructor(
    private readonly steps: readonly WorkStep[],
    atCpe: WorkStep,
  ) {
    this.atCpeStep = atCpe;
  }

  /** The logged outcome of `rpc` when it is the next RPC the log holds. */
  logged(rpc: AcsRequest): RpcOutcome | undefined {
    const step = this.steps[this.next];
    if (step === undefined || rpcKey(step.request) !== rpcKey(rpc)) return undefined;
    this.next += 1;
    return step.outcome;
  }

  /** The outcome the POST brought, when `sent` (what would go to the CPE now)
   * is the RPC that was at the CPE and every logged step has been used. */
  atCpe(sent: AcsRequest): RpcOutcome | undefined {
    const step = this.atCpeStep;
    if (step === undefined || this.next < this.steps.length || rpcKey(step.request) !== rpcKey(sent)) return undefined;
    this.atCpeStep = undefined;
    return step.outcome;
  }
}

/** Whether the RPC whose outcome just came is the one the log says its request had at the CPE. */
export function continuesLog(log: SessionWorkLog, answered: AcsRequest): boolean {
  return rpcKey(log.inFlight) === rpcKey(answered);
}

/** RPCs paired with the outcomes known so far (the last RPC may have none yet). */
export function stepsOf(sent: readonly AcsRequest[], outcomes: readonly RpcOutcome[]): WorkStep[] {
  const steps: WorkStep[] = [];
  sent.forEach((request, i) => {
    const outcome = outcomes[i];
    if (outcome !== undefined) steps.push({ request, outcome });
  });
  return steps;
}
