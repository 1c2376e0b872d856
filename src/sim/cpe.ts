// One simulated CPE: its data model plus the CWMP session loop (TR-069 §3.7,
// cwmp.md §2.2). All state is in the instance; sessions never overlap, and
// requests that arrive during a session (Connection Request, reboot) become
// the next session, collapsing duplicates (TR-069 §3.2.2).
import type { CwmpBody, CwmpEnvelope, EventStruct, Inform, ParameterValue } from "../cwmp/rpc.js";
import { encodeEnvelope } from "../cwmp/soap-encode.js";
import { AcsClient, type AcsClientTls, type CookieJar } from "./acs-client.js";
import { createDeviceModel, executeRpc, type DeviceIdentity, type DeviceModel } from "./data-model.js";
import { notificationOf } from "./attributes.js";
import {
  ACS_REQUESTS,
  BOOT,
  BOOTSTRAP,
  CONNECTION_REQUEST,
  MAX_RETRY_REQUEST,
  MAX_RPCS_PER_SESSION,
  PERIODIC,
  VALUE_CHANGE,
  decodeReply,
  event,
  faultBody,
  mergeEvents,
  postCpeRequest,
  type OutboxEntry,
} from "./cpe-protocol.js";
import { activateBootImage } from "./firmware-images.js";
import { runPendingWork, type JobHost, type Report } from "./jobs.js";
import { ChangeNotifier } from "./notifier.js";
import type { CompiledProfile } from "./profile.js";
import { isoSeconds } from "./values.js";

export { event } from "./cpe-protocol.js";

export interface CpeOptions {
  acsUrl: string;
  profile: CompiledProfile;
  identity: DeviceIdentity;
  /** Factory values beyond the identity (ManagementServer credentials, URLs). */
  values?: Record<string, string>;
  clock?: () => number;
  httpTimeoutMs?: number;
  /** CA and client certificate for an https:// ACS. */
  acsTls?: AcsClientTls;
  /** Sessions kept in `log`. */
  logSize?: number;
  /** Tables ("InternetGatewayDevice.LANDevice.1.Hosts.Host.") whose rows the
   * CPE renumbers, in reverse order, at each reboot, as real CPEs that rebuild
   * tables at boot do: for tests that instance numbers seen by controllers
   * stay stable. */
  renumberOnReboot?: readonly string[];
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

export class Cpe implements JobHost {
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
  /** Lazily created: most devices never have any. */
  private outbox: OutboxEntry[] | undefined;
  /** Locally changed notified parameters; created on the first one. */
  private notifier: ChangeNotifier | undefined;
  private timers: Set<NodeJS.Timeout> | undefined;

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

  /** A change made on the CPE itself (web UI, a counter, the line coming
   * up). Notified per the parameter's attribute (TR-069 §3.2.1): passive ones
   * ride on the next Inform, active ones start a "4 VALUE CHANGE" session
   * (throttled, notifier.ts).
   * Returns false for unknown parameters. */
  writeParameter(name: string, value: string): boolean {
    const before = this.model.value(name);
    if (!this.model.setValue(name, value)) return false;
    const notification = before === value ? "none" : notificationOf(this.model, name);
    if (notification === "none") return true;
    this.notifier ??= new ChangeNotifier({
      model: this.model,
      later: (ms, fn) => this.later(ms, fn),
      informValueChange: () => void this.inform([event(VALUE_CHANGE)]),
    });
    this.notifier.record(name, notification === "active");
    return true;
  }

  /** JobHost: a finished transfer, diagnostic or DU change (jobs.ts). */
  report(report: Report): void {
    if (this.stopped) return;
    const events = [...report.events];
    if (report.reboot === true) {
      // TR-069 A.3.2.8: a firmware image is applied by rebooting.
      this.rebootModel();
      events.unshift(event(BOOT));
    }
    if (report.request !== undefined) (this.outbox ??= []).push({ request: report.request, events: report.events });
    void this.inform(events);
  }

  /** JobHost: runs `fn` after `ms` unless the CPE is stopped first. */
  later(ms: number, fn: () => void): void {
    if (this.stopped) return;
    const timers = (this.timers ??= new Set());
    const timer = setTimeout(() => {
      timers.delete(timer);
      if (!this.stopped) fn();
    }, ms);
    timer.unref();
    timers.add(timer);
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
    for (const timer of this.timers ?? []) clearTimeout(timer);
    this.timers = undefined;
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
    let merged = mergeEvents(first, this.retained);
    for (const entry of this.outbox ?? []) merged = mergeEvents(merged, entry.events);
    if ((this.notifier?.pending().length ?? 0) > 0) merged = mergeEvents(merged, [event(VALUE_CHANGE)]);
    merged = mergeEvents(merged, this.queued);
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
      // Nothing of the old configuration is reported after a reset.
      this.outbox = undefined;
      this.notifier = undefined;
      this.cookies = undefined;
      this.queued = mergeEvents(this.queued, [event(BOOT)]);
      this.requested = true;
    } else if (pending.reboot !== undefined) {
      const commandKey = pending.reboot.commandKey;
      this.rebootModel();
      this.queued = mergeEvents(this.queued, [event(BOOT), event("M Reboot", commandKey)]);
      this.requested = true;
    }
    runPendingWork(this);
  }

  private rebootModel(): void {
    this.model.reboot();
    // TR-181: the CPE comes up on the image BootFirmwareImage names.
    activateBootImage(this.model);
    for (const table of this.options.renumberOnReboot ?? []) this.model.reverseRows(table);
  }

  private buildInform(events: EventStruct[]): Inform {
    const forced = this.model.profile.informParameters;
    // TR-069 §3.2.1: changed notified parameters follow the forced ones.
    const changed = (this.notifier?.pending() ?? []).filter((n) => !forced.includes(n));
    const parameterList = [...forced, ...changed].map((name) => this.informValue(name));
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

  private informValue(name: string): ParameterValue {
    const def = this.model.node(name);
    const type = def?.kind === "param" ? `xsd:${def.type}` : "xsd:string";
    return { name, value: def?.kind === "param" ? this.model.reported(name, def) : "", type };
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
        ...(this.options.acsTls !== undefined && { tls: this.options.acsTls }),
        credentials: () => ({
          username: this.model.managementServer("Username"),
          password: this.model.value(this.model.profile.managementServer + "Password") ?? "",
        }),
      },
      this.cookies,
    );
    this.client = client;
    const notified = this.notifier?.pending() ?? [];
    try {
      const error =
        (await this.informExchange(client, events, notified)) ??
        (await this.sendCpeRequests(client)) ??
        (await this.acsTurn(client, result.methods));
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
  private async informExchange(client: AcsClient, events: EventStruct[], notified: string[]): Promise<string | undefined> {
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
        this.notifier?.reported(notified);
        return undefined;
      }
      // 8005 Retry request: resend unchanged (cwmp.md §4).
      if (body.method === "Fault" && body.fault.faultCode === 8005) continue;
      if (body.method === "Fault") return `Inform fault ${body.fault.faultCode} ${body.fault.faultString}`;
      return `expected InformResponse, got ${body.method}`;
    }
    return "Inform: too many 8005 Retry request faults";
  }

  /** The CPE's own requests after the InformResponse (TR-069 §3.7.1.2):
   * TransferComplete, DUStateChangeComplete...; each leaves the outbox once
   * the ACS has answered it. A fault other than 8005 fails the session. */
  private async sendCpeRequests(client: AcsClient): Promise<string | undefined> {
    for (const entry of [...(this.outbox ?? [])]) {
      const id = `${this.serial}-${this.sessionCount}-${entry.request.method}`;
      const error = await postCpeRequest(client, this.envelope(id, entry.request), entry.request.method);
      if (error !== undefined) return error;
      this.outbox = this.outbox?.filter((e) => e !== entry);
    }
    return undefined;
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
