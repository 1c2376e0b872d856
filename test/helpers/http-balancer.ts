// A tiny HTTP load balancer in front of several gateway instances, for the
// cluster test. Each CPE connection is pinned to one instance (round robin)
// and moves on to the next every `moveEvery` requests, as a rebalancing L7
// balancer does: the CWMP session then goes on at another instance by its
// cookie. A request whose instance refuses the connection (it died) goes to
// the next instance, as real balancers retry requests that never reached a
// backend; a request lost in flight gets 502, as it would behind one.
import http from "node:http";
import type { AddressInfo, Socket } from "node:net";

export interface BalancerStats {
  /** Requests answered by each backend, by index. */
  served: number[];
  /** Requests sent to another backend than the previous one of their connection. */
  moved: number;
  /** Requests re-sent because their backend refused the connection. */
  retried: number;
  /** Requests lost in flight (502). */
  failed: number;
  /** Requests at each backend now, not yet answered. */
  inFlight: number[];
}

export interface Balancer {
  url: string;
  stats: BalancerStats;
  /** Holds every request from now on (a stalled network), until release(). */
  hold(): void;
  release(): void;
  close(): Promise<void>;
}

interface Pinning {
  backend: number;
  requests: number;
  /** One keep-alive connection per backend, so each instance sees a stable socket. */
  agents: Map<number, http.Agent>;
}

const HOP_BY_HOP = new Set(["connection", "keep-alive", "transfer-encoding", "host", "content-length"]);

export async function startBalancer(backends: string[], options: { moveEvery: number }): Promise<Balancer> {
  const stats: BalancerStats = { served: backends.map(() => 0), moved: 0, retried: 0, failed: 0, inFlight: backends.map(() => 0) };
  const pinnings = new WeakMap<Socket, Pinning>();
  let next = 0;
  let held: (() => void)[] | undefined;
  const server = http.createServer({ keepAlive: true }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const pinning = pinnings.get(req.socket);
      if (pinning === undefined) return res.writeHead(500).end();
      pinning.requests += 1;
      if (pinning.requests > 1 && (pinning.requests - 1) % options.moveEvery === 0) {
        pinning.backend = (pinning.backend + 1) % backends.length;
        stats.moved += 1;
      }
      const send = (): void => forward(req, res, Buffer.concat(chunks), pinning, 0);
      if (held === undefined) send();
      else held.push(send);
    });
  });
  server.on("connection", (socket: Socket) => {
    const pinning: Pinning = { backend: next++ % backends.length, requests: 0, agents: new Map() };
    pinnings.set(socket, pinning);
    socket.on("close", () => pinning.agents.forEach((agent) => agent.destroy()));
  });

  function forward(req: http.IncomingMessage, res: http.ServerResponse, body: Buffer, pinning: Pinning, attempt: number): void {
    const index = pinning.backend;
    const agent = pinning.agents.get(index) ?? new http.Agent({ keepAlive: true, maxSockets: 1 });
    pinning.agents.set(index, agent);
    const headers: http.OutgoingHttpHeaders = { "content-length": body.length };
    for (const [name, value] of Object.entries(req.headers)) if (!HOP_BY_HOP.has(name) && value !== undefined) headers[name] = value;
    stats.inFlight[index] = (stats.inFlight[index] ?? 0) + 1;
    const done = (): void => {
      stats.inFlight[index] = (stats.inFlight[index] ?? 1) - 1;
    };
    const out = http.request(new URL(req.url ?? "/", backends[index]), { method: req.method, headers, agent }, (reply) => {
      const replyChunks: Buffer[] = [];
      reply.on("data", (chunk: Buffer) => replyChunks.push(chunk));
      reply.on("end", () => {
        done();
        stats.served[index] = (stats.served[index] ?? 0) + 1;
        const replyHeaders: http.OutgoingHttpHeaders = {};
        for (const [name, value] of Object.entries(reply.headers)) if (!HOP_BY_HOP.has(name) && value !== undefined) replyHeaders[name] = value;
        // The gateway closing its side (400, 503) closes the CPE's connection too.
        if (reply.headers.connection === "close") replyHeaders.connection = "close";
        res.writeHead(reply.statusCode ?? 502, replyHeaders).end(Buffer.concat(replyChunks));
      });
    });
    out.on("error", (err: NodeJS.ErrnoException) => {
      done();
      if (err.code === "ECONNREFUSED" && attempt < backends.length) {
        stats.retried += 1;
        pinning.backend = (index + 1) % backends.length;
        forward(req, res, body, pinning, attempt + 1);
        return;
      }
      stats.failed += 1;
      if (!res.headersSent) res.writeHead(502, { connection: "close" }).end();
    });
    out.end(body);
  }

  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    stats,
    hold: () => {
      held ??= [];
    },
    release: () => {
      const waiting = held ?? [];
      held = undefined;
      for (const send of waiting) send();
    },
    close: async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
    },
  };
}
