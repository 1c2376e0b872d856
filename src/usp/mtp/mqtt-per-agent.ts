// The MQTT MTP in per-agent mode (mqtt.connectionMode: per-agent, DESIGN
// decision 2): every virtual agent has its own MQTT connection, for brokers
// and controllers that identify an agent by its connection. Each connection is
// an MqttMtp of its own: CONNECT with the User Property usp-endpoint-id
// (R-MQTT.13, MQTT 5), the agent's own ClientId (R-MQTT.8-11), a subscription
// to the agent's topic only, its own back-off and Connect records (R-MTP.6).
// A connection is opened when the agent first announces itself (at gateway
// start for every stored agent, then on a new CPE's first Inform).
import type { Logger } from "pino";
import { MqttMtp, type ClientIdStore, type MqttClientState, type MqttMtpOptions } from "./mqtt.js";
import type { Mtp, RecordHandler, ReplyAddress } from "./mtp.js";

export interface PerAgentMqttOptions {
  /** Settings every connection shares; agentTopic is the template with {endpointId}. */
  base: Omit<MqttMtpOptions, "clientId" | "clientIdStore" | "userProperties" | "sharedGroup" | "logger">;
  /** Where each agent's ClientId is kept (R-MQTT.11). */
  clientIdStoreFor?(endpointId: string): ClientIdStore;
  logger: Logger;
}

interface AgentConnection {
  mtp: MqttMtp;
  /** The controllers the agent announces itself to on each new connection. */
  announceTo: Map<string, ReplyAddress>;
  started: Promise<boolean>;
}

export class PerAgentMqttMtp implements Mtp {
  readonly name = "mqtt";
  private readonly connections = new Map<string, AgentConnection>();
  private recordHandler: RecordHandler = () => undefined;
  private channelUpHandler: () => void = () => undefined;
  private stopped = false;

  constructor(private readonly options: PerAgentMqttOptions) {}

  onRecord(handler: RecordHandler): void {
    this.recordHandler = handler;
  }

  onChannelUp(handler: () => void): void {
    this.channelUpHandler = handler;
  }

  agentTopic(endpointId: string): string {
    return this.options.base.agentTopic.replace("{endpointId}", endpointId);
  }

  /** Up when every agent's connection is (none yet counts as up). */
  isConnected(): boolean {
    return [...this.connections.values()].every((c) => c.mtp.isConnected());
  }

  /** Nothing to connect yet: the gateway's channel-up handler makes every
   * stored agent announce itself, which opens its connection. */
  async start(): Promise<void> {
    this.channelUpHandler();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    const all = [...this.connections.values()];
    this.connections.clear();
    await Promise.all(all.map((c) => c.mtp.stop()));
  }

  async send(from: string, to: ReplyAddress, bytes: Uint8Array): Promise<void> {
    const connection = this.connectionFor(from);
    if (!(await connection.started)) throw new Error(`the MQTT connection of ${from} could not be opened`);
    await connection.mtp.send(from, to, bytes);
  }

  /** Sent at once on an open connection; otherwise by the connection itself
   * as soon as it is up, and again after every reconnect. */
  async sendConnectRecord(agentEndpointId: string, controllerEndpointId: string, to: ReplyAddress): Promise<void> {
    const connection = this.connectionFor(agentEndpointId);
    connection.announceTo.set(controllerEndpointId, to);
    if (connection.mtp.isConnected()) await connection.mtp.sendConnectRecord(agentEndpointId, controllerEndpointId, to);
  }

  forAgent(endpointId: string): MqttClientState {
    const base = this.options.base;
    const existing = (): MqttMtp | undefined => this.connections.get(endpointId)?.mtp;
    return {
      protocolVersion: () => base.version,
      currentClientId: () => existing()?.currentClientId() ?? "",
      isConnected: () => existing()?.isConnected() ?? false,
      keepAliveSeconds: () => existing()?.keepAliveSeconds() ?? base.keepAliveSeconds ?? 60,
      setKeepAlive: (seconds) => this.connectionFor(endpointId).mtp.setKeepAlive(seconds),
      setSubscriptions: (subscriptions) => this.connectionFor(endpointId).mtp.setAgentSubscriptions(endpointId, subscriptions),
    };
  }

  private connectionFor(endpointId: string): AgentConnection {
    const existing = this.connections.get(endpointId);
    if (existing !== undefined) return existing;
    const { base, logger } = this.options;
    const clientIdStore = this.options.clientIdStoreFor?.(endpointId);
    const mtp = new MqttMtp({
      ...base,
      agentTopic: this.agentTopic(endpointId),
      // R-MQTT.8: MQTT 3.1.1 uses the Endpoint ID; MQTT 5 an empty one, then the broker's.
      ...(base.version === 4 ? { clientId: endpointId } : {}),
      ...(clientIdStore !== undefined ? { clientIdStore } : {}),
      userProperties: { "usp-endpoint-id": endpointId },
      logger: logger.child({ endpointId }),
    });
    const connection: AgentConnection = { mtp, announceTo: new Map(), started: Promise.resolve(false) };
    mtp.onRecord((bytes, replyTo) => this.recordHandler(bytes, replyTo));
    mtp.onChannelUp(() => {
      for (const [controllerId, to] of connection.announceTo) {
        mtp.sendConnectRecord(endpointId, controllerId, to).catch((err: unknown) => {
          logger.warn({ endpointId, controller: controllerId, err: (err as Error).message }, "could not send Connect record");
        });
      }
    });
    connection.started = mtp.start().then(
      () => true,
      (err: unknown) => {
        // Forgotten, so the agent's next message or announcement tries again.
        if (this.connections.get(endpointId) === connection) this.connections.delete(endpointId);
        logger.warn({ endpointId, err: (err as Error).message }, "agent's MQTT connection could not be opened");
        return false;
      },
    );
    if (!this.stopped) this.connections.set(endpointId, connection);
    return connection;
  }
}
