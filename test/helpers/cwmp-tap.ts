// An HTTP pass-through between simulated CPEs and the gateway's CWMP endpoint
// that keeps every RPC the gateway sent (the SOAP bodies of its HTTP replies,
// decoded by the product's own codec), so a test can check what reached the
// CPE on the wire, field by field. One keep-alive connection to the gateway
// per CPE connection, so sessions look to the gateway as they would directly.
import http from "node:http";
import type { AddressInfo, Socket } from "node:net";
import type { AcsRequest } from "../../src/cwmp/rpc.js";
import { decodeEnvelope } from "../../src/cwmp/soap-decode.js";

export interface CwmpTap {
  /** Point the CPEs' ACS URL here. */
  url: string;
  /** RPCs the gateway sent, in order (InformResponse and other replies to the CPE's own requests left out). */
  rpcs: AcsRequest[];
  close(): Promise<void>;
}

const HOP_BY_HOP = new Set(["connection", "keep-alive", "transfer-encoding", "host", "content-length"]);
const ACS_METHODS = new Set([
  "GetRPCMethods",
  "SetParameterValues",
  "GetParameterValues",
  "GetParameterNames",
  "SetParameterAttributes",
  "GetParameterAttributes",
  "AddObject",
  "DeleteObject",
  "Reboot",
  "Download",
  "Upload",
  "FactoryReset",
  "ScheduleInform",
  "ChangeDUState",
  "GetAllQueuedTransfers",
  "CancelTransfer",
]);

export async function startCwmpTap(acsUrl: string): Promise<CwmpTap> {
  const rpcs: AcsRequest[] = [];
  const agents = new WeakMap<Socket, http.Agent>();
  const server = http.createServer({ keepAlive: true }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const body = Buffer.concat(chunks);
      const agent = agents.get(req.socket) ?? new http.Agent({ keepAlive: true, maxSockets: 1 });
      agents.set(req.socket, agent);
      const headers: http.OutgoingHttpHeaders = { "content-length": body.length };
      for (const [name, value] of Object.entries(req.headers)) if (!HOP_BY_HOP.has(name) && value !== undefined) headers[name] = value;
      const out = http.request(new URL(req.url ?? "/", acsUrl), { method: req.method, headers, agent }, (reply) => {
        const replyChunks: Buffer[] = [];
        reply.on("data", (chunk: Buffer) => replyChunks.push(chunk));
        reply.on("end", () => {
          const replyBody = Buffer.concat(replyChunks);
          const decoded = replyBody.length > 0 ? decodeEnvelope(replyBody.toString("utf8")) : undefined;
          if (decoded?.ok === true && ACS_METHODS.has(decoded.envelope.body.method)) rpcs.push(decoded.envelope.body as AcsRequest);
          const replyHeaders: http.OutgoingHttpHeaders = {};
          for (const [name, value] of Object.entries(reply.headers)) if (!HOP_BY_HOP.has(name) && value !== undefined) replyHeaders[name] = value;
          if (reply.headers.connection === "close") replyHeaders.connection = "close";
          res.writeHead(reply.statusCode ?? 502, replyHeaders).end(replyBody);
        });
      });
      out.on("error", () => {
        if (!res.headersSent) res.writeHead(502, { connection: "close" }).end();
      });
      out.end(body);
    });
  });
  server.on("connection", (socket: Socket) => socket.on("close", () => agents.get(socket)?.destroy()));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    rpcs,
    close: async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
    },
  };
}
