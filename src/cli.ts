// `cwmp2usp` entry point: serve | demo | sim | usp. A thin shell: parse arguments, load
// configuration, start the part asked for, stop it cleanly on SIGTERM/SIGINT.
import { parseArgs } from "node:util";
import { pino, type Logger } from "pino";
import { ConfigError, loadConfig } from "./config.js";
import { startGateway } from "./gateway.js";

const USAGE = `usage:
  cwmp2usp serve [--config FILE]     run the gateway (defaults: CWMP on :7547, embedded MQTT broker, memory store)
  cwmp2usp demo [--count N] [--verbose]
                                     gateway + embedded broker + simulated CPEs on free ports; a Get, a Set, a Reboot
  cwmp2usp sim --acs URL [--count N] [--serial-prefix P] [--cr-username U --cr-password P]
               [--profile tr181-gateway|huawei-bm632w-tr098|FILE.json] [--renumber-on-reboot TABLE ...]
                                     run simulated CPEs (TR-181, or the TR-098 Huawei BM632w) against an ACS
  cwmp2usp usp <get|set|add|delete|instances|supported|operate|subscribe> <endpointId> … [--json]
                                     a small USP controller over MQTT (cwmp2usp usp --help)
Every configuration key can also be set by environment variable, e.g.
  CWMP2USP_MQTT__URL=mqtt://127.0.0.1:1883 CWMP2USP_CWMP__PORT=7547`;

/** Keys whose values never reach a log line. */
const REDACT = ["password", "*.password", "*.*.password", "authorization", "*.authorization", "headers.authorization", "adminToken", "*.adminToken"];

export function createLogger(level: string): Logger {
  return pino({ level, redact: { paths: REDACT, censor: "[redacted]" }, base: { service: "cwmp2usp" } });
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case "serve":
      return serve(rest);
    case "sim":
      return sim(rest);
    case "usp": {
      const { runUspCli } = await import("./cli/usp-command.js");
      return runUspCli(rest, { stdout: process.stdout, stderr: process.stderr });
    }
    case "demo": {
      const { runDemo } = await import("./cli/demo.js");
      return runDemo(rest, { stdout: process.stdout, stderr: process.stderr });
    }
    case undefined:
    case "help":
    case "--help":
    case "-h":
      process.stdout.write(`${USAGE}\n`);
      return command === undefined ? 1 : 0;
    default:
      process.stderr.write(`unknown command "${command}"\n${USAGE}\n`);
      return 1;
  }
}

async function serve(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { config: { type: "string", short: "c" } }, strict: true });
  let config;
  try {
    config = loadConfig({ ...(values.config !== undefined ? { file: values.config } : {}), env: process.env });
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`cwmp2usp: ${err.message}\n`);
      return 2;
    }
    throw err;
  }
  const logger = createLogger(config.log.level);
  let gateway;
  try {
    gateway = await startGateway(config, logger);
  } catch (err) {
    // Files the configuration points at (vendor overlays) are checked first
    // thing at start and reported like the configuration itself.
    if (err instanceof ConfigError) {
      process.stderr.write(`cwmp2usp: ${err.message}\n`);
      return 2;
    }
    throw err;
  }
  await waitForSignal(logger);
  await gateway.stop();
  return 0;
}

async function sim(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      acs: { type: "string", default: "http://127.0.0.1:7547/" },
      count: { type: "string", default: "1" },
      "serial-prefix": { type: "string", default: "SIM" },
      "cr-username": { type: "string", default: "" },
      "cr-password": { type: "string", default: "" },
      "acs-username": { type: "string", default: "" },
      "acs-password": { type: "string", default: "" },
      profile: { type: "string", default: "" },
      "renumber-on-reboot": { type: "string", multiple: true, default: [] },
    },
    strict: true,
  });
  const logger = createLogger(process.env.CWMP2USP_LOG__LEVEL ?? "info");
  const { startSimulatorFleet } = await import("./sim/cli-fleet.js");
  const fleet = await startSimulatorFleet({
    acsUrl: values.acs,
    count: Number.parseInt(values.count, 10),
    serialPrefix: values["serial-prefix"],
    crUsername: values["cr-username"],
    crPassword: values["cr-password"],
    acsUsername: values["acs-username"],
    acsPassword: values["acs-password"],
    profile: values.profile,
    renumberOnReboot: values["renumber-on-reboot"],
    logger,
  });
  await waitForSignal(logger);
  await fleet.stop();
  return 0;
}

function waitForSignal(logger: Logger): Promise<void> {
  return new Promise((resolve) => {
    const onSignal = (signal: NodeJS.Signals): void => {
      logger.info({ signal }, "shutting down");
      process.off("SIGTERM", onSignal);
      process.off("SIGINT", onSignal);
      resolve();
    };
    process.on("SIGTERM", onSignal);
    process.on("SIGINT", onSignal);
  });
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`cwmp2usp: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exitCode = 1;
  },
);
