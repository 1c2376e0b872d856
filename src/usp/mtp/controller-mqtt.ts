// The controller side of the MQTT binding, for the lab controller CLI and the
// demo (the gateway's agent side is mqtt.ts). It lives here because nothing
// above src/usp/ imports `mqtt` (README invariant 2). One subscription to the
// controller's own topic; Records to an agent go to the agent's topic with our
// topic as reply-to: the MQTT 5 Response Topic (R-MQTT.23), or on MQTT 3.1.1
// the "/reply-to=" topic suffix (R-MQTT.24), which is all aedes speaks.
import mqtt, { type MqttClient } from "mqtt";

export interface ControllerMqttOptions {
  url: string;
  /** The controller's own topic: where agents (the gateway) answer. */
  controllerTopic: string;
  /** Template with {endpointId}, e.g. usp/v1/agent/{endpointId}. */
  agentTopic: string;
  clientId: string;
  connectTimeoutMs: number;
  /** 5 = MQTT 5, 4 = MQTT 3.1.1. */
  version: 4 | 5;
}

export class ControllerMqtt {
  private handler: (bytes: Uint8Array) => void = () => undefined;

  private constructor(
    private readonly client: MqttClient,
    private readonly options: ControllerMqttOptions,
  ) {
    client.on("message", (_topic, payload) => this.handler(new Uint8Array(payload)));
  }

  /** Connects and subscribes; rejects when the broker does not answer. A lab
   * tool should fail at once with the reason, so there is no reconnect. */
  static async connect(options: ControllerMqttOptions): Promise<ControllerMqtt> {
    const client = await mqtt.connectAsync(options.url, {
      protocolVersion: options.version,
      clientId: options.clientId,
      reconnectPeriod: 0,
      connectTimeout: options.connectTimeoutMs,
    });
    // On 3.1.1 agents append their own "/reply-to=…" suffix one level below our topic (R-MQTT.24).
    await client.subscribeAsync({ [options.controllerTopic]: { qos: 1 }, [`${options.controllerTopic}/+`]: { qos: 1 } });
    return new ControllerMqtt(client, options);
  }

  onRecord(handler: (bytes: Uint8Array) => void): void {
    this.handler = handler;
  }

  async send(agentEndpointId: string, bytes: Uint8Array): Promise<void> {
    const { agentTopic, controllerTopic, version } = this.options;
    const topic = agentTopic.replace("{endpointId}", agentEndpointId);
    if (version === 5) {
      await this.client.publishAsync(topic, Buffer.from(bytes), { qos: 1, properties: { responseTopic: controllerTopic, contentType: "usp.msg" } });
    } else {
      await this.client.publishAsync(`${topic}/reply-to=${controllerTopic.replaceAll("/", "%2F")}`, Buffer.from(bytes), { qos: 1 });
    }
  }

  async close(): Promise<void> {
    await this.client.endAsync();
  }
}
