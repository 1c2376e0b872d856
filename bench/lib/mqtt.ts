// Which MQTT broker the gateway under test uses, and the topics it uses there.
import net from "node:net";

export const MOSQUITTO_URL = "mqtt://127.0.0.1:1883";

/** Mosquitto on 127.0.0.1:1883 when something answers there (the deployment
 * the figures are for), else "" so the gateway starts embedded aedes. */
export function probeBroker(timeoutMs = 500): Promise<string> {
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
