// The ACS endpoint's request handling, between the HTTP server (which only
// carries bytes) and the pure session engine (session.ts). It finds the session
// a POST belongs to, authenticates new sessions, holds the per-device session
// lock and asks the agent layer for work at every ACS turn.
//
// Several gateway instances may serve one fleet behind a load balancer: every
// session step is saved in the store, so a POST carrying the session cookie
// continues the session on whichever instance it reaches (the way GenieACS
// resumes a session on another worker). The store's copy is the truth; the
// local map only remembers what this instance saved last.
import type { Logger } from "pino";
import { randomBytes } from "node:crypto";
import type { Store } from "../store/store.js";
import type { AcsRequest, CpeRequest, CwmpEnvelope, Inform, RpcOutcome } from "./rpc.js";
import { close, receive, sendRequest, startSession, type CwmpSession, type SessionStep } from "./session.js";
import { decodeEnvelope } from "./soap-decode.js";
import { encodeEnvelope } from "./soap-encode.js";
import type { CpeAuthenticator } from "./cpe-auth.js";

export interface CwmpHttpRequest {
  body: string;
  cookie: string | undefined;
  authorization: string | undefined;
  /** The TCP connection, used only as an identity: CPEs that drop cookies
   * still continue their session on the same socket (genieacs#79). */
  socket: object;
}

export interface CwmpHttpAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
  closeConnection: boolean;
}

export type SessionEndReason = "completed" | "timeout" | "error" | "replaced";

export interface AcsHooks {
  /** A CPE informed; registers it and returns its endpoint id, or a reason to refuse. */
  onInform(inform: Inform, envelope: CwmpEnvelope): Promise<{ ok: true; endpointId: string } | { ok: false; message: string }>;
  /** The next ACS request for this session, or null to end it with 204. */
  nextRpc(endpointId: string, sessionId: string, last?: { request: AcsRequest; outcome: RpcOutcome }): Promise<AcsRequest | null>;
  onCpeRequest(endpointId: string, request: CpeRequest): void;
  onSessionEnd(endpointId: string, sessionId: string, reason: SessionEndReason): void;
  /** Another instance served this session since this one last did (it moved
   * there, or came back here): whatever this instance kept for it, such as a
   * translation in progress, is stale. */
  onSessionMoved?(endpointId: string, sessionId: string): void;
}

export interface AcsOptions {
  store: Store;
  hooks: AcsHooks;
  auth: CpeAuthenticator;
  logger: Logger;
  sessionTimeoutMs: number;
  now?: () => number;
}

const XML_HEADERS = { "content-type": 'text/xml; charset="utf-8"' };

export class Acs {
  /** Sessions this instance serves, as it last saved them (or is stepping them). */
  private readonly sessions = new Map<string, CwmpSession>();
  private readonly sessionBySocket = new WeakMap<object, string>();
  private readonly sessionByEndpoint = new Map<string, string>();
  /** Set once the gateway is shutting down (drain). */
  private drainRetryAfterSeconds: number | undefined;
  private readonly now: () => number;

  constructor(private readonly options: AcsOptions) {
    this.now = options.now ?? Date.now;
  }

  hasOpenSession(endpointId: string): boolean {
    return this.sessionByEndpoint.has(endpointId);
  }

  openSessionCount(): number {
    return this.sessions.size;
  }

  /** Graceful shutdown (issue 5): from now on an Inform, which would start a
   * new session, gets 503 with Retry-After; sessions already running go on. */
  drain(retryAfterSeconds: number): void {
    this.drainRetryAfterSeconds = retryAfterSeconds;
  }

  async handlePost(req: CwmpHttpRequest): Promise<CwmpHttpAnswer> {
    const session = await this.findSession(req);
    if (req.body.trim() === "") {
      // An empty POST (any framing, with or without Content-Type) is the CPE's
      // "no more requests" (TR-069 §3.7.1.4); outside a session it means nothing.
      if (session === undefined) return badRequest("empty POST outside a CWMP session (Inform must come first)");
      return this.step(receive(session, { kind: "empty" }, this.now()));
    }
    const decoded = decodeEnvelope(req.body);
    if (!decoded.ok) {
      // Garbage is not an empty POST (freeacs#186): refuse it and end the session.
      if (session !== undefined) this.endSession(session, "error");
      return badRequest(`malformed SOAP: ${decoded.error}`);
    }
    const envelope = decoded.envelope;
    if (decoded.warnings.length > 0) this.options.logger.debug({ warnings: decoded.warnings, endpointId: session?.endpointId }, "tolerated SOAP quirks");
    if (envelope.body.method === "Inform") {
      if (this.drainRetryAfterSeconds !== undefined) {
        return { status: 503, headers: { "retry-after": String(this.drainRetryAfterSeconds) }, body: "ACS shutting down\n", closeConnection: true };
      }
      // A stale cookie from the previous session often comes with the next
      // Inform (genieacs ca83704): an Inform always starts a new session.
      if (session !== undefined) this.endSession(session, "replaced");
      return this.startSession(req, envelope, envelope.body);
    }
    if (session === undefined) return badRequest(`${envelope.body.method} outside a CWMP session (Inform must come first)`);
    return this.step(receive(session, { kind: "envelope", envelope }, this.now()));
  }

  /** Ends sessions idle longer than the session timeout; a session that went
   * on at another instance is only forgotten here, as it is alive there. */
  async sweepIdleSessions(): Promise<void> {
    const limit = this.now() - this.options.sessionTimeoutMs;
    for (const session of [...this.sessions.values()]) {
      if (session.lastActivityAt >= limit) continue;
      await this.current(session.id);
      if (this.sessions.get(session.id) !== session) continue;
      this.options.logger.info({ endpointId: session.endpointId, sessionId: session.id }, "CWMP session timed out");
      this.endSession(session, "timeout");
    }
  }

  /** Ends every session (shutdown). */
  closeAll(): void {
    for (const session of this.sessions.values()) this.endSession(session, "error");
  }

  /** The session a POST continues: by cookie, else by socket (CPEs that drop
   * cookies, genieacs#79; such a CPE cannot move between instances). */
  private async findSession(req: CwmpHttpRequest): Promise<CwmpSession | undefined> {
    const cookieId = sessionCookie(req.cookie);
    let session = cookieId === undefined ? undefined : await this.current(cookieId);
    const bySocket = this.sessionBySocket.get(req.socket);
    if (session === undefined && bySocket !== undefined && bySocket !== cookieId) session = await this.current(bySocket);
    if (session === undefined) return undefined;
    if (!this.sessions.has(session.id) && !(await this.resume(session, req.socket))) return undefined;
    this.sessionBySocket.set(req.socket, session.id);
    return session;
  }

  /** The store's copy of a session. A local copy that differs from it is
   * stale (the session went on elsewhere, or ended there) and is forgotten. */
  private async current(sessionId: string): Promise<CwmpSession | undefined> {
    const stored = await this.options.store.loadCwmpSession(sessionId);
    const local = this.sessions.get(sessionId);
    if (local !== undefined && (stored === undefined || !sameStep(local, stored))) {
      this.forget(local);
      this.options.hooks.onSessionMoved?.(local.endpointId, sessionId);
    }
    return stored;
  }

  /** Continues here a session another instance served last. The device lock
   * moves with it: its owner is the session id, which any instance may refresh;
   * if a newer session of the device holds the lock, this one is over. */
  private async resume(session: CwmpSession, socket: object): Promise<boolean> {
    const log = { endpointId: session.endpointId, sessionId: session.id };
    if (!(await this.options.store.acquireSessionLock(session.endpointId, session.id, this.lockTtlMs()))) {
      this.options.logger.info(log, "CWMP session superseded by a newer session of the CPE");
      await this.options.store.deleteCwmpSession(session.id);
      return false;
    }
    this.remember(session, socket);
    this.options.logger.info(log, "CWMP session resumed from the store");
    return true;
  }

  private async startSession(req: CwmpHttpRequest, envelope: CwmpEnvelope, inform: Inform): Promise<CwmpHttpAnswer> {
    const auth = this.options.auth.check(req.authorization, "POST", this.now());
    if (!auth.ok) {
      this.options.logger.info({ oui: inform.deviceId.oui, serial: inform.deviceId.serialNumber, reason: auth.reason }, "CPE authentication failed");
      return { status: 401, headers: { "www-authenticate": auth.challenge }, body: "", closeConnection: false };
    }
    if (inform.deviceId.oui === "" || inform.deviceId.serialNumber === "") {
      return badRequest("Inform DeviceId needs OUI and SerialNumber");
    }
    const registered = await this.options.hooks.onInform(inform, envelope);
    if (!registered.ok) return badRequest(registered.message);
    const endpointId = registered.endpointId;
    const sessionId = randomBytes(12).toString("hex");
    const locked = await this.options.store.acquireSessionLock(endpointId, sessionId, this.lockTtlMs());
    if (!locked) {
      // One session per device (TR-069 §3.7.1.4); the CPE retries with back-off.
      return { status: 503, headers: { "retry-after": "30" }, body: "CPE already in session", closeConnection: true };
    }
    const started = startSession({ sessionId, endpointId, envelope, inform, now: this.now() });
    this.remember(started.session, req.socket);
    await this.save(started.session);
    return {
      status: 200,
      headers: { ...XML_HEADERS, "set-cookie": `session=${sessionId}; Path=/` },
      body: encodeEnvelope(started.envelope),
      closeConnection: false,
    };
  }

  private async step(step: SessionStep): Promise<CwmpHttpAnswer> {
    const session = step.session;
    switch (step.kind) {
      case "reply":
        await this.save(session);
        if (step.cpeRequest !== null) this.options.hooks.onCpeRequest(session.endpointId, step.cpeRequest);
        return ok(step.envelope);
      case "badState":
        this.options.logger.warn({ endpointId: session.endpointId, reason: step.message }, "CWMP session state error");
        this.endSession(session, "error");
        return badRequest(step.message);
      case "acsTurn":
        return this.acsTurn(session);
      case "rpcOutcome":
        if (step.warnings.length > 0) this.options.logger.debug({ endpointId: session.endpointId, warnings: step.warnings }, "tolerated response quirks");
        return this.acsTurn(session, { request: step.request, outcome: step.outcome });
    }
  }

  private async acsTurn(session: CwmpSession, last?: { request: AcsRequest; outcome: RpcOutcome }): Promise<CwmpHttpAnswer> {
    this.sessions.set(session.id, session);
    // A long session (many RPCs) must keep its device lock past the initial TTL.
    if (!(await this.options.store.acquireSessionLock(session.endpointId, session.id, this.lockTtlMs()))) {
      // The lock lapsed and a newer session of this CPE took it: one session per device.
      this.options.logger.warn({ endpointId: session.endpointId, sessionId: session.id }, "CWMP session lost its device lock to a newer session");
      this.endSession(session, "replaced");
      return badRequest("CWMP session superseded by a newer session of this CPE");
    }
    let next: AcsRequest | null;
    try {
      next = await this.options.hooks.nextRpc(session.endpointId, session.id, last);
    } catch (err) {
      this.options.logger.error({ err, endpointId: session.endpointId }, "choosing the next RPC failed");
      next = null;
    }
    if (!this.sessions.has(session.id)) return noContent(); // ended meanwhile (timeout, shutdown)
    if (next === null) {
      this.endSession(close(session), "completed");
      return noContent();
    }
    const sent = sendRequest(session, next, this.now());
    await this.save(sent.session);
    return ok(sent.envelope);
  }

  /** Outlives the idle timeout, so a live session never loses its lock, while
   * a gateway that died mid-session frees the device soon after. */
  private lockTtlMs(): number {
    return this.options.sessionTimeoutMs * 2;
  }

  private remember(session: CwmpSession, socket: object): void {
    this.sessions.set(session.id, session);
    this.sessionBySocket.set(socket, session.id);
    this.sessionByEndpoint.set(session.endpointId, session.id);
  }

  /** Saved before the answer goes out, so the CPE's next POST finds this step
   * whichever instance it reaches. */
  private async save(session: CwmpSession): Promise<void> {
    this.sessions.set(session.id, session);
    await this.options.store.saveCwmpSession(session.id, session, this.lockTtlMs());
  }

  /** Drops a session from this instance only: it lives on elsewhere, or ended there. */
  private forget(session: CwmpSession): void {
    this.sessions.delete(session.id);
    if (this.sessionByEndpoint.get(session.endpointId) === session.id) this.sessionByEndpoint.delete(session.endpointId);
  }

  private endSession(session: CwmpSession, reason: SessionEndReason): void {
    if (!this.sessions.has(session.id)) return;
    this.forget(session);
    // Both are issued before onSessionEnd runs: work queued meanwhile is then
    // seen either by the end hook's queue check or by the accepting
    // instance's wake-up, which finds the lock free.
    const { store, logger } = this.options;
    void Promise.all([store.releaseSessionLock(session.endpointId, session.id), store.deleteCwmpSession(session.id)]).catch((err: unknown) => {
      logger.error({ err, endpointId: session.endpointId }, "releasing session lock failed");
    });
    this.options.hooks.onSessionEnd(session.endpointId, session.id, reason);
  }
}

/** Whether two copies of a session are at the same step: every POST another
 * instance serves changes the activity time, and every RPC it sends the count. */
function sameStep(a: CwmpSession, b: CwmpSession): boolean {
  return a.rpcCount === b.rpcCount && a.lastActivityAt === b.lastActivityAt && a.state.phase === b.state.phase;
}

/** The `session` cookie; `,` is accepted as a separator as some CPEs use it,
 * and attributes echoed back verbatim (genieacs-sim sends "; Path=/") are ignored. */
export function sessionCookie(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  for (const part of header.split(/[;,]/)) {
    const match = /^\s*session\s*=\s*"?([A-Za-z0-9_-]+)"?\s*$/.exec(part);
    if (match !== null) return match[1];
  }
  return undefined;
}

function ok(envelope: CwmpEnvelope): CwmpHttpAnswer {
  return { status: 200, headers: XML_HEADERS, body: encodeEnvelope(envelope), closeConnection: false };
}

function noContent(): CwmpHttpAnswer {
  return { status: 204, headers: {}, body: "", closeConnection: false };
}

function badRequest(message: string): CwmpHttpAnswer {
  return { status: 400, headers: { "content-type": "text/plain; charset=utf-8" }, body: `${message}\n`, closeConnection: true };
}
