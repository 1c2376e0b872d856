// `cwmp2usp demo`: the whole chain in one process, on free loopback ports so
// it runs next to a local Mosquitto on 1883 or a gateway on 7547: a gateway
// with its embedded MQTT broker, a few simulated TR-181 CPEs, and a USP
// controller walking through a Get, a Set and a Reboot. Exits 0 when the Get
// and the Set worked, and leaves nothing running.
import { randomBytes } from "node:crypto";
import { parseArgs } from "node:util";
import { destination, pino, type Logger } from "pino";
import { loadConfig, type Config } from "../config.js";
import { startGateway, type Gateway } from "../gateway.js";
import { startFleet, type Fleet } from "../sim/fleet.js";
import type { TextSink } from "./progress.js";
import { openChannel } from "./usp-command.js";
import { UspClient } from "./usp-client.js";
import { stepGet, stepReboot, stepSet, type DemoContext } from "./demo-steps.js";

export interface DemoIo {
  stdout: TextSink;
  stderr: TextSink;
}

const CONTROLLER_ID = "proto::demo-controller";
const CONTROLLER_TOPIC = "usp/v1/controller/demo-controller";
const SERIAL_PREFIX = "DEMO";
/** Per request; the gateway answers every request well within it. */
const REQUEST_TIMEOUT_MS = 30_000;

const USAGE = `usage: cwmp2usp demo [--count N] [--verbose]
  Starts a gateway with its embedded MQTT broker and N (default 3) simulated
  TR-181 CPEs on free local ports, then shows a Get, a Set and a Reboot as a
  USP controller sees them. --verbose adds the gateway's JSON logs on stderr.`;

export async function runDemo(argv: string[], io: DemoIo): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({ args: argv, options: { count: { type: "string", default: "3" }, verbose: { type: "boolean", default: false }, help: { type: "boolean", short: "h" } }, strict: true }));
  } catch (err) {
    io.stderr.write(`cwmp2usp demo: ${(err as Error).message}\n${USAGE}\n`);
    return 2;
  }
  const count = Number(values.count);
  if (values.help === true || !Number.isInteger(count) || count < 1 || count > 100) {
    (values.help === true ? io.stdout : io.stderr).write(`${USAGE}\n`);
    return values.help === true ? 0 : 2;
  }
  const logger = pino({ level: values.verbose ? "info" : "silent" }, destination({ fd: 2, sync: true }));
  return runWalkthrough(count, logger, io);
}

function demoConfig(crPassword: string): Config {
  // No environment: a CWMP2USP_* variable meant for a real gateway must not
  // move the demo onto real ports or a real broker.
  return loadConfig({
    fileText: JSON.stringify({
      cwmp: { host: "127.0.0.1", port: 0, connectionRequest: { username: "demo-cr", password: crPassword, timeoutSeconds: 5 } },
      // No mqtt.url: the embedded broker, here on a free port. aedes speaks
      // MQTT 3.1.1 only, so both ends use the "/reply-to=" topic suffix.
      mqtt: { version: "3.1.1", embedded: { host: "127.0.0.1", port: 0 } },
      controllers: [{ endpointId: CONTROLLER_ID, mqttTopic: CONTROLLER_TOPIC }],
      requestTimeoutSeconds: 20,
      ops: { enabled: false },
    }),
  });
}

async function runWalkthrough(count: number, logger: Logger, io: DemoIo): Promise<number> {
  const crPassword = randomBytes(12).toString("hex");
  const config = demoConfig(crPassword);
  let gateway: Gateway | undefined;
  let fleet: Fleet | undefined;
  let client: UspClient | undefined;
  try {
    gateway = await startGateway(config, logger);
    const gw = gateway;
    client = new UspClient(await openChannel({ broker: gw.mqttUrl, controllerId: CONTROLLER_ID, controllerTopic: CONTROLLER_TOPIC, agentTopic: config.mqtt.agentTopic, mqttVersion: 4 }), CONTROLLER_ID);
    fleet = await startFleet({ acsUrl: gw.acsUrl, count, serialPrefix: SERIAL_PREFIX, crUsername: "demo-cr", crPassword });
    const booted = await fleet.bootAll();
    const agents = (await gw.store.listDevices()).map((d) => d.endpointId).sort();
    printSetup(io.stdout, gw, agents, booted.filter((r) => r.ok).length, count);
    const agentId = agents[0];
    const cpe = fleet.cpes[0];
    if (agentId === undefined || cpe === undefined) {
      io.stderr.write("cwmp2usp demo: no simulated CPE reached the gateway\n");
      return 1;
    }
    const ctx: DemoContext = { client, agentId, cpe, out: io.stdout, timeoutMs: REQUEST_TIMEOUT_MS };
    const ok = (await stepGet(ctx)) && (await stepSet(ctx));
    if (ok) await stepReboot(ctx);
    io.stdout.write(ok ? "Done. Next: run your own gateway and CPEs (README, Quick start) and talk to them with `npx cwmp2usp usp`.\n" : "The demo did not complete: see the answers above.\n");
    return ok ? 0 : 1;
  } finally {
    await client?.close().catch(() => undefined);
    await fleet?.stop().catch(() => undefined);
    await gateway?.stop().catch(() => undefined);
  }
}

function printSetup(out: TextSink, gateway: Gateway, agents: string[], booted: number, count: number): void {
  const lines = [
    `cwmp2usp demo: a gateway, its embedded MQTT broker and ${count} simulated TR-181 CPEs, on free local ports`,
    "",
    `  CWMP ACS      ${gateway.acsUrl}  (${booted} of ${count} CPEs informed: 0 BOOTSTRAP, 1 BOOT)`,
    `  MQTT broker   ${gateway.mqttUrl}  (embedded)`,
    `  controller    ${CONTROLLER_ID}, answers on ${CONTROLLER_TOPIC}`,
    `  USP agents    ${agents.join(", ")}`,
    "",
    `The controller talks to ${agents[0] ?? "(none)"}:`,
    "",
  ];
  out.write(`${lines.join("\n")}\n`);
}
