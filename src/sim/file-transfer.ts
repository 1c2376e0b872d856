// The network side of the simulator's file transfers (TR-069 A.3.2.8 Download,
// A.4.1.5 Upload) and transfer diagnostics. The simulator never reaches
// beyond the machine: http(s) URLs on loopback are really fetched or
// uploaded to, `sim://` URLs choose the outcome, and any other http(s) host
// is a simulated success.
//
//   sim://ok/<file>[?delayMs=N][&bytes=N]   succeeds (after N ms)
//   sim://fault/<code>/<file>[?delayMs=N]   fails with that CWMP fault code
import http from "node:http";
import https from "node:https";

export type TransferOutcome =
  | { ok: true; bytes: number; elapsedMs: number }
  | { ok: false; faultCode: number; faultString: string };

/** TR-069 Table A.5 strings for the transfer faults. */
export const TRANSFER_FAULTS: Readonly<Record<number, string>> = {
  9010: "File transfer failure",
  9011: "Upload failure",
  9012: "File transfer server authentication failure",
  9013: "Unsupported protocol for file transfer",
  9015: "File transfer failure: unable to contact file server",
  9016: "File transfer failure: unable to access file",
  9017: "File transfer failure: unable to complete download",
  9018: "File transfer failure: file corrupted",
  9019: "File transfer failure: file authentication failure",
  9020: "File transfer failure: unable to complete download within specified time windows",
};

const TIMEOUT_MS = 30_000;
const SIMULATED_BYTES = 1_048_576;

export function transferFault(faultCode: number, detail?: string): TransferOutcome {
  const base = TRANSFER_FAULTS[faultCode] ?? "File transfer failure";
  return { ok: false, faultCode, faultString: detail === undefined ? base : `${base}: ${detail}` };
}

export function isLoopback(hostname: string): boolean {
  const h = hostname.replace(/^\[|\]$/g, "");
  return h === "localhost" || h === "::1" || /^127\.\d+\.\d+\.\d+$/.test(h);
}

/** Schemes the simulated CPE transfers with; anything else is 9013. */
export function supportedScheme(url: URL): boolean {
  return url.protocol === "http:" || url.protocol === "https:" || url.protocol === "sim:";
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms).unref());

async function simulated(url: URL, uploading: boolean, sizeHint: number): Promise<TransferOutcome> {
  const started = Date.now();
  const delay = Number(url.searchParams.get("delayMs") ?? "0");
  if (delay > 0) await sleep(delay);
  const bytes = Number(url.searchParams.get("bytes") ?? 0) || sizeHint || SIMULATED_BYTES;
  if (url.protocol === "sim:" && url.hostname === "fault") {
    const code = Number(url.pathname.split("/")[1]);
    return transferFault(Number.isInteger(code) && code >= 9000 ? code : uploading ? 9011 : 9010);
  }
  return { ok: true, bytes, elapsedMs: Date.now() - started };
}

function authHeader(username: string, password: string): http.OutgoingHttpHeaders {
  return username === "" ? {} : { Authorization: `Basic ${Buffer.from(`${username}:${password}`).toString("base64")}` };
}

/** HTTP status → TR-069 fault: 401/407 auth (9012), 403/404 access (9016),
 * anything else not 2xx a generic failure. */
function statusFault(status: number, uploading: boolean): TransferOutcome {
  if (status === 401 || status === 407) return transferFault(9012, `HTTP ${status}`);
  if (!uploading && (status === 403 || status === 404)) return transferFault(9016, `HTTP ${status}`);
  return transferFault(uploading ? 9011 : 9010, `HTTP ${status}`);
}

function request(url: URL, options: http.RequestOptions, body: Buffer | undefined, uploading: boolean): Promise<TransferOutcome> {
  const transport = url.protocol === "https:" ? https : http;
  const started = Date.now();
  return new Promise((resolve) => {
    const req = transport.request(url, { ...options, agent: false, timeout: TIMEOUT_MS }, (res) => {
      let bytes = 0;
      res.on("data", (chunk: Buffer) => (bytes += chunk.length));
      res.on("error", () => resolve(transferFault(uploading ? 9011 : 9017)));
      res.on("end", () => {
        const status = res.statusCode ?? 0;
        if (status < 200 || status > 299) resolve(statusFault(status, uploading));
        else resolve({ ok: true, bytes: uploading ? (body?.length ?? 0) : bytes, elapsedMs: Date.now() - started });
      });
    });
    req.on("timeout", () => req.destroy(new Error("timeout")));
    req.on("error", (err: NodeJS.ErrnoException) => {
      const unreachable = err.code === "ECONNREFUSED" || err.code === "ENOTFOUND" || err.code === "EHOSTUNREACH";
      resolve(transferFault(unreachable ? 9015 : uploading ? 9011 : 9017, err.message));
    });
    req.end(body);
  });
}

/** Downloads `url` (the bytes are counted, not kept). */
export function downloadFile(url: URL, username: string, password: string, sizeHint = 0): Promise<TransferOutcome> {
  if (url.protocol === "sim:" || !isLoopback(url.hostname)) return simulated(url, false, sizeHint);
  return request(url, { method: "GET", headers: authHeader(username, password) }, undefined, false);
}

/** Uploads `body` with HTTP PUT (TR-069 A.4.1.5 names PUT for HTTP). */
export function uploadFile(url: URL, username: string, password: string, body: Buffer): Promise<TransferOutcome> {
  if (url.protocol === "sim:" || !isLoopback(url.hostname)) return simulated(url, true, body.length);
  const headers = { ...authHeader(username, password), "Content-Type": "application/octet-stream", "Content-Length": body.length };
  return request(url, { method: "PUT", headers }, body, true);
}
