// Starts a real gateway on loopback with ephemeral ports and topics unique to
// the test run, against the test broker.
import { pino } from "pino";
import { loadConfig, type Config } from "../../src/config.js";
import { startGateway, type Gateway } from "../../src/gateway.js";
import { uniquePrefix } from "./broker.js";

export interface TestGateway {
  gateway: Gateway;
  config: Config;
  controllerId: string;
  controllerTopic: string;
  agentTopic(endpointId: string): string;
  stop(): Promise<void>;
}

export const CR_USERNAME = "cr-user";
export const CR_PASSWORD = "cr-secret";

export async function startTestGateway(brokerUrl: string, overrides: Record<string, unknown> = {}): Promise<TestGateway> {
  const prefix = uniquePrefix();
  const controllerId = `proto::ctl-${prefix}`;
  const controllerTopic = `${prefix}/controller`;
  const base = {
    cwmp: { host: "127.0.0.1", port: 0, connectionRequest: { username: CR_USERNAME, password: CR_PASSWORD, timeoutSeconds: 2 } },
    mqtt: { url: brokerUrl, version: 5, agentTopic: `${prefix}/agent/{endpointId}` },
    controllers: [{ endpointId: controllerId, mqttTopic: controllerTopic }],
    requestTimeoutSeconds: 20,
    ops: { host: "127.0.0.1", port: 0 },
  };
  const config = loadConfig({ fileText: JSON.stringify(deepMerge(base, overrides)) });
  const logger = pino({ level: process.env.TEST_LOG_LEVEL ?? "silent" });
  const gateway = await startGateway(config, logger);
  return {
    gateway,
    config,
    controllerId,
    controllerTopic,
    agentTopic: (endpointId) => config.mqtt.agentTopic.replace("{endpointId}", endpointId),
    stop: () => gateway.stop(),
  };
}

function deepMerge(a: Record<string, unknown>, b: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...a };
  for (const [key, value] of Object.entries(b)) {
    const existing = out[key];
    out[key] =
      typeof value === "object" && value !== null && !Array.isArray(value) && typeof existing === "object" && existing !== null && !Array.isArray(existing)
        ? deepMerge(existing as Record<string, unknown>, value as Record<string, unknown>)
        : value;
  }
  return out;
}
