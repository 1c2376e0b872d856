// A minimal USP controller for labs: sends one request Msg in a
// NoSessionContext Record and waits for the Msg with the same msg_id from
// that agent. The transport is a ControllerChannel, so a WebSocket one can
// sit beside MQTT without touching this file.
import { decodeMsg, decodeRecord, msgTypeForBody } from "../usp/decode.js";
import { noSessionRecord } from "../usp/encode.js";
import type { Body, Msg, Notify, Request } from "../usp/messages.js";

/** What the client needs from a transport (ControllerMqtt is one). */
export interface ControllerChannel {
  send(agentEndpointId: string, bytes: Uint8Array): Promise<void>;
  onRecord(handler: (bytes: Uint8Array) => void): void;
  close(): Promise<void>;
}

export type RequestOutcome =
  | { kind: "response"; msg: Msg; elapsedMs: number }
  | { kind: "error"; msg: Msg; elapsedMs: number }
  | { kind: "timeout"; elapsedMs: number };

export interface ReceivedMsg {
  fromId: string;
  msg: Msg;
}

type Listener = (received: ReceivedMsg) => void;

export class UspClient {
  private readonly listeners = new Set<Listener>();
  private counter = 0;
  /** Distinguishes this run's msg_ids from an earlier run's late answers. */
  private readonly runId = Date.now().toString(36);

  constructor(
    private readonly channel: ControllerChannel,
    readonly controllerId: string,
  ) {
    channel.onRecord((bytes) => this.receive(bytes));
  }

  /** Sends `request` and resolves with the answer, or a timeout. `onTick` is
   * called about every second while waiting (progress display). */
  async request(agentId: string, request: Request, options: { timeoutMs: number; onTick?: (elapsedMs: number) => void }): Promise<RequestOutcome> {
    const msgId = this.nextMsgId(request.type);
    const started = Date.now();
    const answer = this.waitFor((r) => r.fromId === agentId && r.msg.header.msgId === msgId, options.timeoutMs);
    const ticker = options.onTick === undefined ? undefined : setInterval(() => options.onTick?.(Date.now() - started), 1000);
    try {
      await this.sendMsg(agentId, { kind: "request", request }, msgId);
      const received = await answer.promise;
      const elapsedMs = Date.now() - started;
      if (received === undefined) return { kind: "timeout", elapsedMs };
      return { kind: received.msg.body.kind === "error" ? "error" : "response", msg: received.msg, elapsedMs };
    } finally {
      if (ticker !== undefined) clearInterval(ticker);
      answer.cancel();
    }
  }

  /** Calls `handler` for every Notify from `agentId` until the returned function is called. */
  onNotify(agentId: string, handler: (notify: Notify, msg: Msg) => void): () => void {
    const listener: Listener = (r) => {
      if (r.fromId === agentId && r.msg.body.kind === "request" && r.msg.body.request.type === "notify") handler(r.msg.body.request.notify, r.msg);
    };
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** A Notify with send_resp=true is retried until a NotifyResp with its msg_id
   * and subscription_id arrives (R-NOT.1–4, R-NOT.10). */
  async acknowledge(agentId: string, notifyMsg: Msg, subscriptionId: string): Promise<void> {
    await this.sendMsg(agentId, { kind: "response", response: { type: "notifyResp", notifyResp: { subscriptionId } } }, notifyMsg.header.msgId);
  }

  close(): Promise<void> {
    return this.channel.close();
  }

  private nextMsgId(type: string): string {
    this.counter += 1;
    return `cli-${this.runId}-${type}-${this.counter}`;
  }

  private async sendMsg(agentId: string, body: Body, msgId: string): Promise<void> {
    const msg: Msg = { header: { msgId, msgType: msgTypeForBody(body) }, body };
    await this.channel.send(agentId, noSessionRecord({ toId: agentId, fromId: this.controllerId, msg }));
  }

  private waitFor(match: (r: ReceivedMsg) => boolean, timeoutMs: number): { promise: Promise<ReceivedMsg | undefined>; cancel: () => void } {
    let cancel = (): void => undefined;
    const promise = new Promise<ReceivedMsg | undefined>((resolve) => {
      const timer = setTimeout(() => finish(undefined), timeoutMs);
      const listener: Listener = (r) => {
        if (match(r)) finish(r);
      };
      const finish = (r: ReceivedMsg | undefined): void => {
        clearTimeout(timer);
        this.listeners.delete(listener);
        resolve(r);
      };
      cancel = () => finish(undefined);
      this.listeners.add(listener);
    });
    return { promise, cancel };
  }

  /** Records addressed to someone else, MTP Connect records and undecodable
   * bytes are ignored: a shared controller topic carries all of them. */
  private receive(bytes: Uint8Array): void {
    const record = decodeRecord(bytes);
    if (!record.ok || record.record.toId !== this.controllerId || record.record.recordType.type !== "noSessionContext") return;
    const msg = decodeMsg(record.record.recordType.payload);
    if (!msg.ok) return;
    for (const listener of [...this.listeners]) listener({ fromId: record.record.fromId, msg: msg.msg });
  }
}
