// A man-in-the-middle for the MQTT cases of TP-469 section 11: a TCP proxy
// in front of the test broker that the gateway connects to instead, which
// decodes every MQTT packet in both directions (mqtt-packet, the codec
// MQTT.js itself uses) so a case can check the gateway's CONNECT, SUBSCRIBE
// and PUBLISH packets. It can also cut the connection (broker restart) and
// rewrite or drop what the broker sends.
import { createServer, connect, type Server, type Socket } from "node:net";
import { createServer as createTlsServer, type TLSSocket } from "node:tls";
import mqttPacket, { type Packet } from "mqtt-packet";

export interface Tapped {
  /** "up": gateway → broker; "down": broker → gateway. */
  dir: "up" | "down";
  /** Which TCP connection (1, 2, … in order of arrival). */
  conn: number;
  at: number;
  packet: Packet;
}

export interface TapOptions {
  /** Rewrites broker → gateway packets (null drops one). With it every
   * packet is re-encoded rather than relayed byte for byte. */
  down?: (packet: Packet) => Packet | null;
  protocolVersion?: 4 | 5;
  /** Terminate TLS (mqtts://) with this certificate and relay in clear. */
  tls?: { cert: string; key: string };
}

export class MqttTap {
  readonly packets: Tapped[] = [];
  /** With `tls`: the TLS version each connection negotiated, in order. */
  readonly tlsVersions: string[] = [];
  private readonly sockets = new Set<Socket>();
  private waiters: { match: (p: Tapped) => boolean; resolve: (p: Tapped) => void }[] = [];
  private connections = 0;

  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {}

  static async start(brokerUrl: string, options: TapOptions = {}): Promise<MqttTap> {
    const broker = new URL(brokerUrl);
    const tls = options.tls;
    const server: Server = tls === undefined ? createServer() : createTlsServer({ cert: tls.cert, key: tls.key });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const address = server.address();
    const port = typeof address === "object" && address !== null ? address.port : 0;
    const tap = new MqttTap(server, `${tls === undefined ? "mqtt" : "mqtts"}://127.0.0.1:${port}`);
    const upstream = { host: broker.hostname, port: Number(broker.port || 1883) };
    if (tls === undefined) server.on("connection", (client: Socket) => tap.relay(client, upstream.host, upstream.port, options));
    else
      server.on("secureConnection", (client: TLSSocket) => {
        tap.tlsVersions.push(client.getProtocol() ?? "none");
        tap.relay(client, upstream.host, upstream.port, options);
      });
    return tap;
  }

  private relay(client: Socket, host: string, port: number, options: TapOptions): void {
    const conn = ++this.connections;
    const upstream = connect({ host, port });
    this.sockets.add(client).add(upstream);
    const settings = { protocolVersion: options.protocolVersion ?? 5 };
    const up = mqttPacket.parser(settings);
    const down = mqttPacket.parser(settings);
    up.on("packet", (packet: Packet) => this.record({ dir: "up", conn, at: Date.now(), packet }));
    down.on("packet", (packet: Packet) => {
      this.record({ dir: "down", conn, at: Date.now(), packet });
      const out = options.down?.(packet);
      if (out !== undefined && out !== null) client.write(mqttPacket.generate(out, settings));
    });
    client.on("data", (data: Buffer) => {
      up.parse(data);
      upstream.write(data);
    });
    upstream.on("data", (data: Buffer) => {
      down.parse(data);
      if (options.down === undefined) client.write(data);
    });
    const close = (): void => {
      client.destroy();
      upstream.destroy();
      this.sockets.delete(client);
      this.sockets.delete(upstream);
    };
    client.on("close", close).on("error", close);
    upstream.on("close", close).on("error", close);
  }

  private record(entry: Tapped): void {
    this.packets.push(entry);
    const waiter = this.waiters.find((w) => w.match(entry));
    if (waiter !== undefined) {
      this.waiters = this.waiters.filter((w) => w !== waiter);
      waiter.resolve(entry);
    }
  }

  /** The first packet (seen or future) that matches. */
  waitFor(match: (p: Tapped) => boolean, timeoutMs = 10_000): Promise<Tapped> {
    const seen = this.packets.find(match);
    if (seen !== undefined) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no matching MQTT packet within ${timeoutMs} ms`)), timeoutMs);
      this.waiters.push({
        match,
        resolve: (p) => {
          clearTimeout(timer);
          resolve(p);
        },
      });
    });
  }

  /** Cuts every open connection, as a broker restart would. */
  cut(): void {
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
  }

  get connectionCount(): number {
    return this.connections;
  }

  async close(): Promise<void> {
    this.cut();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
