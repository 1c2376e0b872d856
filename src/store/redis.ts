// Redis Store: state that survives gateway restarts and is shared by every
// gateway instance (DESIGN "Store"). Each multi-key change is one MULTI or Lua
// script, so concurrent instances never see half of it.
//
// Keys (prefix default "cwmp2usp:"):
//   device:<eid>        JSON DeviceRecord            devices       SET of eids
//   queue:<eid>         LIST of requestIds (FIFO)    request:<rid> JSON PendingRequest
//   deadlines           ZSET "<eid>\n<rid>" scored by deadline (epoch ms)
//   lock:<eid>          session lock owner, with PX expiry
//   cwmp-session:<sid>  JSON CwmpSession, with PX expiry
//   session-work:<sid>  JSON SessionWorkLog, with PX expiry
//   wake:<eid>          wake-up claim, with PX expiry
//   agent:<eid>         HASH table path → JSON rows of gateway-served tables
import { Redis } from "ioredis";
import type { CwmpSession } from "../cwmp/session.js";
import type { DeviceRecord, PendingRequest, SessionWorkLog, Store, StoredRow } from "./store.js";

// Removes a request from its device queue and everything that indexes it;
// returns 1 only to the caller that actually removed it (exactly one answer).
const TAKE_REQUEST = `
if redis.call('LREM', KEYS[1], 1, ARGV[1]) == 1 then
  redis.call('DEL', KEYS[2])
  redis.call('ZREM', KEYS[3], ARGV[2])
  return 1
end
return 0`;

// Takes the lock if free, or refreshes it if `owner` already holds it.
const ACQUIRE_LOCK = `
if redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2], 'NX') then return 1 end
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
return 0`;

const RELEASE_LOCK = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`;

export interface RedisStoreOptions {
  url: string;
  keyPrefix?: string;
  onError?: (err: Error) => void;
}

export class RedisStore implements Store {
  private readonly redis: Redis;
  private readonly prefix: string;

  private readonly url: string;

  constructor(options: RedisStoreOptions) {
    this.prefix = options.keyPrefix ?? "cwmp2usp:";
    this.url = redactUrl(options.url);
    // Fail commands fast while Redis is down instead of queueing them forever:
    // a USP request must get its answer (an error) within its deadline.
    this.redis = new Redis(options.url, { lazyConnect: true, maxRetriesPerRequest: 2, enableOfflineQueue: true });
    // Connection errors after start are retried by ioredis and surface as
    // failed commands; the listener keeps them from being unhandled events.
    this.redis.on("error", (err: Error) => options.onError?.(err));
  }

  /** Connects and checks Redis answers, so a bad URL stops start-up with a
   * clear error instead of retrying in the background forever. */
  async connect(timeoutMs = 5000): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const failed = new Promise<never>((_, reject) => {
      this.redis.once("error", (err: Error) => reject(new Error(`Redis at ${this.url}: ${err.message}`)));
      timer = setTimeout(() => reject(new Error(`Redis at ${this.url}: no answer within ${timeoutMs} ms`)), timeoutMs);
    });
    try {
      await Promise.race([this.redis.connect().then(() => this.redis.ping()), failed]);
    } catch (err) {
      this.redis.disconnect();
      throw err;
    } finally {
      clearTimeout(timer);
    }
  }

  async putDevice(device: DeviceRecord): Promise<void> {
    await this.redis.multi().set(this.key("device", device.endpointId), JSON.stringify(device)).sadd(this.key("devices"), device.endpointId).exec();
  }

  async getDevice(endpointId: string): Promise<DeviceRecord | undefined> {
    const json = await this.redis.get(this.key("device", endpointId));
    return json === null ? undefined : (JSON.parse(json) as DeviceRecord);
  }

  async listDevices(): Promise<DeviceRecord[]> {
    const ids = await this.redis.smembers(this.key("devices"));
    if (ids.length === 0) return [];
    const jsons = await this.redis.mget(ids.map((id) => this.key("device", id)));
    return jsons.filter((j): j is string => j !== null).map((j) => JSON.parse(j) as DeviceRecord);
  }

  async deleteDevice(endpointId: string): Promise<void> {
    const requestIds = await this.redis.lrange(this.key("queue", endpointId), 0, -1);
    const tx = this.redis
      .multi()
      .del(this.key("device", endpointId), this.key("queue", endpointId), this.key("lock", endpointId), this.key("agent", endpointId), this.key("wake", endpointId))
      .srem(this.key("devices"), endpointId);
    for (const rid of requestIds) tx.del(this.key("request", rid)).zrem(this.key("deadlines"), deadlineMember(endpointId, rid));
    await tx.exec();
  }

  async enqueueRequest(request: PendingRequest): Promise<void> {
    await this.redis
      .multi()
      .set(this.key("request", request.requestId), JSON.stringify(request))
      .rpush(this.key("queue", request.endpointId), request.requestId)
      .zadd(this.key("deadlines"), request.deadline, deadlineMember(request.endpointId, request.requestId))
      .exec();
  }

  async pendingRequests(endpointId: string): Promise<PendingRequest[]> {
    const ids = await this.redis.lrange(this.key("queue", endpointId), 0, -1);
    return this.loadRequests(ids);
  }

  async takeRequest(endpointId: string, requestId: string): Promise<boolean> {
    const removed = await this.redis.eval(
      TAKE_REQUEST,
      3,
      this.key("queue", endpointId),
      this.key("request", requestId),
      this.key("deadlines"),
      requestId,
      deadlineMember(endpointId, requestId),
    );
    return removed === 1;
  }

  async expiredRequests(now: number): Promise<PendingRequest[]> {
    const members = await this.redis.zrangebyscore(this.key("deadlines"), "-inf", now);
    return this.loadRequests(members.map((m) => m.slice(m.indexOf("\n") + 1)));
  }

  async acquireSessionLock(endpointId: string, owner: string, ttlMs: number): Promise<boolean> {
    return (await this.redis.eval(ACQUIRE_LOCK, 1, this.key("lock", endpointId), owner, Math.max(1, Math.round(ttlMs)))) === 1;
  }

  async releaseSessionLock(endpointId: string, owner: string): Promise<void> {
    await this.redis.eval(RELEASE_LOCK, 1, this.key("lock", endpointId), owner);
  }

  async sessionLockOwner(endpointId: string): Promise<string | undefined> {
    return (await this.redis.get(this.key("lock", endpointId))) ?? undefined;
  }

  async saveCwmpSession(sessionId: string, session: CwmpSession, ttlMs: number): Promise<void> {
    await this.redis.set(this.key("cwmp-session", sessionId), JSON.stringify(session), "PX", Math.max(1, Math.round(ttlMs)));
  }

  async loadCwmpSession(sessionId: string): Promise<CwmpSession | undefined> {
    const json = await this.redis.get(this.key("cwmp-session", sessionId));
    return json === null ? undefined : (JSON.parse(json) as CwmpSession);
  }

  async deleteCwmpSession(sessionId: string): Promise<void> {
    await this.redis.del(this.key("cwmp-session", sessionId));
  }

  async saveSessionWork(sessionId: string, log: SessionWorkLog, ttlMs: number): Promise<void> {
    await this.redis.set(this.key("session-work", sessionId), JSON.stringify(log), "PX", Math.max(1, Math.round(ttlMs)));
  }

  async loadSessionWork(sessionId: string): Promise<SessionWorkLog | undefined> {
    const json = await this.redis.get(this.key("session-work", sessionId));
    return json === null ? undefined : (JSON.parse(json) as SessionWorkLog);
  }

  async deleteSessionWork(sessionId: string): Promise<void> {
    await this.redis.del(this.key("session-work", sessionId));
  }

  async claimWakeUp(endpointId: string, ttlMs: number): Promise<boolean> {
    return (await this.redis.set(this.key("wake", endpointId), "1", "PX", Math.max(1, Math.round(ttlMs)), "NX")) === "OK";
  }

  async getAgentRows(endpointId: string, table: string): Promise<StoredRow[]> {
    const json = await this.redis.hget(this.key("agent", endpointId), table);
    return json === null ? [] : (JSON.parse(json) as StoredRow[]);
  }

  async putAgentRows(endpointId: string, table: string, rows: StoredRow[]): Promise<void> {
    await this.redis.hset(this.key("agent", endpointId), table, JSON.stringify(rows));
  }

  async ping(): Promise<void> {
    await this.redis.ping();
  }

  async close(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }

  private async loadRequests(ids: string[]): Promise<PendingRequest[]> {
    if (ids.length === 0) return [];
    const jsons = await this.redis.mget(ids.map((id) => this.key("request", id)));
    return jsons.filter((j): j is string => j !== null).map((j) => JSON.parse(j) as PendingRequest);
  }

  private key(...parts: string[]): string {
    return this.prefix + parts.join(":");
  }
}

/** The URL without its password, for error messages and logs. */
function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password !== "") parsed.password = "***";
    return parsed.toString();
  } catch {
    return "(invalid URL)";
  }
}

function deadlineMember(endpointId: string, requestId: string): string {
  return `${endpointId}\n${requestId}`;
}
