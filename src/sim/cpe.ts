// One simulated CPE: its data model plus the CWMP session loop (TR-069 §3.7,
// cwmp.md §2.2). All state is in the instance; sessions never overlap, and
// requests that arrive during a session (Connection Request, reboot) become
// the next session, collapsing duplicates (TR-069 §3.2.2).
import type { CwmpBody, CwmpEnvelope, CwmpFault, EventStruct, Inform } from "../cwmp/rpc.js";
import { decodeEnvelope } from "../cwmp/soap-decode.js";
import { encodeEnvelope } from "../cwmp/soap-encode.js";
import { AcsClient, type CookieJar, type HttpReply } from "./acs-client.js";
import { createDeviceModel, executeRpc, type DeviceIdentity, type DeviceModel } from "./data-model.js";
import type { CompiledProfile } from "./profile.js";

export interface CpeOptions {
  acsUrl: string;
  profile: CompiledProfile;
  identity: DeviceIdentity;
  /** Factory values beyond the identity (ManagementServer credentials, URLs). */
  values?: Record<string, string>;
  clock?: () => number;
  httpTimeoutMs?: number;
  /** Sessions kept in `log`. */
  logSize?: number;
  onSession?: (cpe: Cpe, result: SessionResult) => void;
}

export interface SessionResult {
  ok: boolean;
  /** Event codes the Inform carried. */
  events: string[];
  /** ACS→CPE methods executed, in order ("Unknown:<name>" for unsupported). */
  methods: string[];
  error?: string;
}

export function event(eventCode: string, commandKey = ""): EventStruct {
  return { eventCode, commandKey };
}

const BOOTSTRAP = "0 BOOTSTRAP";
const BOOT = "1 BOOT";
const PERIODIC = "2 PERIODIC";
const CONNECTION_REQUEST = "6 CONNECTION REQUEST";
/** icwmp resends on 8005 up to 5 times (cwmp.md §4). */
const MAX_RETRY_REQUEST = 5;
/** Guards against an ACS that never answers 204. */
const MAX_RPCS_PER_SESSION = 10_000;
const ACS_REQUESTS = new Set<CwmpBody["method"]>([
  "GetRPCMethods",
  "GetParameterNames",
  "GetParameterValues",
  "SetParameterValues",
  "AddObject",
  "DeleteObject",
  "Reboot",
  "FactoryReset",
  "Unknown",
]);

/** Adds events, one per code: several CRs before a session are one
 * "6 CONNECTION REQUEST" (TR-069 §3.2.2); the newest CommandKey wins. */
function mergeEvents(into: EventStruct[], add: readonly EventStruct[]): EventStruct[] {
  const out = into.filter((e) => !add.some((a) => a.eventCode === e.eventCode));
  return [...out, ...add];
}

function isoSeconds(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");
}

function faultBody(fault: CwmpFault): CwmpBody {
  // icwmp marks argument errors Client and the rest Server (cwmp.md §4).
  const client = fault.faultCode === 9000 || fault.faultCode === 9003 || (fault.faultCode >= 9005 && fault.faultCode <= 9008);
  return { method: "Fault", faultcode: client ? "Client" : "Server", faultstring: "CWMP fault", fault };
}

export class Cpe {
  readonly serial: string;
  readonly model: DeviceModel;
  readonly log: SessionResult[] = [];
  private readonly options: CpeOptions;
  private readonly clock: () => number;
  private queued: EventStruct[] = [];
  /** A session is wanted; separate from `queued` since one may carry no new events. */
  private requested = false;
  private waiters: Array<(result: SessionResult) => void> = [];
  /** Events of failed sessions, re-sent with the next one (TR-069 §3.7.1.5). */
  private retained: EventStruct[] = [];
  private bootstrapped = false;
  private retryCount = 0;
  private sessionCount = 0;
  private running: Promise<void> | undefined;
  private client: AcsClient | undefined;
  private cookies: CookieJar | undefined;
  private periodicTimer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(options: CpeOptions) {
    this.options = options;
    this.clock = options.clock ?? Date.now;
    this.serial = options.identity.serialNumber;
    const values = { [options.profile.managementServer + "URL"]: options.acsUrl, ...options.values };
    this.model = createDeviceModel(options.profile, options.identity, values, this.clock);
  }

  get busy(): boolean {
    return this.running !== undefined;
  }

  /** Power-on: "1 BOOT", plus "0 BOOTSTRAP" until an ACS has acknowledged one. */
  boot(): Promise<SessionResult> {
    return this.inform([event(BOOT)]);
  }

  /** Requests a session carrying `events`; resolves when that session ends.
   * Never rejects: failures are results. */
  inform(events: readonly EventStruct[]): Promise<SessionResult> {
    if (this.stopped) return Promise.resolve({ ok: false, events: [], methods: [], error: "CPE stopped" });
    this.queued = mergeEvents(this.queued, events);
    this.requested = true;
    const done = new Promise<SessionResult>((resolve) => this.waiters.push(resolve));
    this.kick();
    return done;
  }

  /** An authenticated Connection Request: a session now, or right after the
   * running one (TR-069 §3.2.2 forbids aborting it). */
  connectionRequest(): void {
    void this.inform([event(CONNECTION_REQUEST)]);
  }

  /** Resolves when no session is running or queued. */
  async whenIdle(): Promise<void> {
    while (this.running !== undefined) await this.running;
  }

  /** "2 PERIODIC" every PeriodicInformInterval while PeriodicInformEnable. */
  startPeriodic(): void {
    this.stopPeriodic();
    if (this.stopped || this.model.managementServer("PeriodicInformEnable") !== "true") return;
    const seconds = Math.max(1, Number(this.model.managementServer("PeriodicInformInterval")) || 300);
    this.periodicTimer = setTimeout(() => {
      void this.inform([event(PERIODIC)]).then(() => this.startPeriodic());
    }, seconds * 1000);
    this.periodicTimer.unref();
  }

  stopPeriodic(): void {
    if (this.periodicTimer !== undefined) clearTimeout(this.periodicTimer);
    this.periodicTimer = undefined;
  }

  /** Stops timers and aborts any session in progress; resolves when idle. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.stopPeriodic();
    this.client?.close();
    await this.whenIdle();
    this.kick();
  }

  /** Starts the session loop unless it runs. Re-checked when the loop ends,
   * since an inform() may arrive between its last check and its end. */
  private kick(): void {
    if (this.stopped) {
      for (const resolve of this.waiters.splice(0)) resolve({ ok: false, events: [], methods: [], error: "CPE stopped" });
      return;
    }
    if (this.running !== undefined || !this.requested) return;
    this.running = this.drain().finally(() => {
      this.running = undefined;
      this.kick();
    });
  }

  private async drain(): Promise<void> {
    while (this.requested && !this.stopped) {
      const events = this.nextEvents();
      const waiters = this.waiters;
      this.requested = false;
      this.queued = [];
      this.waiters = [];
      const result = await this.runSession(events);
      this.record(result);
      for (const resolve of waiters) resolve(result);
      this.afterSession();
    }
  }

  private nextEvents(): EventStruct[] {
    const first = this.bootstrapped ? [] : [event(BOOTSTRAP)];
    const merged = mergeEvents(mergeEvents(first, this.retained), this.queued);
    // TR-069 §3.7.1.5 lists single events before multiple ("M …") ones.
    return [...merged.filter((e) => !e.eventCode.startsWith("M ")), ...merged.filter((e) => e.eventCode.startsWith("M "))];
  }

  private record(result: SessionResult): void {
    this.log.push(result);
    if (this.log.length > (this.options.logSize ?? 16)) this.log.shift();
    try {
      this.options.onSession?.(this, result);
    } catch {
      // A listener's bug must not stop this CPE's session loop.
    }
  }

  /** Actions the ACS requested take effect after the session (TR-069 A.3.2.8,
   * A.4.1.6) and are announced by the next Inform. */
  private afterSession(): void {
    const { pending } = this.model;
    if (pending.factoryReset) {
      this.model.factoryReset();
      this.bootstrapped = false;
      this.retained = [];
      this.cookies = undefined;
      this.queued = mergeEvents(this.queued, [event(BOOT)]);
      this.requested = true;
    } else if (pending.reboot !== undefined) {
      const commandKey = pending.reboot.commandKey;
      this.model.reboot();
      this.queued = mergeEvents(this.queued, [event(BOOT), event("M Reboot", commandKey)]);
      this.requested = true;
    }
  }

  private buildInform(events: EventStruct[]): Inform {
    const parameterList = this.model.profile.informParameters.map((name) => {
      const def = this.model.node(name);
      const type = def?.kind === "param" ? `xsd:${def.type}` : "xsd:string";
      return { name, value: def?.kind === "param" ? this.model.reported(name, def) : "", type };
    });
    return {
      method: "Inform",
      deviceId: this.model.deviceId(),
      event: events,
      maxEnvelopes: 1,
      currentTime: isoSeconds(this.clock()),
      retryCount: this.retryCount,
      parameterList,
    };
  }

  private envelope(id: string, body: CwmpBody): string {
    const env: CwmpEnvelope = { cwmpNamespace: this.model.profile.quirks.cwmpNamespace, header: { id }, body };
    return encodeEnvelope(env);
  }

  private async runSession(events: EventStruct[]): Promise<SessionResult> {
    const result: SessionResult = { ok: false, events: events.map((e) => e.eventCode), methods: [] };
    const quirks = this.model.profile.quirks;
    // Session cookies end with the session unless the CPE re-sends stale ones.
    if (!quirks.reuseStaleCookie || this.cookies === undefined) this.cookies = new Map();
    let url: URL;
    try {
      url = new URL(this.model.managementServer("URL"));
    } catch {
      return { ...result, error: `invalid ManagementServer.URL "${this.model.managementServer("URL")}"` };
    }
    const client = new AcsClient(
      {
        url,
        quirks,
        timeoutMs: this.options.httpTimeoutMs ?? 30_000,
        credentials: () => ({
          username: this.model.managementServer("Username"),
          password: this.model.value(this.model.profile.managementServer + "Password") ?? "",
        }),
      },
      this.cookies,
    );
    this.client = client;
    try {
      const error = (await this.informExchange(client, events)) ?? (await this.acsTurn(client, result.methods));
      if (error !== undefined) result.error = error;
      result.ok = error === undefined;
    } catch (err) {
      result.error = `simulator bug: ${(err as Error).stack ?? String(err)}`;
    } finally {
      client.close();
      this.client = undefined;
    }
    if (!result.ok) {
      this.retained = mergeEvents(this.retained, events.filter((e) => e.eventCode !== BOOTSTRAP));
      this.retryCount += 1;
    }
    return result;
  }

  /** Inform → InformResponse; returns an error text if the session failed. */
  private async informExchange(client: AcsClient, events: EventStruct[]): Promise<string | undefined> {
    this.sessionCount += 1;
    const payload = this.envelope(`${this.serial}-${this.sessionCount}`, this.buildInform(events));
    for (let attempt = 0; attempt <= MAX_RETRY_REQUEST; attempt++) {
      const posted = await client.post(payload);
      if (!posted.ok) return posted.error;
      const decoded = decodeReply(posted.reply);
      if (typeof decoded === "string") return `Inform: ${decoded}`;
      const body = decoded.body;
      if (body.method === "InformResponse") {
        // 0 BOOTSTRAP is retained until an InformResponse (cwmp.md §2.3).
        this.bootstrapped = true;
        this.retained = [];
        this.retryCount = 0;
        return undefined;
      }
      // 8005 Retry request: resend unchanged (cwmp.md §4).
      if (body.method === "Fault" && body.fault.faultCode === 8005) continue;
      if (body.method === "Fault") return `Inform fault ${body.fault.faultCode} ${body.fault.faultString}`;
      return `expected InformResponse, got ${body.method}`;
    }
    return "Inform: too many 8005 Retry request faults";
  }

  /** Empty POST, then execute ACS requests until an empty answer (TR-069 §3.7.1.4). */
  private async acsTurn(client: AcsClient, methods: string[]): Promise<string | undefined> {
    let posted = await client.post(undefined);
    for (let rpcs = 0; rpcs < MAX_RPCS_PER_SESSION; rpcs++) {
      if (!posted.ok) return posted.error;
      const reply = posted.reply;
      if (reply.status === 204 || (reply.status === 200 && reply.body.trim() === "")) return undefined;
      const decoded = decodeReply(reply);
      if (typeof decoded === "string") return decoded;
      const body = decoded.body;
      if (!ACS_REQUESTS.has(body.method)) return `unexpected ${body.method} from the ACS`;
      methods.push(body.method === "Unknown" ? `Unknown:${body.name}` : body.method);
      const outcome = executeRpc(this.model, body);
      const answer = outcome.ok ? outcome.response : faultBody(outcome.fault);
      // A response carries the request's cwmp:ID (TR-069 §3.5).
      posted = await client.post(this.envelope(decoded.header.id, answer));
    }
    return `more than ${MAX_RPCS_PER_SESSION} RPCs in one session`;
  }
}

/** A 200 with a SOAP envelope, or why not (4xx/5xx and bad XML fail the
 * session, TR-069 §3.7.1.4). */
function decodeReply(reply: HttpReply): CwmpEnvelope | string {
  if (reply.status !== 200) return `HTTP ${reply.status}`;
  const decoded = decodeEnvelope(reply.body);
  return decoded.ok ? decoded.envelope : `malformed SOAP from the ACS: ${decoded.error}`;
}
