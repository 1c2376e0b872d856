// The MQTT broker for end-to-end tests: the machine's Mosquitto on
// 127.0.0.1:1883 when it answers, else an embedded aedes on an ephemeral port.
import { connect } from "node:net";
import { startEmbeddedBroker } from "../../src/usp/mtp/embedded-broker.js";

export interface TestBroker {
  url: string;
  kind: "mosquitto" | "aedes";
  close(): Promise<void>;
}

function answers(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    socket.setTimeout(500);
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
    socket.once("timeout", () => {
      socket.destroy();
      resolve(false);
    });
  });
}

export async function testBroker(): Promise<TestBroker> {
  if (await answers("127.0.0.1", 1883)) return { url: "mqtt://127.0.0.1:1883", kind: "mosquitto", close: async () => undefined };
  const broker = await startEmbeddedBroker("127.0.0.1", 0);
  return { url: broker.url, kind: "aedes", close: () => broker.close() };
}

/** Topics unique to one test run, so parallel runs on a shared broker never cross. */
export function uniquePrefix(): string {
  return `t${process.pid}-${Math.random().toString(16).slice(2, 8)}`;
}
