// In-memory Store: tests, labs and `cwmp2usp demo`. State dies with the process.
import type { CwmpSession } from "../cwmp/session.js";
import type { DeviceRecord, PendingRequest, SessionWorkLog, Store, StoredRow } from "./store.js";

export class MemoryStore implements Store {
  private readonly devices = new Map<string, DeviceRecord>();
  private readonly queues = new Map<string, PendingRequest[]>();
  private readonly locks = new Map<string, { owner: string; expiresAt: number }>();
  private readonly agentRows = new Map<string, StoredRow[]>();
  private readonly cwmpSessions = new Map<string, { session: CwmpSession; expiresAt: number }>();
  private readonly sessionWork = new Map<string, { log: SessionWorkLog; expiresAt: number }>();
  /** Wake-up claims: endpoint id → expiry (epoch ms). */
  private readonly wakeClaims = new Map<string, number>();

  /** `now` is injected so lock expiry is testable without waiting. */
  constructor(private readonly now: () => number = Date.now) {}

  async putDevice(device: DeviceRecord): Promise<void> {
    this.devices.set(device.endpointId, structuredClone(device));
  }

  async getDevice(endpointId: string): Promise<DeviceRecord | undefined> {
    const device = this.devices.get(endpointId);
    return device === undefined ? undefined : structuredClone(device);
  }

  async listDevices(): Promise<DeviceRecord[]> {
    return [...this.devices.values()].map((d) => structuredClone(d));
  }

  async deleteDevice(endpointId: string): Promise<void> {
    this.devices.delete(endpointId);
    this.queues.delete(endpointId);
    this.locks.delete(endpointId);
    this.wakeClaims.delete(endpointId);
    for (const key of [...this.agentRows.keys()]) if (key.startsWith(`${endpointId} `)) this.agentRows.delete(key);
  }

  async enqueueRequest(request: PendingRequest): Promise<void> {
    const queue = this.queues.get(request.endpointId) ?? [];
    queue.push(structuredClone(request));
    this.queues.set(request.endpointId, queue);
  }

  async pendingRequests(endpointId: string): Promise<PendingRequest[]> {
    return (this.queues.get(endpointId) ?? []).map((r) => structuredClone(r));
  }

  async takeRequest(endpointId: string, requestId: string): Promise<boolean> {
    const queue = this.queues.get(endpointId);
    if (queue === undefined) return false;
    const index = queue.findIndex((r) => r.requestId === requestId);
    if (index < 0) return false;
    queue.splice(index, 1);
    if (queue.length === 0) this.queues.delete(endpointId);
    return true;
  }

  async expiredRequests(now: number): Promise<PendingRequest[]> {
    const expired: PendingRequest[] = [];
    for (const queue of this.queues.values()) {
      for (const request of queue) if (request.deadline <= now) expired.push(structuredClone(request));
    }
    return expired;
  }

  async acquireSessionLock(endpointId: string, owner: string, ttlMs: number): Promise<boolean> {
    const now = this.now();
    const lock = this.locks.get(endpointId);
    if (lock !== undefined && lock.owner !== owner && lock.expiresAt > now) return false;
    this.locks.set(endpointId, { owner, expiresAt: now + ttlMs });
    return true;
  }

  async releaseSessionLock(endpointId: string, owner: string): Promise<void> {
    if (this.locks.get(endpointId)?.owner === owner) this.locks.delete(endpointId);
  }

  async sessionLockOwner(endpointId: string): Promise<string | undefined> {
    const lock = this.locks.get(endpointId);
    return lock !== undefined && lock.expiresAt > this.now() ? lock.owner : undefined;
  }

  async saveCwmpSession(sessionId: string, session: CwmpSession, ttlMs: number): Promise<void> {
    this.cwmpSessions.set(sessionId, { session: structuredClone(session), expiresAt: this.now() + ttlMs });
  }

  async loadCwmpSession(sessionId: string): Promise<CwmpSession | undefined> {
    const entry = this.cwmpSessions.get(sessionId);
    if (entry === undefined) return undefined;
    if (entry.expiresAt <= this.now()) {
      this.cwmpSessions.delete(sessionId);
      return undefined;
    }
    return structuredClone(entry.session);
  }

  async deleteCwmpSession(sessionId: string): Promise<void> {
    this.cwmpSessions.delete(sessionId);
  }

  async saveSessionWork(sessionId: string, log: SessionWorkLog, ttlMs: number): Promise<void> {
    this.sessionWork.set(sessionId, { log: structuredClone(log), expiresAt: this.now() + ttlMs });
  }

  async loadSessionWork(sessionId: string): Promise<SessionWorkLog | undefined> {
    const entry = this.sessionWork.get(sessionId);
    if (entry === undefined || entry.expiresAt <= this.now()) {
      this.sessionWork.delete(sessionId);
      return undefined;
    }
    return structuredClone(entry.log);
  }

  async deleteSessionWork(sessionId: string): Promise<void> {
    this.sessionWork.delete(sessionId);
  }

  async claimWakeUp(endpointId: string, ttlMs: number): Promise<boolean> {
    const now = this.now();
    if ((this.wakeClaims.get(endpointId) ?? 0) > now) return false;
    this.wakeClaims.set(endpointId, now + ttlMs);
    return true;
  }

  async getAgentRows(endpointId: string, table: string): Promise<StoredRow[]> {
    return structuredClone(this.agentRows.get(`${endpointId} ${table}`) ?? []);
  }

  async putAgentRows(endpointId: string, table: string, rows: StoredRow[]): Promise<void> {
    this.agentRows.set(`${endpointId} ${table}`, structuredClone(rows));
  }

  async ping(): Promise<void> {
    // Always reachable: it lives in this process.
  }

  async close(): Promise<void> {
    this.devices.clear();
    this.queues.clear();
    this.locks.clear();
    this.cwmpSessions.clear();
    this.sessionWork.clear();
    this.wakeClaims.clear();
  }
}
