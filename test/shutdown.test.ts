// Graceful shutdown (issue 5): `cwmp2usp serve` as a child process gets
// SIGTERM while a CPE is in a CWMP session. New Informs get 503 with
// Retry-After, the running session finishes (its USP request is answered),
// and the process exits 0 within shutdownGraceSeconds.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import t from "tap";
import type { CwmpEnvelope } from "../src/cwmp/rpc.js";
import { decodeEnvelope } from "../src/cwmp/soap-decode.js";
import { encodeEnvelope } from "../src/cwmp/soap-encode.js";
import { testBroker, uniquePrefix } from "./helpers/broker.js";
import { TestController } from "./helpers/usp-controller.js";

const ROOT = new URL("..", import.meta.url).pathname;
const NS = "urn:dslforum-org:cwmp-1-2";

interface ChildGateway {
  child: ChildProcess;
  acsUrl: string;
  logs: string[];
  exited: Promise<{ code: number | null; at: number }>;
}

const broker = await testBroker();
const prefix = uniquePrefix();
const controllerId = `proto::sd-${prefix}`;
const controllerTopic = `${prefix}/controller`;
const agentTopic = `${prefix}/agent/{endpointId}`;
const controller = await TestController.connect(broker.url, controllerId, controllerTopic);
const dir = await mkdtemp(join(tmpdir(), "cwmp2usp-shutdown-"));
t.teardown(async () => {
  await controller.close();
  await broker.close();
  await rm(dir, { recursive: true, force: true });
});

/** Starts `cwmp2usp serve` from the sources (tap's TypeScript loader) and
 * waits for its "gateway started" log line. */
async function startChild(name: string, graceSeconds: number): Promise<ChildGateway> {
  const file = join(dir, `${name}.json`);
  await writeFile(
    file,
    JSON.stringify({
      cwmp: { host: "127.0.0.1", port: 0 },
      mqtt: { url: broker.url, version: 5, agentTopic },
      controllers: [{ endpointId: controllerId, mqttTopic: controllerTopic }],
      ops: { enabled: false },
      shutdownGraceSeconds: graceSeconds,
      log: { level: "info" },
    }),
  );
  const loader = process.execArgv.filter((a) => a.includes("@tapjs/typescript"));
  const child = spawn(process.execPath, [...loader, join(ROOT, "src/cli.ts"), "serve", "--config", file], { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
  const logs: string[] = [];
  child.stderr?.setEncoding("utf8").on("data", (chunk: string) => logs.push(chunk));
  const exited = new Promise<{ code: number | null; at: number }>((resolve) => child.once("exit", (code) => resolve({ code, at: Date.now() })));
  const acsUrl = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`gateway did not start:\n${logs.join("\n")}`)), 60_000);
    createInterface({ input: child.stdout as NodeJS.ReadableStream }).on("line", (line) => {
      logs.push(line);
      const entry = JSON.parse(line) as { msg?: string; acsUrl?: string };
      if (entry.msg === "cwmp2usp gateway started" && entry.acsUrl !== undefined) {
        clearTimeout(timer);
        resolve(entry.acsUrl);
      }
    });
    void exited.then(() => reject(new Error(`gateway exited early:\n${logs.join("\n")}`)));
  });
  t.teardown(() => {
    if (child.exitCode === null) child.kill("SIGKILL");
  });
  return { child, acsUrl, logs, exited };
}

/** One CPE's side of a CWMP session, spoken by hand over fetch. */
class RawCpe {
  private cookie = "";
  constructor(
    private readonly acsUrl: string,
    readonly serial: string,
  ) {}

  get endpointId(): string {
    return `os::00256D-${this.serial}`;
  }

  async post(envelope: CwmpEnvelope | undefined): Promise<{ status: number; headers: Headers; envelope?: CwmpEnvelope }> {
    const res = await fetch(this.acsUrl, {
      method: "POST",
      headers: { "content-type": 'text/xml; charset="utf-8"', ...(this.cookie !== "" ? { cookie: this.cookie } : {}) },
      body: envelope === undefined ? "" : encodeEnvelope(envelope),
    });
    const setCookie = res.headers.get("set-cookie");
    if (setCookie !== null) this.cookie = setCookie.split(";")[0] ?? "";
    const text = await res.text();
    const decoded = text.trim() === "" ? undefined : decodeEnvelope(text);
    return { status: res.status, headers: res.headers, ...(decoded?.ok === true ? { envelope: decoded.envelope } : {}) };
  }

  inform(): Promise<{ status: number; headers: Headers; envelope?: CwmpEnvelope }> {
    return this.post({
      cwmpNamespace: NS,
      header: { id: `inform-${this.serial}` },
      body: {
        method: "Inform",
        deviceId: { manufacturer: "Acme", oui: "00256D", productClass: "GW", serialNumber: this.serial },
        event: [{ eventCode: "2 PERIODIC", commandKey: "" }],
        maxEnvelopes: 1,
        currentTime: "2026-11-24T00:00:00Z",
        retryCount: 0,
        parameterList: [
          { name: "Device.DeviceInfo.SoftwareVersion", value: "9.9.9-shutdown", type: "xsd:string" },
          { name: "Device.ManagementServer.ConnectionRequestURL", value: "http://127.0.0.1:9/cr", type: "xsd:string" },
        ],
      },
    });
  }

  /** Hands the turn to the ACS and answers its RPCs until it ends the session
   * (204); returns the methods it was asked to run. */
  async finish(): Promise<string[]> {
    const methods: string[] = [];
    let reply = await this.post(undefined);
    while (reply.status === 200 && reply.envelope !== undefined && methods.length < 20) {
      const request = reply.envelope;
      methods.push(request.body.method);
      reply = await this.post(answer(request));
    }
    if (reply.status !== 204) throw new Error(`session ended with HTTP ${reply.status}`);
    return methods;
  }
}

function answer(request: CwmpEnvelope): CwmpEnvelope {
  const header = { id: request.header.id ?? "" };
  if (request.body.method === "GetParameterValues") {
    const parameterList = request.body.parameterNames.map((name) => ({ name, value: "9.9.9-shutdown", type: "xsd:string" }));
    return { cwmpNamespace: NS, header, body: { method: "GetParameterValuesResponse", parameterList } };
  }
  // Nothing else is expected in this test; a fault keeps the session going.
  return {
    cwmpNamespace: NS,
    header,
    body: { method: "Fault", faultcode: "Client", faultstring: "CWMP fault", fault: { faultCode: 9000, faultString: "Method not supported", setParameterValuesFaults: [] } },
  };
}

t.test("SIGTERM mid-session: new Informs get 503 + Retry-After, the running session finishes and its request is answered, exit 0", async (t) => {
  const gw = await startChild("finish", 10);
  const cpe = new RawCpe(gw.acsUrl, `SD${process.pid}-A`);
  const opened = await cpe.inform();
  t.equal(opened.status, 200, "session open");
  t.equal(opened.envelope?.body.method, "InformResponse");

  // A USP request for the agent joins the open session at its next ACS turn.
  const msgId = await controller.send(cpe.endpointId, agentTopic.replace("{endpointId}", cpe.endpointId), {
    type: "get",
    get: { paramPaths: ["Device.DeviceInfo.SoftwareVersion"], maxDepth: 0 },
  });
  await new Promise((r) => setTimeout(r, 500));

  const signalledAt = Date.now();
  gw.child.kill("SIGTERM");
  await new Promise((r) => setTimeout(r, 300));

  const late = await new RawCpe(gw.acsUrl, `SD${process.pid}-B`).inform();
  t.equal(late.status, 503, "a new session is refused while shutting down");
  t.ok(Number(late.headers.get("retry-after")) > 0, "with Retry-After");

  const methods = await cpe.finish();
  t.ok(methods.includes("GetParameterValues"), `the session ran its work (${methods.join(", ")})`);
  const reply = await controller.waitFor((r) => r.msg?.header.msgId === msgId);
  t.equal(reply.msg?.header.msgType, "GET_RESP", "the request was answered before the MTP closed");

  const { code, at } = await gw.exited;
  t.equal(code, 0, "exit status 0");
  t.ok(at - signalledAt < 10_000, `exited within the grace period (${at - signalledAt} ms)`);
});

t.test("SIGTERM with a session that never finishes: the gateway still exits 0 once shutdownGraceSeconds have passed", async (t) => {
  const gw = await startChild("bound", 1);
  const cpe = new RawCpe(gw.acsUrl, `SD${process.pid}-C`);
  t.equal((await cpe.inform()).status, 200, "session open, then the CPE goes quiet");
  const signalledAt = Date.now();
  gw.child.kill("SIGTERM");
  const { code, at } = await gw.exited;
  t.equal(code, 0);
  t.ok(at - signalledAt >= 1000, `waited for the session (${at - signalledAt} ms)`);
  t.ok(at - signalledAt < 6000, "but no longer than the bound and the MTP shutdown");
  t.ok(gw.logs.some((l) => l.includes("shutdown grace period over")), "the cut is logged");
});
