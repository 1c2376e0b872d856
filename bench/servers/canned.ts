// The platform ceiling for a CWMP session: node:http answering any non-empty
// POST with a fixed InformResponse and the empty POST with 204, reading the
// body but never parsing it. Same keep-alive settings as the gateway.
// With --remember it also keeps each device's last Inform bytes, found by a
// regex: the memory reference for a registry that stores nothing smarter.
import http from "node:http";
import type { AddressInfo } from "node:net";
import { send, serveIpc } from "../lib/child.js";

const INFORM_RESPONSE = Buffer.from(
  '<?xml version="1.0" encoding="UTF-8"?>\n' +
    '<soap-env:Envelope xmlns:soap-env="http://schemas.xmlsoap.org/soap/envelope/" xmlns:cwmp="urn:dslforum-org:cwmp-1-0">' +
    '<soap-env:Header><cwmp:ID soap-env:mustUnderstand="1">1</cwmp:ID></soap-env:Header>' +
    "<soap-env:Body><cwmp:InformResponse><MaxEnvelopes>1</MaxEnvelopes></cwmp:InformResponse></soap-env:Body></soap-env:Envelope>",
);

const remember = process.argv.includes("--remember");
const informs = new Map<string, string>();
const SERIAL = /<SerialNumber>([^<]*)<\/SerialNumber>/;

const server = http.createServer((req, res) => {
  let length = 0;
  const chunks: Buffer[] = [];
  req.on("data", (chunk: Buffer) => {
    length += chunk.length;
    if (remember) chunks.push(chunk);
  });
  req.on("end", () => {
    if (remember && length > 0) {
      const body = Buffer.concat(chunks).toString("utf8");
      informs.set(SERIAL.exec(body)?.[1] ?? "", body);
    }
    if (length === 0) {
      res.writeHead(204).end();
      return;
    }
    res.writeHead(200, { "Content-Type": 'text/xml; charset="utf-8"', "Content-Length": INFORM_RESPONSE.length });
    res.end(INFORM_RESPONSE);
  });
});
server.keepAliveTimeout = 30_000;
server.listen(0, "127.0.0.1", () => {
  const { port } = server.address() as AddressInfo;
  send({ type: "ready", acsUrl: `http://127.0.0.1:${port}/`, mqttUrl: "" });
});
serveIpc(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});
