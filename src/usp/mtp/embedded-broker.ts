// An in-process MQTT broker (aedes) so `npm start` works with no broker
// installed. For labs and demos; production points mqtt.url at a real broker.
import { createServer, type Server } from "node:net";
import { once } from "node:events";
import { createRequire } from "node:module";

// aedes is CommonJS whose module.exports is the factory itself; its .d.ts
// describes named exports that an ES import cannot see, so load it via require.
const { createBroker } = createRequire(import.meta.url)("aedes") as typeof import("aedes");

export interface EmbeddedBroker {
  url: string;
  /** aedes implements MQTT 3.1.1 only; an MQTT 5 CONNECT is refused. */
  mqtt311Only?: boolean;
  close(): Promise<void>;
}

export async function startEmbeddedBroker(host: string, port: number): Promise<EmbeddedBroker> {
  const broker = createBroker();
  const server: Server = createServer(broker.handle);
  server.listen(port, host);
  await Promise.race([
    once(server, "listening"),
    once(server, "error").then(([err]) => {
      broker.close();
      throw err;
    }),
  ]);
  const address = server.address();
  const boundPort = typeof address === "object" && address !== null ? address.port : port;
  return {
    url: `mqtt://${host.includes(":") ? `[${host}]` : host}:${boundPort}`,
    mqtt311Only: true,
    async close(): Promise<void> {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await new Promise<void>((resolve) => broker.close(() => resolve()));
    },
  };
}
