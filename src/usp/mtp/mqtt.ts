// The MQTT MTP (TR-369 "MQTT Binding"): one client connection serves every
// virtual agent (DESIGN decision 2). Agents share a topic template; the
// subscription uses a wildcard in place of the endpoint id and the core drops
// Records whose to_id is not a known agent (R-MTP.5).
import mqtt, { type IClientOptions, type IPublishPacket, type MqttClient } from "mqtt";
import type { Logger } from "pino";
import { mqttConnectRecord } from "../encode.js";
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
  clientId?: string;
  username?: string;
  password?: string;
  /** For mqtts:// (R-MQTT.48): PEM text of the CA to trust and the client
   * certificate and key to present. */
  tls?: { ca?: string; cert?: string; key?: string; rejectUnauthorized: boolean };
  logger: Logger;
}

/** R-MQTT.27 / R-MQTT.27a: the Content Type we send, and the ones we accept. */
const USP_CONTENT_TYPE = "usp.msg";
const REPLY_TO_MARKER = "/reply-to=";

export class MqttMtp implements Mtp {
  readonly name = "mqtt";
  private client: MqttClient | undefined;
  private recordHandler: RecordHandler = () => undefined;
  private channelUpHandler: () => void = () => undefined;

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
    return this.client?.connected ?? false;
  }

  async start(): Promise<void> {
    const { url, version, clientId, username, password, tls, logger } = this.options;
    const connectOptions: IClientOptions = {
      protocolVersion: version,
      clientId: clientId ?? `cwmp2usp-${process.pid}-${Math.random().toString(16).slice(2, 10)}`,
      reconnectPeriod: 2000,
      connectTimeout: 10_000,
      ...(username !== undefined ? { username } : {}),
      ...(password !== undefined ? { password } : {}),
      ...(tls !== undefined ? { ca: tls.ca, cert: tls.cert, key: tls.key, rejectUnauthorized: tls.rejectUnauthorized } : {}),
    };
    const client = await mqtt.connectAsync(url, connectOptions);
    this.client = client;
    client.on("message", (topic, payload, packet) => this.receive(topic, payload, packet));
    client.on("error", (err) => logger.warn({ err: err.message }, "MQTT client error"));
    client.on("offline", () => logger.warn({ url }, "MQTT broker unreachable; reconnecting"));
    // Every reconnect is a new MTP channel: subscribe again and let agents send Connect records (R-MTP.6).
    client.on("connect", () => {
      // A refused or failed SUBSCRIBE after a reconnect must not become an
      // unhandled rejection (it would end the process): log it; R-MQTT.17
      // forbids publishing without a subscription, so no Connect records follow.
      this.subscribe().then(
        () => this.channelUpHandler(),
        (err: unknown) => logger.error({ err: (err as Error).message }, "MQTT SUBSCRIBE after reconnect failed; agents stay silent until the next reconnect"),
      );
    });
    await this.subscribe();
    logger.info({ url, version: version === 5 ? "5" : "3.1.1", topic: this.subscriptionFilter() }, "MQTT MTP connected");
    this.channelUpHandler();
  }

  async stop(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    // R-MQTT.35: DISCONNECT on shutdown.
    if (client !== undefined) await client.endAsync();
  }

  async send(from: string, to: ReplyAddress, bytes: Uint8Array): Promise<void> {
    await this.publish(from, mqttTopicOf(to), bytes);
  }

  async sendConnectRecord(agentEndpointId: string, controllerEndpointId: string, to: ReplyAddress): Promise<void> {
    const record = mqttConnectRecord({
      toId: controllerEndpointId,
      fromId: agentEndpointId,
      version: this.options.version === 5 ? "V5" : "V3_1_1",
      subscribedTopic: this.agentTopic(agentEndpointId),
    });
    await this.publish(agentEndpointId, mqttTopicOf(to), record);
  }

  private subscriptionFilter(): string {
    return this.options.agentTopic.replace("{endpointId}", "+");
  }

  private async subscribe(): Promise<void> {
    const client = this.client;
    if (client === undefined) return;
    const group = this.options.sharedGroup;
    const filter = (group === undefined ? "" : `$share/${group}/`) + this.subscriptionFilter();
    // The second filter catches MQTT 3.1.1 publishes that carry the
    // "/reply-to=<topic>" suffix one level below the agent topic (R-MQTT.24).
    await client.subscribeAsync({ [filter]: { qos: 1 }, [`${filter}/+`]: { qos: 1 } });
  }

  /** Every publish carries the agent's own topic as its reply-to (R-MQTT.22):
   * the Response Topic property on MQTT 5 (R-MQTT.23), a topic suffix on 3.1.1 (R-MQTT.24). */
  private async publish(from: string, topic: string, bytes: Uint8Array): Promise<void> {
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
