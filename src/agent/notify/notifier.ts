// Sends Notify messages from virtual agents to controllers, and retries those
// that ask for a NotifyResp (NotifRetry, OnBoardRequest) on the schedule of
// TR-369 R-NOT.1–4: attempt n waits a random time in [m·(k/1000)^(n-1),
// m·(k/1000)^n], m = 5 s and k = 2000 by default, the range capped from the
// 10th retry on. A NotifyResp with the Notify's msg_id stops the retries.
import { randomUUID } from "node:crypto";
import type { Logger } from "pino";
import type { Msg, Notification } from "../../usp/messages.js";

export interface NotifierDeps {
  logger: Logger;
  /** Delivers a Notify to a controller over its MTP; false if it could not be handed over. */
  send(endpointId: string, controllerId: string, msg: Msg): Promise<boolean>;
  now(): number;
  random(): number;
  minWaitSeconds: number;
  intervalMultiplier: number;
}

interface Outstanding {
  endpointId: string;
  controllerId: string;
  msg: Msg;
  attempt: number;
  /** Epoch ms after which retrying stops (NotifExpiration); undefined = until delivered. */
  expiresAt: number | undefined;
  timer: NodeJS.Timeout | undefined;
  onAcknowledged: (() => void) | undefined;
}

/** Retries stop growing after the 10th (R-NOT.3: 2560–5120 s with the defaults). */
const MAX_RETRY_EXPONENT = 10;

export class Notifier {
  private readonly outstanding = new Map<string, Outstanding>();

  constructor(private readonly deps: NotifierDeps) {}

  /** Sends one Notify; with `sendResp` it is retried until acknowledged or expired. */
  async notify(args: {
    endpointId: string;
    controllerId: string;
    subscriptionId: string;
    sendResp: boolean;
    notification: Notification;
    expirationSeconds?: number;
    /** Called when the NotifyResp arrives (with `sendResp`), e.g. to time an
     * OnBoardingRestartTime from it. */
    onAcknowledged?: () => void;
  }): Promise<string> {
    const msgId = `notify-${randomUUID()}`;
    const msg: Msg = {
      header: { msgId, msgType: "NOTIFY" },
      body: { kind: "request", request: { type: "notify", notify: { subscriptionId: args.subscriptionId, sendResp: args.sendResp, notification: args.notification } } },
    };
    const delivered = await this.deps.send(args.endpointId, args.controllerId, msg);
    this.deps.logger.debug({ endpointId: args.endpointId, msgId, controllerId: args.controllerId, type: args.notification.type, delivered }, "Notify sent");
    if (args.sendResp) {
      const expires = args.expirationSeconds !== undefined && args.expirationSeconds > 0 ? this.deps.now() + args.expirationSeconds * 1000 : undefined;
      const entry: Outstanding = { endpointId: args.endpointId, controllerId: args.controllerId, msg, attempt: 0, expiresAt: expires, timer: undefined, onAcknowledged: args.onAcknowledged };
      this.outstanding.set(msgId, entry);
      this.schedule(msgId, entry);
    }
    return msgId;
  }

  /** A NotifyResp arrived (R-NOT.10): no more retries for that Notify. */
  acknowledge(msgId: string): boolean {
    const entry = this.outstanding.get(msgId);
    if (entry === undefined) return false;
    clearTimeout(entry.timer);
    this.outstanding.delete(msgId);
    entry.onAcknowledged?.();
    return true;
  }

  pendingCount(): number {
    return this.outstanding.size;
  }

  stop(): void {
    for (const entry of this.outstanding.values()) clearTimeout(entry.timer);
    this.outstanding.clear();
  }

  /** The wait before retry number `attempt` (1-based), in ms (R-NOT.2). */
  retryDelayMs(attempt: number): number {
    const m = this.deps.minWaitSeconds;
    const k = this.deps.intervalMultiplier / 1000;
    const n = Math.min(attempt, MAX_RETRY_EXPONENT);
    const low = m * k ** (n - 1);
    const high = m * k ** n;
    return Math.round((low + (high - low) * this.deps.random()) * 1000);
  }

  private schedule(msgId: string, entry: Outstanding): void {
    entry.attempt += 1;
    const delay = this.retryDelayMs(entry.attempt);
    if (entry.expiresAt !== undefined && this.deps.now() + delay > entry.expiresAt) {
      this.outstanding.delete(msgId);
      this.deps.logger.info({ endpointId: entry.endpointId, msgId }, "Notify expired without a NotifyResp (NotifExpiration)");
      return;
    }
    entry.timer = setTimeout(() => {
      if (!this.outstanding.has(msgId)) return;
      void this.deps.send(entry.endpointId, entry.controllerId, entry.msg).then(() => this.schedule(msgId, entry));
    }, delay);
    entry.timer.unref();
  }
}
