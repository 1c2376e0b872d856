// Work the gateway starts on its own in a CPE's session, as opposed to USP
// requests from controllers: setting CWMP notification attributes for
// ValueChange subscriptions, reading diagnostics results for a finished
// command, listing subscribed tables to notice objects the CPE created or
// deleted. Tasks run before queued USP requests at the device's ACS turns,
// one round of RPCs at a time. They live in memory: a gateway restart drops
// them, and whoever queued them must tolerate that (see each task).
import type { AcsRequest, RpcOutcome } from "../cwmp/rpc.js";

export interface GatewayTask {
  /** For logs. */
  readonly label: string;
  /** The next round of RPCs, given the previous round's outcomes ([] on the
   * first call); undefined when the task is finished. */
  next(outcomes: RpcOutcome[]): AcsRequest[] | undefined;
  /** The session ended before the task finished (the CPE went away). */
  abandoned?(): void;
}

interface RunningTask {
  task: GatewayTask;
  queue: AcsRequest[];
  outcomes: RpcOutcome[];
}

export class GatewayTasks {
  private readonly queued = new Map<string, GatewayTask[]>();
  private readonly running = new Map<string, RunningTask>();

  enqueue(endpointId: string, task: GatewayTask): void {
    const list = this.queued.get(endpointId) ?? [];
    list.push(task);
    this.queued.set(endpointId, list);
  }

  hasQueued(endpointId: string): boolean {
    return (this.queued.get(endpointId)?.length ?? 0) > 0;
  }

  /** Whether the RPC outstanding in this session belongs to a task. */
  owns(sessionId: string): boolean {
    return this.running.has(sessionId);
  }

  /** The next task RPC for this session (feeding the outcome of the previous
   * one), or null when no task has work left and USP requests may run. */
  nextRpc(endpointId: string, sessionId: string, last: RpcOutcome | undefined): AcsRequest | null {
    let run = this.running.get(sessionId);
    if (run !== undefined && last !== undefined) run.outcomes.push(last);
    for (;;) {
      if (run === undefined) {
        const task = this.queued.get(endpointId)?.shift();
        if (task === undefined) return null;
        run = { task, queue: task.next([]) ?? [], outcomes: [] };
        this.running.set(sessionId, run);
      }
      const rpc = run.queue.shift();
      if (rpc !== undefined) return rpc;
      if (run.outcomes.length > 0) {
        const more = run.task.next(run.outcomes);
        run.outcomes = [];
        if (more !== undefined && more.length > 0) {
          run.queue = more;
          continue;
        }
      }
      this.running.delete(sessionId);
      run = undefined;
    }
  }

  sessionEnded(sessionId: string): void {
    const run = this.running.get(sessionId);
    if (run === undefined) return;
    this.running.delete(sessionId);
    run.task.abandoned?.();
  }
}
