// Part of the composition root (gateway.ts): turns the configuration into the
// WebSocket MTP and into each controller's addresses. Kept apart so the MTP
// list grows here, not in gateway.ts.
import type { Logger } from "pino";
import type { Config } from "./config.js";
import type { ControllerConfig } from "./agent/virtual-agents.js";
import type { GatewayTls } from "./tls.js";
import type { ReplyAddress } from "./usp/mtp/mtp.js";
import { WebSocketMtp } from "./usp/mtp/websocket.js";

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
