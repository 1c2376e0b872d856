// Requests never get lost (DESIGN decision 4): a USP request for a CPE is
// queued in the store; if the CPE has no open CWMP session a Connection
// Request wakes it, and the request runs in its next session. Every request
// ends in exactly one answer: the result, or a USP Error saying why (the
// Connection Request failed, or the CPE did not come before the deadline).
import { randomUUID } from "node:crypto";
import type { Logger } from "pino";
import type { ConnectionRequestOutcome } from "../cwmp/connection-request.js";
import type { DeviceRecord, PendingRequest, Store } from "../store/store.js";
import type { UspReply } from "../translate/plan.js";
import { USP_ERR, uspError } from "../usp/errors.js";
import type { InboundRequest } from "./request-router.js";

export interface RequestQueueDeps {
  store: Store;
  logger: Logger;
  requestTimeoutMs: number;
  /** A request still queued this long after it arrived, for a CPE with no
   * session open on any instance, gets a new Connection Request (default 10 s). */
  rewakeAfterMs?: number;
  now: () => number;
  hasOpenSession(endpointId: string): boolean;
  isRunning(requestId: string): boolean;
  /** The gateway has work of its own queued for this device (gateway-tasks.ts). */
  hasGatewayTasks(endpointId: string): boolean;
  connectionRequest(device: DeviceRecord): Promise<ConnectionRequestOutcome>;
  /** The reply when the gateway can answer without the CPE (Device.LocalAgent.), else undefined. */
  tryLocally(pending: PendingRequest): Promise<UspReply | undefined>;
  answer(pending: PendingRequest, reply: UspReply): Promise<void>;
}

const DEFAULT_REWAKE_AFTER_MS = 10_000;

interface WakeState {
  inFlight: boolean;
  last?: { at: number; outcome: ConnectionRequestOutcome };
}

export class RequestQueue {
  private readonly wakes = new Map<string, WakeState>();

  constructor(private readonly deps: RequestQueueDeps) {}

  async accept(inbound: InboundRequest): Promise<void> {
    const now = this.deps.now();
    const pending: PendingRequest = {
      requestId: randomUUID(),
      endpointId: inbound.endpointId,
      controllerId: inbound.controllerId,
      msgId: inbound.msgId,
      request: inbound.request,
      replyTo: inbound.replyTo,
      recordVersion: inbound.recordVersion,
      receivedAt: now,
      deadline: now + this.deps.requestTimeoutMs,
    };
    const local = await this.deps.tryLocally(pending);
    if (local !== undefined) {
      await this.deps.answer(pending, local);
      return;
    }
    await this.deps.store.enqueueRequest(pending);
    this.deps.logger.debug({ endpointId: pending.endpointId, msgId: pending.msgId, type: pending.request.type }, "USP request queued");
    await this.wake(pending.endpointId);
  }

  /** Makes sure the CPE will come for its queued work: a request that arrives
   * mid-session joins that session at its next ACS turn; otherwise a
   * Connection Request is sent (one at a time per device). */
  async wake(endpointId: string): Promise<void> {
    // A session open on another instance picks the work up at its next ACS
    // turn; a Connection Request now would only make the CPE refuse it.
    if (await this.sessionOpenAnywhere(endpointId)) return;
    const state = this.wakes.get(endpointId) ?? { inFlight: false };
    if (state.inFlight) return;
    const device = await this.deps.store.getDevice(endpointId);
    if (device === undefined) return;
    state.inFlight = true;
    this.wakes.set(endpointId, state);
    let outcome: ConnectionRequestOutcome;
    try {
      outcome = await this.deps.connectionRequest(device);
    } finally {
      state.inFlight = false;
    }
    state.last = { at: this.deps.now(), outcome };
    if (outcome.ok) {
      this.deps.logger.debug({ endpointId }, "Connection Request accepted");
      return;
    }
    this.deps.logger.warn({ endpointId, reason: outcome.reason, detail: outcome.detail }, "Connection Request failed");
    // A session may have opened meanwhile (the CPE informed on its own): then
    // the queued work runs there and nothing has failed.
    if (await this.sessionOpenAnywhere(endpointId)) return;
    await this.failQueued(endpointId, USP_ERR.REQUEST_DENIED, `CPE unreachable: Connection Request to ${device.connectionRequestUrl || "(no URL)"} failed (${outcome.reason}: ${outcome.detail})`);
  }

  /** Called when a CPE session ends: work queued during its last moments gets a new wake-up. */
  async afterSession(endpointId: string): Promise<void> {
    if (this.deps.hasGatewayTasks(endpointId)) return this.wake(endpointId);
    const queued = await this.deps.store.pendingRequests(endpointId);
    if (queued.some((r) => !this.deps.isRunning(r.requestId))) await this.wake(endpointId);
  }

  /** Answers every queued request whose deadline has passed and that is not
   * running now. Work for a CPE in session on any instance is left to that
   * session, which may be running it; a dead instance's lock lapses soon. */
  async expire(): Promise<void> {
    const now = this.deps.now();
    for (const pending of await this.deps.store.expiredRequests(now)) {
      if (this.deps.isRunning(pending.requestId) || (await this.sessionOpenAnywhere(pending.endpointId))) continue;
      const limit = Math.round((pending.deadline - pending.receivedAt) / 1000);
      const wake = this.wakes.get(pending.endpointId)?.last;
      const why = wake === undefined ? "no Connection Request could be sent" : wake.outcome.ok ? "the Connection Request was accepted but no session followed" : `the last Connection Request failed (${wake.outcome.reason})`;
      await this.answerOnce(pending, USP_ERR.MESSAGE_FAILED, `timeout: the CPE did not open a CWMP session within ${limit} s (${why})`);
    }
  }

  /** Wakes CPEs whose work has waited `rewakeAfterMs` with no session open
   * anywhere: the instance that sent the first Connection Request may have
   * died before it or mid-session, or the CPE dropped it. One instance per
   * period sends it (store claim), so instances do not flood the CPE. */
  async rewake(): Promise<void> {
    const now = this.deps.now();
    const after = this.deps.rewakeAfterMs ?? DEFAULT_REWAKE_AFTER_MS;
    // Deadlines are arrival + requestTimeoutMs, so the deadline index finds old requests too.
    const old = await this.deps.store.expiredRequests(now + this.deps.requestTimeoutMs - after);
    const waiting = old.filter((r) => r.receivedAt <= now - after && r.deadline > now && !this.deps.isRunning(r.requestId));
    for (const endpointId of new Set(waiting.map((r) => r.endpointId))) {
      if (await this.sessionOpenAnywhere(endpointId)) continue;
      if (!(await this.deps.store.claimWakeUp(endpointId, after))) continue;
      this.deps.logger.info({ endpointId }, "queued USP request still waiting for the CPE: Connection Request again");
      void this.wake(endpointId).catch((err: unknown) => this.deps.logger.error({ err, endpointId }, "wake failed"));
    }
  }

  private async sessionOpenAnywhere(endpointId: string): Promise<boolean> {
    return this.deps.hasOpenSession(endpointId) || (await this.deps.store.sessionLockOwner(endpointId)) !== undefined;
  }

  private async failQueued(endpointId: string, code: number, message: string): Promise<void> {
    for (const pending of await this.deps.store.pendingRequests(endpointId)) {
      if (!this.deps.isRunning(pending.requestId)) await this.answerOnce(pending, code, message);
    }
  }

  private async answerOnce(pending: PendingRequest, code: number, message: string): Promise<void> {
    if (await this.deps.store.takeRequest(pending.endpointId, pending.requestId)) {
      await this.deps.answer(pending, { kind: "error", error: uspError(code, message) });
    }
  }
}
