// The one interface behind which all gateway state lives (DESIGN "Store").
// Async only, so the Redis backend (issue 5) fits behind it unchanged; every
// backend must pass test/store-contract.ts.
import type { AcsRequest, DeviceIdStruct, RpcOutcome } from "../cwmp/rpc.js";
import type { CwmpSession } from "../cwmp/session.js";
import type { Request } from "../usp/messages.js";

/** Where a USP reply goes: the MTP it came in on and that MTP's address.
 * A WebSocket session joins exactly one agent and one controller (R-WS.4), so
 * the controller's endpoint id finds it; `connectionId` prefers the very
 * connection a request came on while it is still open. Plain data: it is
 * stored with queued requests. */
export type ReplyAddress =
  | { mtp: "mqtt"; topic: string }
  | { mtp: "websocket"; controllerId: string; connectionId?: string };

export interface DeviceRecord {
  /** The virtual agent's USP Endpoint ID, e.g. os::00256D-0123456789. Primary key. */
  endpointId: string;
  deviceId: DeviceIdStruct;
  /** "Device." (TR-181) or "InternetGatewayDevice." (TR-098). */
  rootObject: string;
  cwmpNamespace: string;
  connectionRequestUrl: string;
  /** The CPE's own Connection Request credentials, when known; otherwise the
   * gateway's configured defaults are used. */
  connectionRequestAuth?: { username: string; password: string };
  /** Epoch ms of the last Inform. */
  lastInformAt: number;
  /** Epoch ms of the first Inform (when the agent first came online). */
  firstSeenAt: number;
  softwareVersion: string;
}

/** A USP request accepted from a controller and waiting for (or running in) a
 * CWMP session with its CPE. It stays in the store until it is answered. */
export interface PendingRequest {
  /** Unique per accepted request (not the USP msg_id, which is the controller's). */
  requestId: string;
  endpointId: string;
  controllerId: string;
  msgId: string;
  request: Request;
  replyTo: ReplyAddress;
  /** The USP Record version the controller used; the reply uses the same. */
  recordVersion: string;
  receivedAt: number;
  /** Epoch ms after which the request is answered with a timeout error. */
  deadline: number;
}

/** One row of a gateway-served table: instance number and parameter values. */
export interface StoredRow {
  instance: number;
  values: Record<string, string>;
}

/** How far a CWMP session's current USP request has got (agent/session-work.ts),
 * so the instance the session's next POST reaches continues it rather than
 * starting it over. */
export interface SessionWorkLog {
  requestId: string;
  /** RPCs run for it so far, as planned, with their outcomes, in order. */
  steps: { request: AcsRequest; outcome: RpcOutcome }[];
  /** The RPC at the CPE now, as sent; its outcome comes with the next POST. */
  inFlight: AcsRequest;
}

export interface Store {
  putDevice(device: DeviceRecord): Promise<void>;
  getDevice(endpointId: string): Promise<DeviceRecord | undefined>;
  listDevices(): Promise<DeviceRecord[]>;
  deleteDevice(endpointId: string): Promise<void>;

  /** Appends to the device's queue (FIFO). */
  enqueueRequest(request: PendingRequest): Promise<void>;
  /** The device's queued requests, oldest first. */
  pendingRequests(endpointId: string): Promise<PendingRequest[]>;
  /** Removes a request; true only for the one caller that removed it, which is
   * what guarantees a request gets exactly one answer. */
  takeRequest(endpointId: string, requestId: string): Promise<boolean>;
  /** Every queued request whose deadline is at or before `now`. */
  expiredRequests(now: number): Promise<PendingRequest[]>;

  /** One CWMP session per device (TR-069 §3.7.1.4): true if `owner` now holds
   * the lock (or already did); the lock lapses after `ttlMs` unless refreshed. */
  acquireSessionLock(endpointId: string, owner: string, ttlMs: number): Promise<boolean>;
  releaseSessionLock(endpointId: string, owner: string): Promise<void>;
  /** Who holds the device's session lock, i.e. which CWMP session is open for
   * it on any gateway instance; undefined when none is. */
  sessionLockOwner(endpointId: string): Promise<string | undefined>;

  /** The pure CWMP session state (cwmp/session.ts) by session id, saved at
   * every step so that the session's next POST can continue on any instance
   * (same cookie, new connection). Lapses after `ttlMs` unless saved again. */
  saveCwmpSession(sessionId: string, session: CwmpSession, ttlMs: number): Promise<void>;
  loadCwmpSession(sessionId: string): Promise<CwmpSession | undefined>;
  deleteCwmpSession(sessionId: string): Promise<void>;
  /** The session's work log, replaced whole at every RPC; lapses after `ttlMs`. */
  saveSessionWork(sessionId: string, log: SessionWorkLog, ttlMs: number): Promise<void>;
  loadSessionWork(sessionId: string): Promise<SessionWorkLog | undefined>;
  deleteSessionWork(sessionId: string): Promise<void>;

  /** True for only one caller per device per `ttlMs`, across instances: who
   * re-sends a Connection Request for work that has waited too long. */
  claimWakeUp(endpointId: string, ttlMs: number): Promise<boolean>;

  /** Rows of a gateway-served table of one agent (e.g. Device.LocalAgent.Subscription.),
   * replaced as a whole: they change rarely and are read on first use. */
  getAgentRows(endpointId: string, table: string): Promise<StoredRow[]>;
  putAgentRows(endpointId: string, table: string, rows: StoredRow[]): Promise<void>;

  /** Resolves when the backend answers (readiness probe). */
  ping(): Promise<void>;

  close(): Promise<void>;
}
