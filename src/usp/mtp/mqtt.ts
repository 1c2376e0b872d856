// The MQTT MTP (TR-369 "MQTT Binding"): one client connection serves every
// virtual agent (DESIGN decision 2). Agents share a topic template; the
// subscription uses a wildcard in place of the endpoint id and the core drops
// Records whose to_id is not a known agent (R-MTP.5).
import type { Socket } from "node:net";
import mqtt, { type IClientOptions, type IConnackPacket, type IPublishPacket, type MqttClient, type Packet } from "mqtt";
import type { Logger } from "pino";
import { mqttConnectRecord } from "../encode.js";
import { connectRetryWaitMs, DEFAULT_CONNECT_RETRY, type ConnectRetryPolicy } from "./mqtt-retry.js";
import { ResendStore } from "./mqtt-resend-store.js";
import type { Mtp, RecordHandler, ReplyAddress } from "./mtp.js";

export interface MqttMtpOptions {
  url: string;
  /** 5 = MQTT 5, 4 = MQTT 3.1.1. */
  version: 4 | 5;
  /** e.g. "usp/v1/agent/{endpointId}". */
  agentTopic: string;
  /** MQTT 5 shared subscription group: several gateway instances subscribe
   * with "$share/<group>/" and the broker gives each Record to one of them. */
  sharedGroup?: string;
  /** Device.MQTT.Client.{i}.ClientID when configured (R-MQTT.8). */
  clientId?: string;
  /** Keeps the ClientId the gateway uses when none is configured (the
   * broker's Assigned Client Identifier on MQTT 5), so every later
   * connection, also after a restart, uses the same one (R-MQTT.9, R-MQTT.11). */
  clientIdStore?: ClientIdStore;
  username?: string;
  password?: string;
  /** For mqtts:// (R-MQTT.48): PEM text of the CA to trust and the client
   * certificate and key to present. */
  tls?: { ca?: string; cert?: string; key?: string; rejectUnauthorized: boolean };
  /** R-MQTT.14: Device.MQTT.Client.{i}.KeepAliveTime, seconds (TR-181 default 60). */
  keepAliveSeconds?: number;
  /** R-MQTT.10: the reconnect schedule (TR-181 defaults when absent). */
  connectRetry?: ConnectRetryPolicy;
  /** A value in [0, 1) for the retry jitter. */
  random?: () => number;
  /** MQTT 5 CONNECT User Properties, e.g. usp-endpoint-id (R-MQTT.13) when the connection is one agent's. */
  userProperties?: Record<string, string>;
  logger: Logger;
}

/** The MQTT client as one agent's Device.MQTT.Client.1 sees it (mqttClientView). */
export interface MqttClientState {
  protocolVersion(): 4 | 5;
  currentClientId(): string;
  isConnected(): boolean;
  keepAliveSeconds(): number;
  setKeepAlive(seconds: number): void;
  /** The agent's controller-added Subscription rows (Device.MQTT.Client.1.Subscription.{i}). */
  setSubscriptions(subscriptions: { topic: string; qos: number }[]): void;
}

export interface ClientIdStore {
  load(): Promise<string | undefined>;
  save(clientId: string): Promise<void>;
}

/** R-MQTT.27 / R-MQTT.27a: the Content Type we send, and the ones we accept. */
const USP_CONTENT_TYPE = "usp.msg";
const REPLY_TO_MARKER = "/reply-to=";
/** MQTT 5 DISCONNECT Reason Code 0x80, "Unspecified error": sent when the broker refused every subscription. */
const DISCONNECT_UNSPECIFIED_ERROR = 0x80;

export class MqttMtp implements Mtp {
  readonly name = "mqtt";
  private client: MqttClient | undefined;
  private recordHandler: RecordHandler = () => undefined;
  private channelUpHandler: () => void = () => undefined;
  /** QoS 1 PUBLISHes awaiting PUBACK, replayed (DUP set) after the next SUBACK. */
  private readonly resendStore = new ResendStore(() => this.subscribeOnNewConnection());
  private clientId = "";
  private stopping = false;
  /** True from a connection's successful SUBACK to its end (R-MQTT.17). */
  private subscribed = false;
  private ready = false;
  private readyWaiters: (() => void)[] = [];
  /** R-MQTT.10 retry number n: failed attempts since the last good connection. */
  private retryCount = 0;
  private retryTimer: NodeJS.Timeout | undefined;
  /** A deliberate reconnect (new KeepAliveTime): the next attempt goes at once. */
  private reconnectNow = false;
  /** Topic filters controllers added (Device.MQTT.Client.1.Subscription.{i}), by agent. */
  private readonly agentFilters = new Map<string, Map<string, number>>();

  constructor(private readonly options: MqttMtpOptions) {}

  onRecord(handler: RecordHandler): void {
    this.recordHandler = handler;
  }

  onChannelUp(handler: () => void): void {
    this.channelUpHandler = handler;
  }

  /** The topic an agent listens on, e.g. usp/v1/agent/os::00256D-0123. */
  agentTopic(endpointId: string): string {
    return this.options.agentTopic.replace("{endpointId}", endpointId);
  }

  isConnected(): boolean {
    return this.ready && (this.client?.connected ?? false);
  }

  /** The ClientId of the current (or next) connection. */
  currentClientId(): string {
    return this.clientId;
  }

  /** This connection as `endpointId`'s data model shows it: the same for every agent. */
  forAgent(endpointId: string): MqttClientState {
    return {
      protocolVersion: () => this.protocolVersion(),
      currentClientId: () => this.currentClientId(),
      isConnected: () => this.isConnected(),
      keepAliveSeconds: () => this.keepAliveSeconds(),
      setKeepAlive: (seconds) => this.setKeepAlive(seconds),
      setSubscriptions: (subscriptions) => this.setAgentSubscriptions(endpointId, subscriptions),
    };
  }

  /** 5 = MQTT 5, 4 = MQTT 3.1.1. */
  protocolVersion(): 4 | 5 {
    return this.options.version;
  }

  /** R-MQTT.14 KeepAliveTime in seconds, of the current (or next) connection. */
  keepAliveSeconds(): number {
    return this.options.keepAliveSeconds ?? 60;
  }

  /** A new KeepAliveTime: it is a CONNECT field, so the connection is closed
   * cleanly (DISCONNECT) and opened again at once with the new value. */
  setKeepAlive(seconds: number): void {
    if (seconds === this.keepAliveSeconds()) return;
    this.options.keepAliveSeconds = seconds;
    const client = this.client;
    if (client === undefined) return;
    client.options.keepalive = seconds;
    this.options.logger.info({ keepAliveSeconds: seconds }, "MQTT KeepAliveTime changed; reconnecting to apply it");
    if (!client.connected) return;
    this.reconnectNow = true;
    // Publishes from now on wait for the new connection: mqtt.js refuses them while it disconnects.
    this.setReady(false);
    client.end(false, () => undefined);
  }

  /** The extra topic filters one agent's Subscription rows ask for; the shared
   * connection subscribes to each filter some agent wants and unsubscribes
   * from one no agent wants any more (R-MQTT.34). */
  setAgentSubscriptions(endpointId: string, subscriptions: { topic: string; qos: number }[]): void {
    const before = this.extraFilters();
    const wanted = new Map(subscriptions.map((s) => [s.topic, s.qos]));
    if (wanted.size === 0) this.agentFilters.delete(endpointId);
    else this.agentFilters.set(endpointId, wanted);
    const after = this.extraFilters();
    const client = this.client;
    if (client === undefined || !this.subscribed) return;
    const added = [...after].filter(([topic, qos]) => before.get(topic) !== qos);
    const removed = [...before.keys()].filter((topic) => !after.has(topic));
    const { logger } = this.options;
    if (added.length > 0) {
      client.subscribe(Object.fromEntries(added.map(([topic, qos]) => [topic, { qos: qos as 0 | 1 | 2 }])), (err, _granted, suback) => {
        if (err !== null) logger.warn({ topics: added.map(([topic]) => topic), reasonCodes: suback?.granted, err: err.message }, "MQTT broker refused an added subscription");
        else logger.info({ topics: added.map(([topic]) => topic) }, "MQTT subscribed to topics a controller added");
      });
    }
    if (removed.length > 0) {
      client.unsubscribe(removed, (err) => {
        if (err !== undefined && err !== null) logger.warn({ topics: removed, err: err.message }, "MQTT UNSUBSCRIBE failed");
      });
    }
  }

  /** Every added filter with the highest QoS any agent asked for. */
  private extraFilters(): Map<string, number> {
    const all = new Map<string, number>();
    for (const filters of this.agentFilters.values()) for (const [topic, qos] of filters) all.set(topic, Math.max(qos, all.get(topic) ?? 0));
    return all;
  }

  /** Resolves once the first connection is up. It rejects if the first
   * attempt fails (broker unreachable, CONNECT refused), so a gateway with a
   * wrong broker address stops at start; later losses are retried (R-MQTT.10).
   * A refused SUBSCRIBE is no start failure: it is retried like a lost connection. */
  async start(): Promise<void> {
    const { url, version, username, password, tls, logger } = this.options;
    this.clientId = await this.initialClientId();
    const connectOptions: IClientOptions = {
      protocolVersion: version,
      clientId: this.clientId,
      clean: true,
      keepalive: this.options.keepAliveSeconds ?? 60,
      // The gateway reconnects itself, on the R-MQTT.10 schedule (scheduleReconnect).
      reconnectPeriod: 0,
      // It also subscribes itself on each connection, before the replay (ResendStore).
      resubscribe: false,
      outgoingStore: this.resendStore,
      connectTimeout: 10_000,
      // Connected below, once every listener is in place (the first CONNECT's 'packetsend' included).
      manualConnect: true,
      ...(version === 5 && this.options.userProperties !== undefined ? { properties: { userProperties: this.options.userProperties } } : {}),
      ...(username !== undefined ? { username } : {}),
      ...(password !== undefined ? { password } : {}),
      ...(tls !== undefined ? { ca: tls.ca, cert: tls.cert, key: tls.key, rejectUnauthorized: tls.rejectUnauthorized } : {}),
    };
    const client = mqtt.connect(url, connectOptions);
    this.client = client;
    client.on("message", (topic, payload, packet) => this.receive(topic, payload, packet));
    client.on("packetsend", (packet: Packet) => {
      // README § Performance: with Nagle on, a QoS 1 PUBLISH written while the
      // previous one's PUBACK is pending waits for the broker's delayed ACK (~40 ms).
      if (packet.cmd === "connect") (client.stream as Partial<Socket>).setNoDelay?.(true);
    });
    client.on("packetreceive", (packet: Packet) => {
      if (packet.cmd === "connack") this.onConnack(packet);
    });
    client.on("connect", () => this.onConnected());
    client.on("close", () => this.onClosed());
    client.on("error", (err) => logger.warn({ err: err.message }, "MQTT client error"));
    const connected = new Promise<void>((resolve, reject) => {
      const onConnect = (): void => {
        client.off("error", onError);
        resolve();
      };
      const onError = (err: Error): void => {
        client.off("connect", onConnect);
        this.stopping = true;
        client.end(true);
        reject(err);
      };
      client.once("connect", onConnect);
      client.once("error", onError);
    });
    client.connect();
    await connected;
  }

  async stop(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    this.stopping = true;
    clearTimeout(this.retryTimer);
    this.setReady(false);
    // Publishes still waiting for a connection are left unsettled, as a
    // process that stops leaves them: some senders do not expect a rejection.
    this.readyWaiters = [];
    // R-MQTT.35: DISCONNECT on shutdown (nothing to say on a connection that is down).
    if (client !== undefined) await client.endAsync(!client.connected);
  }

  async send(from: string, to: ReplyAddress, bytes: Uint8Array): Promise<void> {
    await this.publish(from, mqttTopicOf(to), bytes);
  }

  async sendConnectRecord(agentEndpointId: string, controllerEndpointId: string, to: ReplyAddress): Promise<void> {
    // Not queued while the channel is down: every known agent announces itself
    // when it comes back (onChannelUp), and a CPE's Inform does not wait for it.
    if (!this.isConnected()) throw new Error("MQTT channel is down; agents announce themselves when it is back");
    const record = mqttConnectRecord({
      toId: controllerEndpointId,
      fromId: agentEndpointId,
      version: this.options.version === 5 ? "V5" : "V3_1_1",
      subscribedTopic: this.agentTopic(agentEndpointId),
    });
    await this.publish(agentEndpointId, mqttTopicOf(to), record);
  }

  /** R-MQTT.8: the configured ClientID; else the one kept from an earlier
   * connection (R-MQTT.11); else, on MQTT 5, an empty one so the broker
   * assigns it (R-MQTT.9); on MQTT 3.1.1 a name of our own, kept likewise
   * (the spec's "its Endpoint ID" does not fit a connection that serves every agent). */
  private async initialClientId(): Promise<string> {
    const { clientId, clientIdStore, version, logger } = this.options;
    if (clientId !== undefined) return clientId;
    const kept = await clientIdStore?.load().catch((err: unknown) => {
      logger.warn({ err: (err as Error).message }, "cannot read the kept MQTT ClientId; starting without it");
      return undefined;
    });
    if (kept !== undefined && kept !== "") return kept;
    if (version === 5) return "";
    const own = `cwmp2usp-${Math.random().toString(16).slice(2, 14)}`;
    await this.keepClientId(own);
    return own;
  }

  private onConnack(packet: IConnackPacket): void {
    const assigned = packet.properties?.assignedClientIdentifier;
    if ((packet.reasonCode ?? packet.returnCode ?? 0) !== 0 || assigned === undefined || assigned === this.clientId) return;
    // R-MQTT.9 / R-MQTT.11: every later CONNECT carries the assigned ClientId.
    this.clientId = assigned;
    if (this.client !== undefined) this.client.options.clientId = assigned;
    this.options.logger.info({ clientId: assigned }, "MQTT broker assigned the ClientId; it is kept for later connections");
    void this.keepClientId(assigned);
  }

  private async keepClientId(clientId: string): Promise<void> {
    await this.options.clientIdStore?.save(clientId).catch((err: unknown) => {
      this.options.logger.warn({ err: (err as Error).message }, "cannot keep the MQTT ClientId; a restart will get a new one");
    });
  }

  /** Called by the ResendStore right after each CONNACK: SUBSCRIBE, and
   * report whether the agents' topic filter was granted. Never rejects. */
  private subscribeOnNewConnection(): Promise<boolean> {
    const client = this.client;
    if (client === undefined) return Promise.resolve(false);
    const group = this.options.sharedGroup;
    const filter = (group === undefined ? "" : `$share/${group}/`) + this.subscriptionFilter();
    return new Promise((resolve) => {
      // The second filter catches MQTT 3.1.1 publishes that carry the
      // "/reply-to=<topic>" suffix one level below the agent topic (R-MQTT.24).
      const extra = Object.fromEntries([...this.extraFilters()].map(([topic, qos]) => [topic, { qos: qos as 0 | 1 | 2 }]));
      client.subscribe({ [filter]: { qos: 1 }, [`${filter}/+`]: { qos: 1 }, ...extra }, (err, _granted, suback) => {
        const codes = suback?.granted ?? [];
        const agentFilterGranted = typeof codes[0] === "number" && codes[0] < 0x80;
        this.subscribed = agentFilterGranted;
        if (!this.subscribed) {
          this.options.logger.error({ filter, reasonCodes: codes, err: err?.message }, "MQTT broker refused the SUBSCRIBE; disconnecting, retry on the R-MQTT.10 schedule (R-MQTT.16)");
        } else if (err !== null) {
          this.options.logger.warn({ filter, reasonCodes: codes }, "MQTT broker refused a filter other than the agents' topic; the agent topic itself is subscribed");
        }
        resolve(this.subscribed);
      });
    });
  }

  /** mqtt.js 'connect': CONNACK received and the replay done. */
  private onConnected(): void {
    const client = this.client;
    if (client === undefined) return;
    if (!this.subscribed) {
      this.disconnectUnsubscribed(client);
      return;
    }
    this.retryCount = 0;
    const { url, version, logger } = this.options;
    logger.info({ url, version: version === 5 ? "5" : "3.1.1", topic: this.subscriptionFilter(), clientId: this.clientId }, "MQTT MTP connected");
    this.setReady(true);
    // Every connection is a new MTP channel: agents send their Connect records (R-MTP.6).
    this.channelUpHandler();
  }

  /** R-MQTT.16: no subscription, so DISCONNECT. PUBLISHes still waiting for a
   * PUBACK are dropped (their senders log the failure): they may not be
   * published without a subscription (R-MQTT.17), and mqtt.js sends the
   * DISCONNECT only once nothing is outstanding. */
  private disconnectUnsubscribed(client: MqttClient): void {
    for (const id of Object.keys(client.outgoing)) client.removeOutgoingMessage(Number(id));
    client.end(false, this.options.version === 5 ? { reasonCode: DISCONNECT_UNSPECIFIED_ERROR } : {}, () => undefined);
  }

  /** mqtt.js 'close': the connection (or an attempt) ended. */
  private onClosed(): void {
    this.subscribed = false;
    this.setReady(false);
    if (this.stopping || this.retryTimer !== undefined) return;
    const client = this.client;
    if (client === undefined) return;
    let waitMs = 0;
    if (this.reconnectNow) this.reconnectNow = false;
    else {
      this.retryCount += 1;
      waitMs = connectRetryWaitMs(this.retryCount, this.options.connectRetry ?? DEFAULT_CONNECT_RETRY, (this.options.random ?? Math.random)());
      this.options.logger.warn({ url: this.options.url, retry: this.retryCount, waitMs }, "MQTT connection down; reconnecting (R-MQTT.10)");
    }
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      if (this.stopping) return;
      // The same stores: what waits for a PUBACK is replayed on the new connection.
      client.reconnect({ incomingStore: client.incomingStore, outgoingStore: this.resendStore });
    }, waitMs);
  }

  private setReady(ready: boolean): void {
    this.ready = ready;
    if (ready) for (const resume of this.readyWaiters.splice(0)) resume();
  }

  /** Publishes wait while the connection is down or not yet subscribed (R-MQTT.17). */
  private whenReady(): Promise<void> {
    if (this.ready) return Promise.resolve();
    if (this.stopping) return Promise.reject(new Error("MQTT MTP is not connected"));
    return new Promise((resolve) => this.readyWaiters.push(resolve));
  }

  private subscriptionFilter(): string {
    return this.options.agentTopic.replace("{endpointId}", "+");
  }

  /** Every publish carries the agent's own topic as its reply-to (R-MQTT.22):
   * the Response Topic property on MQTT 5 (R-MQTT.23), a topic suffix on 3.1.1 (R-MQTT.24). */
  private async publish(from: string, topic: string, bytes: Uint8Array): Promise<void> {
    if (this.client === undefined) throw new Error("MQTT MTP is not connected");
    await this.whenReady();
    const client = this.client;
    if (client === undefined) throw new Error("MQTT MTP is not connected");
    const ownTopic = this.agentTopic(from);
    const payload = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    if (this.options.version === 5) {
      await client.publishAsync(topic, payload, {
        qos: 1,
        properties: { responseTopic: ownTopic, contentType: USP_CONTENT_TYPE },
      });
    } else {
      await client.publishAsync(`${topic}${REPLY_TO_MARKER}${ownTopic.replaceAll("/", "%2F")}`, payload, { qos: 1 });
    }
  }

  private receive(topic: string, payload: Buffer, packet: IPublishPacket): void {
    const replyTo = replyAddressOf(topic, packet);
    this.recordHandler(new Uint8Array(payload.buffer, payload.byteOffset, payload.byteLength), replyTo);
  }
}

function mqttTopicOf(to: ReplyAddress): string {
  // The gateway picks the MTP by address (mtpFor): anything else here is a bug.
  if (to.mtp !== "mqtt") throw new Error(`MQTT MTP cannot send to a ${to.mtp} address`);
  return to.topic;
}

/** Where the reply goes: the MQTT 5 Response Topic (R-MQTT.26), else the 3.1.1
 * "/reply-to=" suffix with %2F decoded (R-MQTT.25), else unknown (the core
 * falls back to the controller's configured topic). */
export function replyAddressOf(topic: string, packet: Pick<IPublishPacket, "properties">): ReplyAddress | null {
  const responseTopic = packet.properties?.responseTopic;
  if (responseTopic !== undefined && responseTopic !== "") return { mtp: "mqtt", topic: responseTopic };
  const marker = topic.indexOf(REPLY_TO_MARKER);
  if (marker >= 0) {
    const encoded = topic.slice(marker + REPLY_TO_MARKER.length);
    if (encoded !== "") return { mtp: "mqtt", topic: encoded.replaceAll("%2F", "/").replaceAll("%2f", "/") };
  }
  return null;
}
