// Runs queued USP requests inside a CPE's CWMP session, one at a time, by
// driving the pure planners (translate/) round by round: plan → RPCs → record
// outcomes → plan … → reply. The CWMP side asks `nextRpc` at every ACS turn;
// null means "nothing to do", and the session ends with 204.
//
// Before each RPC goes to the CPE the job's progress is saved as the
// session's work log, so that when the session's next POST reaches another
// gateway instance that instance continues the request (work-replay.ts).
import type { Logger } from "pino";
import { LRUCache } from "lru-cache";
import type { AcsRequest, RpcOutcome } from "../cwmp/rpc.js";
import type { PendingRequest, Store } from "../store/store.js";
import { DeviceModel, recordOutcomes } from "../translate/device-model.js";
import { planRequest } from "../translate/index.js";
import { DEFAULT_PROFILE, MAX_PLAN_ROUNDS, type DeviceProfile, type Plan, type UspReply } from "../translate/plan.js";
import type { OperateEffects, OperateEnv } from "../translate/commands.js";
import { USP_ERR, uspError } from "../usp/errors.js";
import type { LocalAgents, LocalRpc } from "./local-agent/local-agents.js";
import { routeRpc, type RpcRoute } from "./local-agent/rpc-route.js";
import { GatewayTasks } from "./gateway-tasks.js";
import { Replay, continuesLog, stepsOf, type WorkStep } from "./work-replay.js";

interface ActiveJob {
  pending: PendingRequest;
  model: DeviceModel;
  rounds: number;
  /** RPCs of the current round not yet sent. */
  queue: AcsRequest[];
  /** RPCs of the current round sent so far, and their outcomes, in order. */
  sent: AcsRequest[];
  outcomes: RpcOutcome[];
  /** The gateway-served half of the RPC now at the CPE, merged when it answers. */
  split: Extract<RpcRoute, { kind: "split" }> | undefined;
  /** Operate only: the agent as the planner sees it, fixed for the whole job. */
  operate: OperateEnv | undefined;
  /** RPCs and outcomes of the rounds already filed, for the work log. */
  filed: WorkStep[];
  /** Set while the job re-runs what another instance already did. */
  replay: Replay | undefined;
  /** The CPE's quirk flags, resolved once when the job starts. */
  profile: DeviceProfile;
}

type Respond = Extract<Plan, { kind: "respond" }>;

/** Operate support (agent/commands/): what the planner is told of the agent,
 * and what a command changed, applied before its reply goes out (Request
 * rows) and after it (OperationComplete of commands that already ended). */
export interface CommandHooks {
  envFor(endpointId: string): Promise<OperateEnv>;
  apply(pending: PendingRequest, effects: OperateEffects): Promise<void>;
  afterReply(pending: PendingRequest, effects: OperateEffects): Promise<void>;
}

export interface SessionWorkDeps {
  store: Store;
  logger: Logger;
  /** Delivers the one answer to a request that the caller has taken from the store. */
  answer: (pending: PendingRequest, reply: UspReply) => Promise<void>;
  /** Bound on cached device models (names, types): memory must not grow with fleet × tree size. */
  maxCachedModels: number;
  /** Device.LocalAgent., answered by the gateway rather than the CPE. */
  localAgents: LocalAgents;
  commands?: CommandHooks;
  /** How long a session's work log outlives its last RPC: the session lock's TTL (default 60 s). */
  workLogTtlMs?: number;
  /** Each CPE's quirk flags (vendor overlays, src/vendors/); absent: DEFAULT_PROFILE for all. */
  profiles?: { profileFor(endpointId: string): Promise<DeviceProfile> };
}

export class SessionWork {
  private readonly models: LRUCache<string, DeviceModel>;
  /** Active job per CWMP session id. */
  private readonly jobs = new Map<string, ActiveJob>();
  /** Request ids being executed, so the timeout sweep leaves them alone. */
  private readonly running = new Set<string>();
  /** Work the gateway starts itself; see gateway-tasks.ts. */
  readonly tasks = new GatewayTasks();

  constructor(private readonly deps: SessionWorkDeps) {
    this.models = new LRUCache({ max: deps.maxCachedModels });
  }

  isRunning(requestId: string): boolean {
    return this.running.has(requestId);
  }

  /** What the gateway knows of a CPE's data model; created on first use. */
  modelFor(endpointId: string): DeviceModel {
    let model = this.models.get(endpointId);
    if (model === undefined) {
      model = new DeviceModel();
      this.models.set(endpointId, model);
    }
    return model;
  }

  /** The quirk flags the planners honour for this CPE: its vendor overlay's. */
  profileFor(endpointId: string): Promise<DeviceProfile> {
    return this.deps.profiles?.profileFor(endpointId) ?? Promise.resolve(DEFAULT_PROFILE);
  }

  /** Called at each ACS turn: after the empty POST (`last` undefined) or with
   * the outcome of the RPC sent last. Returns the next RPC or null. */
  async nextRpc(endpointId: string, sessionId: string, last?: { request: AcsRequest; outcome: RpcOutcome }): Promise<AcsRequest | null> {
    // Gateway tasks go first: their RPCs prepare what USP requests rely on
    // (e.g. notification attributes) and are few.
    const taskOutcome = last !== undefined && this.tasks.owns(sessionId) ? last.outcome : undefined;
    const taskRpc = this.tasks.nextRpc(endpointId, sessionId, taskOutcome);
    if (taskRpc !== null) return taskRpc;
    if (taskOutcome !== undefined) last = undefined;
    let job = this.jobs.get(sessionId);
    if (job === undefined && last !== undefined) {
      job = await this.resume(endpointId, sessionId, last);
      if (job !== undefined) last = undefined; // the replay holds its outcome
    }
    if (job !== undefined && last !== undefined) {
      const split = job.split;
      job.split = undefined;
      job.outcomes.push(split === undefined ? last.outcome : split.merge(last.outcome, await this.runLocal(job.pending, split.local)));
    }
    for (;;) {
      if (job === undefined) {
        job = await this.startNextJob(endpointId, sessionId);
        if (job === undefined) return null;
      }
      const rpc = job.queue.shift();
      if (rpc !== undefined) {
        const toCpe = await this.runRpc(sessionId, job, rpc);
        if (toCpe === undefined) continue;
        return toCpe;
      }
      const respond = this.advance(job);
      if (respond === undefined) continue;
      await this.finish(sessionId, job, respond);
      job = undefined;
    }
  }

  /** Answers a request entirely from the gateway-served tree when it never
   * needs the CPE (e.g. a Get or Add under Device.LocalAgent.): no Connection
   * Request, no session. Returns undefined as soon as a round needs the CPE,
   * before that round runs, so nothing is half done. */
  async tryLocally(pending: PendingRequest): Promise<UspReply | undefined> {
    // A model of its own: the device's shared model may be mid-transaction in a session.
    const model = new DeviceModel();
    model.beginTransaction();
    const operate = await this.operateEnv(pending);
    const profile = await this.profileFor(pending.endpointId);
    const job: ActiveJob = { pending, model, rounds: 0, queue: [], sent: [], outcomes: [], split: undefined, operate, filed: [], replay: undefined, profile };
    for (;;) {
      const respond = this.advance(job);
      if (respond !== undefined) {
        // Without the CPE nothing starts or is canceled; applied for completeness.
        if (respond.effects !== undefined) {
          await this.deps.commands?.apply(pending, respond.effects);
          await this.deps.commands?.afterReply(pending, respond.effects);
        }
        return respond.reply;
      }
      const routes = job.queue.map((rpc) => routeRpc(rpc));
      if (routes.some((r) => r.kind !== "local")) return undefined;
      for (const [i, route] of routes.entries()) {
        if (route.kind !== "local") continue;
        job.sent.push(job.queue[i] as AcsRequest);
        job.outcomes.push(await this.runLocal(pending, route.rpc));
      }
      job.queue = [];
    }
  }

  /** One planned RPC: answered from the replay or by the gateway, or returned
   * as what goes to the CPE, once the work log says so. */
  private async runRpc(sessionId: string, job: ActiveJob, rpc: AcsRequest): Promise<AcsRequest | undefined> {
    job.sent.push(rpc);
    const logged = job.replay?.logged(rpc);
    if (logged !== undefined) {
      job.outcomes.push(logged);
      return undefined;
    }
    const route = routeRpc(rpc);
    if (route.kind === "local") {
      job.outcomes.push(await this.runLocal(job.pending, route.rpc));
      return undefined;
    }
    const toCpe = route.kind === "split" ? route.remote : rpc;
    const atCpe = job.replay?.atCpe(toCpe);
    if (atCpe !== undefined) {
      job.outcomes.push(route.kind === "split" ? route.merge(atCpe, await this.runLocal(job.pending, route.local)) : atCpe);
      return undefined;
    }
    job.replay = undefined; // from here on the job runs live
    job.split = route.kind === "split" ? route : undefined;
    const log = { requestId: job.pending.requestId, steps: [...job.filed, ...stepsOf(job.sent, job.outcomes)], inFlight: toCpe };
    await this.deps.store.saveSessionWork(sessionId, log, this.deps.workLogTtlMs ?? DEFAULT_WORK_LOG_TTL_MS);
    return toCpe;
  }

  /** The request another instance was running in this session, continued
   * from the session's work log; undefined when there is none to continue
   * (then the outcome that came is not this job's and is dropped). */
  private async resume(endpointId: string, sessionId: string, last: WorkStep): Promise<ActiveJob | undefined> {
    const log = await this.deps.store.loadSessionWork(sessionId);
    if (log === undefined || !continuesLog(log, last.request) || this.running.has(log.requestId)) return undefined;
    const pending = (await this.deps.store.pendingRequests(endpointId)).find((r) => r.requestId === log.requestId);
    if (pending === undefined) return undefined; // answered meanwhile (timeout)
    const job = await this.beginJob(sessionId, pending);
    job.replay = new Replay(log.steps, last);
    this.deps.logger.info({ endpointId, msgId: pending.msgId, rpcsDone: log.steps.length + 1 }, "request continues where another gateway instance left it");
    return job;
  }

  private runLocal(pending: PendingRequest, rpc: LocalRpc): Promise<RpcOutcome> {
    return this.deps.localAgents.execute(pending.endpointId, rpc, pending.controllerId);
  }

  /** The session ended (normally or not): a job still running is abandoned and
   * its request stays queued, to run again in the CPE's next session. */
  sessionEnded(sessionId: string): void {
    this.sessionMoved(sessionId);
    void this.deps.store.deleteSessionWork(sessionId).catch((err: unknown) => this.deps.logger.error({ err, sessionId }, "deleting a work log failed"));
  }

  /** The session went on at another instance: what this one holds for it is
   * stale, while its work log in the store lives on for the other. */
  sessionMoved(sessionId: string): void {
    this.tasks.sessionEnded(sessionId);
    const job = this.jobs.get(sessionId);
    if (job === undefined) return;
    this.jobs.delete(sessionId);
    this.running.delete(job.pending.requestId);
  }

  private async operateEnv(pending: PendingRequest): Promise<OperateEnv | undefined> {
    return pending.request.type === "operate" ? this.deps.commands?.envFor(pending.endpointId) : undefined;
  }

  /** Files the finished round and plans again; returns the reply once there is one. */
  private advance(job: ActiveJob): Respond | undefined {
    if (job.sent.length > 0) {
      recordOutcomes(job.model, job.sent, job.outcomes);
      job.filed.push(...stepsOf(job.sent, job.outcomes));
      job.sent = [];
      job.outcomes = [];
    }
    if (job.rounds >= MAX_PLAN_ROUNDS) {
      return errorRespond(USP_ERR.INTERNAL_ERROR, `translation did not finish within ${MAX_PLAN_ROUNDS} CWMP rounds`);
    }
    job.rounds += 1;
    try {
      const ctx = { profile: job.profile, model: job.model, ...(job.operate !== undefined ? { operate: job.operate } : {}) };
      const plan = planRequest(job.pending.request, ctx);
      if (plan.kind === "respond") return plan;
      if (plan.rpcs.length === 0) return errorRespond(USP_ERR.INTERNAL_ERROR, "translation asked for an empty round of RPCs");
      job.queue = [...plan.rpcs];
      return undefined;
    } catch (err) {
      // A planner exception is a bug; the controller still gets its one answer.
      this.deps.logger.error({ err, endpointId: job.pending.endpointId, msgId: job.pending.msgId }, "translation failed");
      return errorRespond(USP_ERR.INTERNAL_ERROR, "internal error while translating the request");
    }
  }

  private async startNextJob(endpointId: string, sessionId: string): Promise<ActiveJob | undefined> {
    const queued = await this.deps.store.pendingRequests(endpointId);
    const pending = queued.find((r) => !this.running.has(r.requestId));
    if (pending === undefined) return undefined;
    this.deps.logger.debug({ endpointId, msgId: pending.msgId, type: pending.request.type }, "request joins CWMP session");
    return this.beginJob(sessionId, pending);
  }

  private async beginJob(sessionId: string, pending: PendingRequest): Promise<ActiveJob> {
    this.running.add(pending.requestId);
    const operate = await this.operateEnv(pending);
    const profile = await this.profileFor(pending.endpointId);
    const model = this.modelFor(pending.endpointId);
    model.beginTransaction();
    const job: ActiveJob = { pending, model, rounds: 0, queue: [], sent: [], outcomes: [], split: undefined, operate, filed: [], replay: undefined, profile };
    this.jobs.set(sessionId, job);
    return job;
  }

  private async finish(sessionId: string, job: ActiveJob, respond: Respond): Promise<void> {
    this.jobs.delete(sessionId);
    // What the CPE accepted (a Download, a Reboot) is tracked even if the
    // request can no longer be answered (it timed out meanwhile).
    if (respond.effects !== undefined) await this.deps.commands?.apply(job.pending, respond.effects);
    this.running.delete(job.pending.requestId);
    // Only the caller that removes the request answers it: exactly one answer.
    if (await this.deps.store.takeRequest(job.pending.endpointId, job.pending.requestId)) {
      const sent = this.deps.answer(job.pending, respond.reply).catch((err: unknown) => this.deps.logger.error({ err, endpointId: job.pending.endpointId, msgId: job.pending.msgId }, "answering a request failed"));
      // The CPE's next RPC does not wait for the broker to acknowledge this
      // reply (an MQTT round trip per request); a command's OperationComplete
      // (afterReply) must still follow its OperateResp.
      if (respond.effects !== undefined) await sent;
    }
    if (respond.effects !== undefined) await this.deps.commands?.afterReply(job.pending, respond.effects);
  }
}

const DEFAULT_WORK_LOG_TTL_MS = 60_000;

function errorRespond(code: number, message: string): Respond {
  return { kind: "respond", reply: { kind: "error", error: uspError(code, message) } };
}
