// The baseline for the USP round trip: the smallest ACS that runs the same
// CWMP RPCs on the same simulated CPEs, without the gateway. The bench sends
// it jobs over IPC ("run these RPCs on that CPE"); it sends a Connection
// Request, answers the Inform with canned bytes, sends pre-encoded RPC
// envelopes in the session, checks each response by method name only, and
// reports every finished RPC over IPC. So the difference between the two
// round trips is the gateway's cost: USP and MQTT, queueing, translation and
// the SOAP codec, with the CPE's own time on both sides.
import http from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { fromDist } from "../lib/dist.js";
import { send, serveIpc, type JobRpcDone } from "../lib/child.js";
import type { AcsJob } from "../lib/roundtrip.js";

type CrModule = typeof import("../../src/cwmp/connection-request.js");

const INFORM_RESPONSE =
  '<soap-env:Envelope xmlns:soap-env="http://schemas.xmlsoap.org/soap/envelope/" xmlns:cwmp="urn:dslforum-org:cwmp-1-0">' +
  '<soap-env:Header><cwmp:ID soap-env:mustUnderstand="1">1</cwmp:ID></soap-env:Header>' +
  "<soap-env:Body><cwmp:InformResponse><MaxEnvelopes>1</MaxEnvelopes></cwmp:InformResponse></soap-env:Body></soap-env:Envelope>";
const SERIAL = /<SerialNumber>([^<]*)<\/SerialNumber>/;

interface Pending {
  job: AcsJob;
  next: number;
}

async function main(): Promise<void> {
  const { sendConnectionRequest } = await fromDist<CrModule>("cwmp/connection-request.js");
  // Jobs waiting for their CPE's session, by serial; one job per CPE at a
  // time (the bench never sends two), as the gateway's per-device queue.
  const waiting = new Map<string, Pending>();
  // The job a keep-alive socket's session is running (sessions by socket,
  // which every CPE supports; cookies would add nothing to measure).
  const bySocket = new WeakMap<Socket, Pending>();

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks).toString("utf8");
      const reply = (status: number, xml = ""): void => {
        res.writeHead(status, status === 204 ? {} : { "Content-Type": 'text/xml; charset="utf-8"', "Content-Length": Buffer.byteLength(xml) });
        res.end(xml);
      };
      if (body.includes("Inform>") || body.includes(":Inform ")) {
        const serial = SERIAL.exec(body)?.[1] ?? "";
        const pending = waiting.get(serial);
        waiting.delete(serial);
        if (pending !== undefined) bySocket.set(req.socket, pending);
        else bySocket.delete(req.socket);
        reply(200, INFORM_RESPONSE);
        return;
      }
      const pending = bySocket.get(req.socket);
      if (pending === undefined) return reply(204);
      if (body.length > 0) {
        const rpc = pending.job.rpcs[pending.next - 1];
        const ok = rpc !== undefined && body.includes(rpc.expect);
        send({ type: "job-rpc", id: pending.job.id, index: pending.next - 1, ok } satisfies JobRpcDone);
      }
      const rpc = pending.job.rpcs[pending.next];
      if (rpc === undefined) {
        bySocket.delete(req.socket);
        return reply(204);
      }
      pending.next += 1;
      reply(200, rpc.envelope);
    });
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;

  process.on("message", (m: { type: string; job?: unknown }) => {
    if (m.type !== "job" || m.job === undefined) return;
    const job = m.job as AcsJob;
    waiting.set(job.serial, { job, next: 0 });
    void sendConnectionRequest(job.crUrl, job.credentials, { timeoutMs: 5000 }).then((outcome) => {
      if (!outcome.ok) {
        waiting.delete(job.serial);
        send({ type: "job-rpc", id: job.id, index: -1, ok: false } satisfies JobRpcDone);
      }
    });
  });
  serveIpc(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  send({ type: "ready", acsUrl: `http://127.0.0.1:${port}/`, mqttUrl: "" });
}

main().catch((err: unknown) => {
  send({ type: "failed", error: err instanceof Error ? (err.stack ?? err.message) : String(err) });
  process.exit(1);
});
