// Which MQTT broker the gateway under test uses, and the topics it uses there.
import net from "node:net";

export const MOSQUITTO_URL = "mqtt://127.0.0.1:1883";

/** Mosquitto on 127.0.0.1:1883 when something answers there (the deployment
 * the figures are for), else "" so the gateway starts embedded aedes. */
export function probeBroker(timeoutMs = 500): Promise<string> {
  // BENCH_BROKER=embedded tries the fallback on a machine that has Mosquitto;
  // BENCH_BROKER=mqtt://… measures against another broker (e.g. a Mosquitto
  // with set_tcp_nodelay, bench/README.md).
  const forced = process.env["BENCH_BROKER"];
  if (forced === "embedded") return Promise.resolve("");
  if (forced?.startsWith("mqtt://") === true) return Promise.resolve(forced);
  return new Promise((resolve) => {
    const socket = net.connect(1883, "127.0.0.1");
    const done = (url: string): void => {
      socket.destroy();
      resolve(url);
    };
    socket.setTimeout(timeoutMs, () => done(""));
    socket.once("connect", () => done(MOSQUITTO_URL));
    socket.once("error", () => done(""));
  });
}

/** Topics carry a run id so that a bench never disturbs tests (or another
 * bench) sharing the same Mosquitto. */
export function benchTopics(runId: string): { agentTopic: string; controllerTopic: string; controllerId: string } {
  return { agentTopic: `bench-${runId}/agent/{endpointId}`, controllerTopic: `bench-${runId}/controller`, controllerId: "proto::bench-controller" };
}

/** The embedded aedes broker speaks MQTT 3.1.1 only (the gateway then uses
 * 3.1.1 too, with the `/reply-to=` topic suffix instead of MQTT 5's Response
 * Topic); Mosquitto gets MQTT 5. */
export function mqttVersion(broker: string): 4 | 5 {
  return broker === "" ? 4 : 5;
}

/** Where a 3.1.1 publisher asks for its answers (TR-369 MQTT binding). */
export const REPLY_TO = "/reply-to=";
