// Part of the composition root (gateway.ts): turns the configuration into the
// MQTT and WebSocket MTPs and into each controller's addresses. Kept apart so
// the MTP list grows here, not in gateway.ts.
import type { Logger } from "pino";
import type { Config } from "./config.js";
import type { AgentMtp, LocalAgentContext } from "./agent/local-agent/local-agent-model.js";
import { enabledInRows, MQTT_SUBSCRIPTIONS, type MqttClientView } from "./agent/local-agent/mqtt-client-model.js";
import type { ControllerConfig } from "./agent/virtual-agents.js";
import type { Store } from "./store/store.js";
import type { GatewayTls } from "./tls.js";
import { MqttMtp, type ClientIdStore, type MqttClientState } from "./usp/mtp/mqtt.js";
import { PerAgentMqttMtp } from "./usp/mtp/mqtt-per-agent.js";
import type { ReplyAddress } from "./usp/mtp/mtp.js";
import { WebSocketMtp } from "./usp/mtp/websocket.js";

/** The store key of the gateway's own MQTT client (it is no agent, so a
 * name no endpoint id can take: endpoint ids contain "::"). */
const MQTT_CLIENT_OWNER = "gateway";
const MQTT_CLIENT_TABLE = "Device.MQTT.Client.";

/** The MQTT MTP: one connection for every agent, or one per agent with
 * mqtt.connectionMode per-agent (DESIGN decision 2). */
export function createMqttMtp(config: Config, url: string, version: 4 | 5, tls: GatewayTls, store: Store, logger: Logger): MqttMtp | PerAgentMqttMtp {
  const m = config.mqtt;
  const connectRetry = { connectRetryTime: m.connectRetryTime, intervalMultiplier: m.connectRetryIntervalMultiplier, maxInterval: m.connectRetryMaxInterval };
  if (m.connectionMode === "per-agent") {
    return new PerAgentMqttMtp({
      base: {
        url,
        version,
        agentTopic: m.agentTopic,
        ...(m.username !== undefined ? { username: m.username } : {}),
        ...(m.password !== undefined ? { password: m.password } : {}),
        ...(tls.mqtt !== undefined ? { tls: tls.mqtt } : {}),
        keepAliveSeconds: m.keepAliveTime,
        connectRetry,
      },
      clientIdStoreFor: (endpointId) => storedClientId(store, url, endpointId),
      logger: logger.child({ component: "mqtt" }),
    });
  }
  return new MqttMtp({
    url,
    version,
    agentTopic: m.agentTopic,
    ...(m.sharedGroup !== undefined ? { sharedGroup: m.sharedGroup } : {}),
    logger: logger.child({ component: "mqtt" }),
    ...(m.clientId !== undefined ? { clientId: m.clientId } : {}),
    // Several instances (sharedGroup) share the store but each needs a
    // ClientId of its own, and the store cannot tell a restarted instance
    // from another: they keep their assigned ClientId for their lifetime only.
    ...(m.clientId === undefined && m.sharedGroup === undefined ? { clientIdStore: storedClientId(store, url) } : {}),
    ...(m.username !== undefined ? { username: m.username } : {}),
    ...(m.password !== undefined ? { password: m.password } : {}),
    ...(tls.mqtt !== undefined ? { tls: tls.mqtt } : {}),
    keepAliveSeconds: m.keepAliveTime,
    connectRetry,
  });
}

/** R-MQTT.11: the ClientId survives restarts, kept per broker (scheme, host
 * and port: never the credentials a URL may carry). */
function storedClientId(store: Store, brokerUrl: string, owner = MQTT_CLIENT_OWNER): ClientIdStore {
  const parsed = new URL(brokerUrl);
  const url = `${parsed.protocol}//${parsed.host}`;
  return {
    load: async () => {
      const rows = await store.getAgentRows(owner, MQTT_CLIENT_TABLE);
      return rows.find((r) => r.values.BrokerURL === url)?.values.ClientID;
    },
    save: async (clientId) => {
      const rows = await store.getAgentRows(owner, MQTT_CLIENT_TABLE);
      const others = rows.filter((r) => r.values.BrokerURL !== url);
      const instance = rows.find((r) => r.values.BrokerURL === url)?.instance ?? Math.max(0, ...rows.map((r) => r.instance)) + 1;
      await store.putAgentRows(owner, MQTT_CLIENT_TABLE, [...others, { instance, values: { BrokerURL: url, ClientID: clientId } }]);
    },
  };
}

/** Every configured controller with the addresses of its MTPs: its MQTT
 * topic and/or its WebSocket sessions (R-WS.4: one per agent, found by the
 * controller's endpoint id). */
export function controllerAddresses(config: Config): ControllerConfig[] {
  return config.controllers.map((c) => {
    const addresses: ReplyAddress[] = [];
    if (c.mqttTopic !== undefined) addresses.push({ mtp: "mqtt", topic: c.mqttTopic });
    if (c.websocket !== undefined) addresses.push({ mtp: "websocket", controllerId: c.endpointId });
    return { endpointId: c.endpointId, addresses };
  });
}

/** The WebSocket MTP, when a controller has a WebSocket server to connect to
 * or the gateway's own server is enabled; undefined otherwise. */
export function createWebSocketMtp(
  config: Config,
  tls: GatewayTls,
  logger: Logger,
  isAgent: (endpointId: string) => Promise<boolean>,
): WebSocketMtp | undefined {
  const targets = config.controllers.flatMap((c) => {
    const ws = c.websocket;
    if (ws?.url === undefined) return [];
    const clientTls = tls.websocketClients.get(c.endpointId);
    return [
      {
        endpointId: c.endpointId,
        url: ws.url,
        keepAliveMs: ws.keepAliveSeconds * 1000,
        retry: { minimumWaitMs: ws.retryMinimumWaitSeconds * 1000, intervalMultiplier: ws.retryIntervalMultiplier },
        ...(clientTls !== undefined ? { tls: clientTls } : {}),
      },
    ];
  });
  const server = config.websocket;
  if (targets.length === 0 && !server.enabled) return undefined;
  const controllerIds = new Set(config.controllers.map((c) => c.endpointId));
  return new WebSocketMtp({
    logger: logger.child({ component: "websocket" }),
    targets,
    isController: (endpointId) => controllerIds.has(endpointId),
    isAgent,
    ...(server.enabled
      ? {
          server: {
            host: server.host,
            port: server.port,
            path: server.path,
            keepAliveMs: server.keepAliveSeconds * 1000,
            ...(tls.websocketServer !== undefined ? { tls: tls.websocketServer } : {}),
          },
        }
      : {}),
  });
}

/** Device.LocalAgent.MTP.{i} and Controller.{i}.MTP.{i} of one agent: the
 * MQTT MTP always, the WebSocket MTP when the gateway's server is enabled or a
 * controller is reached over WebSocket; each controller with every MTP it has. */
export function localAgentMtps(config: Config, mqtt: { agentTopic(endpointId: string): string }, endpointId: string): Pick<LocalAgentContext, "mtps" | "controllers"> {
  const mtps: AgentMtp[] = [{ protocol: "MQTT", responseTopic: mqtt.agentTopic(endpointId) }];
  const server = config.websocket;
  if (server.enabled || config.controllers.some((c) => c.websocket !== undefined)) {
    mtps.push({
      protocol: "WebSocket",
      ...(server.enabled
        ? { websocket: { port: server.port, path: `${server.path.replace(/\/+$/, "")}/${encodeURIComponent(endpointId)}`, encrypted: server.tls !== undefined, keepAliveSeconds: server.keepAliveSeconds } }
        : {}),
    });
  }
  const controllers = config.controllers.map((c) => ({
    endpointId: c.endpointId,
    protocol: c.mqttTopic !== undefined ? ("MQTT" as const) : ("WebSocket" as const),
    ...(c.mqttTopic !== undefined ? { topic: c.mqttTopic } : {}),
    mtps: [
      ...(c.mqttTopic !== undefined ? [{ protocol: "MQTT" as const, topic: c.mqttTopic }] : []),
      ...(c.websocket !== undefined
        ? [
            {
              protocol: "WebSocket" as const,
              ...(c.websocket.url !== undefined ? { url: c.websocket.url } : {}),
              keepAliveSeconds: c.websocket.keepAliveSeconds,
              retryMinimumWaitSeconds: c.websocket.retryMinimumWaitSeconds,
              retryIntervalMultiplier: c.websocket.retryIntervalMultiplier,
            },
          ]
        : []),
    ],
  }));
  return { mtps, controllers };
}

/** After a restart: the topics controllers added as Device.MQTT.Client.1.Subscription
 * rows are subscribed again without waiting for each agent's tree to be built. */
export async function restoreMqttSubscriptions(store: Store, mqtt: MqttMtp | PerAgentMqttMtp): Promise<number> {
  let restored = 0;
  for (const device of await store.listDevices()) {
    const topics = enabledInRows(await store.getAgentRows(device.endpointId, MQTT_SUBSCRIPTIONS));
    if (topics.length === 0) continue;
    mqtt.forAgent(device.endpointId).setSubscriptions(topics);
    restored += topics.length;
  }
  return restored;
}

/** Each agent's view of its MQTT client (mqttClientView). */
export function mqttClientViews(config: Config, mqtt: MqttMtp | PerAgentMqttMtp, url: string, tls: GatewayTls): (endpointId: string) => MqttClientView {
  // Shared: the connection subscribes the agents' wildcard filter; per agent: the agent's own topic.
  const filterOf = (endpointId: string): string => mqtt.agentTopic(mqtt instanceof PerAgentMqttMtp ? endpointId : "+");
  return (endpointId) => mqttClientView(config, mqtt.forAgent(endpointId), filterOf(endpointId), url, tls);
}

/** Device.MQTT.Client.1 as an agent shows it: the gateway's one MQTT client,
 * or with per-agent connections the agent's own. */
export function mqttClientView(config: Config, mqtt: MqttClientState, agentFilter: string, url: string, tls: GatewayTls): MqttClientView {
  const broker = new URL(url);
  const secure = broker.protocol === "mqtts:" || broker.protocol === "ssl:";
  return {
    protocolVersion: mqtt.protocolVersion() === 5 ? "5.0" : "3.1.1",
    brokerAddress: broker.hostname,
    brokerPort: broker.port !== "" ? Number(broker.port) : secure ? 8883 : 1883,
    transportProtocol: secure || tls.mqtt !== undefined ? "TLS" : "TCP/IP",
    username: config.mqtt.username ?? "",
    agentFilter,
    connectRetry: { time: config.mqtt.connectRetryTime, intervalMultiplier: config.mqtt.connectRetryIntervalMultiplier, maxInterval: config.mqtt.connectRetryMaxInterval },
    clientId: () => mqtt.currentClientId(),
    connected: () => mqtt.isConnected(),
    keepAliveTime: () => mqtt.keepAliveSeconds(),
  };
}
