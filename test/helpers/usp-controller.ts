// A minimal USP controller for end-to-end tests: a real MQTT client speaking
// our Record/Msg codec (the third-party usp-js is exercised separately).
import mqtt, { type MqttClient } from "mqtt";
import { decodeMsg, decodeRecord, msgTypeForBody } from "../../src/usp/decode.js";
import { encodeRecord, noSessionRecord } from "../../src/usp/encode.js";
import type { Body, Msg, Request, UspRecord } from "../../src/usp/messages.js";

export interface ReceivedRecord {
  topic: string;
  record: UspRecord;
  msg?: Msg;
  contentType?: string;
  responseTopic?: string;
}

export class TestController {
  readonly received: ReceivedRecord[] = [];
  private waiters: { match: (r: ReceivedRecord) => boolean; resolve: (r: ReceivedRecord) => void }[] = [];
  private counter = 0;

  private constructor(
    private readonly client: MqttClient,
    readonly endpointId: string,
    readonly topic: string,
    private readonly version: 4 | 5,
  ) {
    client.on("message", (topic, payload, packet) => {
      const decoded = decodeRecord(new Uint8Array(payload));
      if (!decoded.ok) return;
      const entry: ReceivedRecord = { topic, record: decoded.record };
      if (packet.properties?.contentType !== undefined) entry.contentType = packet.properties.contentType;
      if (packet.properties?.responseTopic !== undefined) entry.responseTopic = packet.properties.responseTopic;
      if (decoded.record.recordType.type === "noSessionContext") {
        const msg = decodeMsg(decoded.record.recordType.payload);
        if (msg.ok) entry.msg = msg.msg;
      }
      this.received.push(entry);
      const waiter = this.waiters.find((w) => w.match(entry));
      if (waiter !== undefined) {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        waiter.resolve(entry);
      }
    });
  }

  static async connect(url: string, endpointId: string, topic: string, version: 4 | 5 = 5): Promise<TestController> {
    const client = await mqtt.connectAsync(url, { protocolVersion: version, clientId: `${endpointId}-${Math.random().toString(16).slice(2)}`, reconnectPeriod: 0 });
    // An MQTT 3.1.1 agent appends "/reply-to=<its topic>" to every topic it
    // publishes to (R-MQTT.24), one level below the controller's topic.
    await client.subscribeAsync(version === 4 ? [topic, `${topic}/+`] : topic, { qos: 1 });
    return new TestController(client, endpointId, topic, version);
  }

  /** Resolves with the first record (already received or future) that matches. */
  waitFor(match: (r: ReceivedRecord) => boolean, timeoutMs = 10_000): Promise<ReceivedRecord> {
    const seen = this.received.find(match);
    if (seen !== undefined) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w.resolve !== done);
        reject(new Error(`no matching USP record within ${timeoutMs} ms`));
      }, timeoutMs);
      const done = (r: ReceivedRecord): void => {
        clearTimeout(timer);
        resolve(r);
      };
      this.waiters.push({ match, resolve: done });
    });
  }

  nextMsgId(): string {
    this.counter += 1;
    return `${this.endpointId}-msg-${this.counter}`;
  }

  /** Publishes raw bytes to a topic (garbage tests). */
  async publishRaw(topic: string, payload: Buffer): Promise<void> {
    await this.client.publishAsync(topic, payload, { qos: 1 });
  }

  /** Sends a request Record and returns its msg_id. MQTT 5 carries the Response
   * Topic; MQTT 3.1.1 uses the /reply-to= suffix unless `noReplyTo`. */
  async send(agentId: string, agentTopic: string, request: Request, options: { msgId?: string; noReplyTo?: boolean } = {}): Promise<string> {
    const msgId = options.msgId ?? this.nextMsgId();
    const body: Body = { kind: "request", request };
    const msg: Msg = { header: { msgId, msgType: msgTypeForBody(body) }, body };
    const bytes = Buffer.from(noSessionRecord({ toId: agentId, fromId: this.endpointId, msg }));
    if (this.version === 5) {
      await this.client.publishAsync(agentTopic, bytes, {
        qos: 1,
        properties: options.noReplyTo === true ? { contentType: "usp.msg" } : { responseTopic: this.topic, contentType: "usp.msg" },
      });
    } else {
      const topic = options.noReplyTo === true ? agentTopic : `${agentTopic}/reply-to=${this.topic.replaceAll("/", "%2F")}`;
      await this.client.publishAsync(topic, bytes, { qos: 1 });
    }
    return msgId;
  }

  async sendRecord(topic: string, record: UspRecord): Promise<void> {
    await this.client.publishAsync(topic, Buffer.from(encodeRecord(record)), { qos: 1, properties: { responseTopic: this.topic } });
  }

  /** Sends a request and waits for the reply with the same msg_id. */
  async request(agentId: string, agentTopic: string, request: Request, timeoutMs = 15_000): Promise<Msg> {
    const msgId = await this.send(agentId, agentTopic, request);
    const reply = await this.waitFor((r) => r.msg?.header.msgId === msgId, timeoutMs);
    return reply.msg as Msg;
  }

  /** How many records carried this msg_id (exactly-once checks). */
  countFor(msgId: string): number {
    return this.received.filter((r) => r.msg?.header.msgId === msgId).length;
  }

  async close(): Promise<void> {
    await this.client.endAsync();
  }
}
