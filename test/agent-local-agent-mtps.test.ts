// Device.LocalAgent.MTP.{i} and Controller.{i}.MTP.{i} rows from the
// configuration: WebSocket appears next to MQTT where it is configured, as
// the gateway's server (agent side) and as each controller's server.
import t from "tap";
import { pino } from "pino";
import { buildLocalAgentTree } from "../src/agent/local-agent/local-agent-model.js";
import { loadConfig } from "../src/config.js";
import type { RpcOutcome } from "../src/cwmp/rpc.js";
import { localAgentMtps } from "../src/gateway-mtps.js";
import { MqttMtp } from "../src/usp/mtp/mqtt.js";

const AGENT = "os::00256D-SN 1";

function valuesOf(outcome: RpcOutcome): Record<string, string> {
  if (!outcome.ok || outcome.response.method !== "GetParameterValuesResponse") throw new Error(JSON.stringify(outcome));
  return Object.fromEntries(outcome.response.parameterList.map((p) => [p.name, p.value]));
}

function localAgentOf(configText: object): Record<string, string> {
  const config = loadConfig({ fileText: JSON.stringify(configText) });
  const mqtt = new MqttMtp({ url: "mqtt://127.0.0.1:1", version: 5, agentTopic: config.mqtt.agentTopic, logger: pino({ level: "silent" }) });
  const tree = buildLocalAgentTree({ endpointId: AGENT, softwareVersion: "0.1.0", startedAt: 0, now: () => 0, ...localAgentMtps(config, mqtt, AGENT) }, []);
  return valuesOf(tree.execute({ method: "GetParameterValues", parameterNames: ["Device.LocalAgent."] }));
}

t.test("MQTT only: one MTP row, one MQTT row per controller", async (t) => {
  const v = localAgentOf({ controllers: [{ endpointId: "proto::c1", mqttTopic: "usp/c1" }] });
  t.equal(v["Device.LocalAgent.SupportedProtocols"], "MQTT");
  t.equal(v["Device.LocalAgent.MTPNumberOfEntries"], "1");
  t.equal(v["Device.LocalAgent.MTP.1.Protocol"], "MQTT");
  t.equal(v["Device.LocalAgent.MTP.1.MQTT.ResponseTopicConfigured"], `usp/v1/agent/${AGENT}`);
  t.equal(v["Device.LocalAgent.Controller.1.MTPNumberOfEntries"], "1");
  t.equal(v["Device.LocalAgent.Controller.1.MTP.1.Protocol"], "MQTT");
  t.equal(v["Device.LocalAgent.Controller.1.MTP.1.MQTT.Topic"], "usp/c1");
  t.equal(v["Device.LocalAgent.Controller.1.MTP.1.MQTT.AgentMTPReference"], "Device.LocalAgent.MTP.1");
});

t.test("WebSocket server and controllers: WebSocket rows beside the MQTT ones", async (t) => {
  const v = localAgentOf({
    websocket: { enabled: true, port: 9443, path: "/usp/", keepAliveSeconds: 30 },
    controllers: [
      { endpointId: "proto::both", mqttTopic: "usp/both", websocket: { url: "wss://ctl.example/usp?x=1", keepAliveSeconds: 20, retryMinimumWaitSeconds: 7, retryIntervalMultiplier: 3000 } },
      { endpointId: "proto::ws", websocket: { url: "ws://10.0.0.9:8080/agents" } },
      { endpointId: "proto::dials-in", websocket: {} },
    ],
  });
  t.equal(v["Device.LocalAgent.SupportedProtocols"], "MQTT,WebSocket");
  t.equal(v["Device.LocalAgent.MTPNumberOfEntries"], "2");
  t.equal(v["Device.LocalAgent.MTP.2.Protocol"], "WebSocket");
  t.equal(v["Device.LocalAgent.MTP.2.WebSocket.Port"], "9443", "the gateway's server, where controllers connect (R-WS.6)");
  t.equal(v["Device.LocalAgent.MTP.2.WebSocket.Path"], "/usp/os%3A%3A00256D-SN%201", "one path per agent, its endpoint id encoded");
  t.equal(v["Device.LocalAgent.MTP.2.WebSocket.EnableEncryption"], "false");
  t.equal(v["Device.LocalAgent.MTP.2.WebSocket.KeepAliveInterval"], "30");

  t.equal(v["Device.LocalAgent.Controller.1.MTPNumberOfEntries"], "2");
  t.equal(v["Device.LocalAgent.Controller.1.MTP.1.Protocol"], "MQTT");
  t.equal(v["Device.LocalAgent.Controller.1.MTP.1.MQTT.Topic"], "usp/both");
  t.equal(v["Device.LocalAgent.Controller.1.MTP.2.Protocol"], "WebSocket");
  t.equal(v["Device.LocalAgent.Controller.1.MTP.2.WebSocket.Host"], "ctl.example");
  t.equal(v["Device.LocalAgent.Controller.1.MTP.2.WebSocket.Port"], "443", "the wss:// default port");
  t.equal(v["Device.LocalAgent.Controller.1.MTP.2.WebSocket.Path"], "/usp?x=1");
  t.equal(v["Device.LocalAgent.Controller.1.MTP.2.WebSocket.IsEncrypted"], "true");
  t.equal(v["Device.LocalAgent.Controller.1.MTP.2.WebSocket.KeepAliveInterval"], "20");
  t.equal(v["Device.LocalAgent.Controller.1.MTP.2.WebSocket.SessionRetryMinimumWaitInterval"], "7");
  t.equal(v["Device.LocalAgent.Controller.1.MTP.2.WebSocket.SessionRetryIntervalMultiplier"], "3000");

  t.equal(v["Device.LocalAgent.Controller.2.MTPNumberOfEntries"], "1", "a WebSocket-only controller has no MQTT row");
  t.equal(v["Device.LocalAgent.Controller.2.MTP.1.Protocol"], "WebSocket");
  t.equal(v["Device.LocalAgent.Controller.2.MTP.1.WebSocket.Host"], "10.0.0.9");
  t.equal(v["Device.LocalAgent.Controller.2.MTP.1.WebSocket.Port"], "8080");
  t.equal(v["Device.LocalAgent.Controller.2.MTP.1.WebSocket.IsEncrypted"], "false");
  t.equal(v["Device.LocalAgent.Controller.3.MTP.1.Protocol"], "WebSocket", "a controller that connects to the gateway's server");
  t.equal(v["Device.LocalAgent.Controller.3.MTP.1.WebSocket.Host"], "", "has no server of its own");
});

t.test("a WebSocket controller without the gateway's server still gives the agent a WebSocket MTP row", async (t) => {
  const v = localAgentOf({ controllers: [{ endpointId: "proto::ws", websocket: { url: "ws://ctl:80/" } }] });
  t.equal(v["Device.LocalAgent.SupportedProtocols"], "MQTT,WebSocket");
  t.equal(v["Device.LocalAgent.MTP.2.Protocol"], "WebSocket");
  t.equal(v["Device.LocalAgent.MTP.2.WebSocket.Port"], "0", "no server: no port the agent listens on");
});
