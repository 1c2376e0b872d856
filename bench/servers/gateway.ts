// The real gateway (dist/), configured the way `cwmp2usp serve` would be, in
// a process of its own. argv[2] is the MQTT broker URL, or "" for the
// embedded aedes broker on a free port. Topics and the client id carry a
// run id so a bench never disturbs tests sharing the same Mosquitto.
import { pino } from "pino";
import { fromDist } from "../lib/dist.js";
import { send, serveIpc } from "../lib/child.js";
import { benchTopics } from "../lib/mqtt.js";
import { CR_CREDENTIALS } from "../lib/roundtrip.js";

type ConfigModule = typeof import("../../src/config.js");
type GatewayModule = typeof import("../../src/gateway.js");

async function main(): Promise<void> {
  const mqttUrl = process.argv[2] ?? "";
  const runId = process.argv[3] ?? String(process.pid);
  const { loadConfig } = await fromDist<ConfigModule>("config.js");
  const { startGateway } = await fromDist<GatewayModule>("gateway.js");
  const topics = benchTopics(runId);
  const env: NodeJS.ProcessEnv = {
    CWMP2USP_CWMP__HOST: "127.0.0.1",
    CWMP2USP_CWMP__PORT: "0",
    CWMP2USP_MQTT__AGENTTOPIC: topics.agentTopic,
    CWMP2USP_MQTT__CLIENTID: `cwmp2usp-bench-${runId}`,
    CWMP2USP_CONTROLLERS: JSON.stringify([{ endpointId: topics.controllerId, mqttTopic: topics.controllerTopic }]),
    CWMP2USP_LOG__LEVEL: "warn",
    // The ops port is fixed (9464): off, so that two bench gateways (or a
    // bench and a running gateway) never collide on it.
    CWMP2USP_OPS__ENABLED: "false",
    // What the simulated CPEs of the round-trip scenarios demand.
    CWMP2USP_CWMP__CONNECTIONREQUEST__USERNAME: CR_CREDENTIALS.username,
    CWMP2USP_CWMP__CONNECTIONREQUEST__PASSWORD: CR_CREDENTIALS.password,
    ...(mqttUrl === "" ? { CWMP2USP_MQTT__EMBEDDED__PORT: "0" } : { CWMP2USP_MQTT__URL: mqttUrl }),
  };
  const config = loadConfig({ env });
  const gateway = await startGateway(config, pino({ level: config.log.level }));
  serveIpc(() => gateway.stop());
  send({ type: "ready", acsUrl: gateway.acsUrl, mqttUrl: gateway.mqttUrl });
}

main().catch((err: unknown) => {
  send({ type: "failed", error: err instanceof Error ? (err.stack ?? err.message) : String(err) });
  process.exit(1);
});
