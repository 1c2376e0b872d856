// `cwmp2usp usp …` arguments → a typed command. Pure: a usage problem is a
// value (exit status 2), never an exception.
import { parseArgs } from "node:util";
import type { Request, SetParamSetting } from "../usp/messages.js";

export const USP_VERBS = ["get", "set", "add", "delete", "instances", "supported", "operate", "subscribe"] as const;
export type UspVerb = (typeof USP_VERBS)[number];

/** TR-181 Device.LocalAgent.Subscription.{i}.NotifType. */
export const NOTIF_TYPES = ["ValueChange", "ObjectCreation", "ObjectDeletion", "OperationComplete", "Event"] as const;

export interface UspCliOptions {
  broker: string;
  controllerId: string;
  controllerTopic: string;
  agentTopic: string;
  timeoutMs: number;
  json: boolean;
  /** 5 = MQTT 5, 4 = MQTT 3.1.1. */
  mqttVersion: 4 | 5;
}

export type UspCommand =
  | { verb: Exclude<UspVerb, "subscribe">; endpointId: string; request: Request; options: UspCliOptions }
  | { verb: "subscribe"; endpointId: string; notifType: string; referenceList: string; options: UspCliOptions };

export type ParsedUspArgs = { ok: true; command: UspCommand } | { ok: false; error: string };

export const USP_USAGE = `usage: cwmp2usp usp <command> <endpointId> … [options]
  get <eid> <path>… [--max-depth N]          USP Get
  set <eid> <objPath> Param=value…           USP Set (allow_partial false, every param required)
  add <eid> <tablePath> [Param=value…]       USP Add
  delete <eid> <path>…                       USP Delete
  instances <eid> <path>… [--first-level-only]   USP GetInstances
  supported <eid> <path>… [--first-level-only]   USP GetSupportedDM
  operate <eid> <command> [arg=value…]       USP Operate, e.g. Device.Reboot()
  subscribe <eid> <notifType> <referenceList>    adds a Device.LocalAgent.Subscription and
                                             prints notifications until Ctrl-C
options:
  --broker URL               MQTT broker (default mqtt://127.0.0.1:1883)
  --controller-id ID         this controller's endpoint id (default proto::controller-1)
  --controller-topic TOPIC   where answers arrive (default usp/v1/controller/controller-1)
  --agent-topic TEMPLATE     agent topic with {endpointId} (default usp/v1/agent/{endpointId})
  --mqtt-version 5|3.1.1     MQTT protocol version (default 5)
  --timeout SECONDS          give up waiting after this long (default 90)
  --json                     print the received USP Msg as JSON
exit status: 0 a response, 1 a USP Error, 2 usage, connection or timeout`;

const OPTIONS = {
  broker: { type: "string", default: "mqtt://127.0.0.1:1883" },
  "controller-id": { type: "string", default: "proto::controller-1" },
  "controller-topic": { type: "string", default: "usp/v1/controller/controller-1" },
  "agent-topic": { type: "string", default: "usp/v1/agent/{endpointId}" },
  // Longer than the gateway's default requestTimeoutSeconds (60), which
  // guarantees an answer (at worst a USP Error) before the CLI gives up.
  timeout: { type: "string", default: "90" },
  json: { type: "boolean", default: false },
  "mqtt-version": { type: "string", default: "5" },
  "max-depth": { type: "string", default: "0" },
  "first-level-only": { type: "boolean", default: false },
  help: { type: "boolean", short: "h", default: false },
} as const;

class UsageError extends Error {}

export function parseUspArgs(argv: string[]): ParsedUspArgs {
  try {
    return { ok: true, command: buildCommand(argv) };
  } catch (err) {
    if (err instanceof UsageError || (err as { code?: string }).code?.startsWith("ERR_PARSE_ARGS") === true) return { ok: false, error: (err as Error).message };
    throw err;
  }
}

function buildCommand(argv: string[]): UspCommand {
  const { values, positionals } = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
  if (values.help) throw new UsageError("");
  const [verbArg, endpointId, ...rest] = positionals;
  const verb = USP_VERBS.find((v) => v === verbArg);
  if (verb === undefined) throw new UsageError(verbArg === undefined ? "a command is required" : `unknown command "${verbArg}"`);
  if (endpointId === undefined || endpointId === "") throw new UsageError(`${verb}: the agent's endpoint id is required`);
  const timeoutSeconds = Number(values.timeout);
  if (!(timeoutSeconds > 0)) throw new UsageError(`--timeout must be a positive number of seconds, got "${values.timeout}"`);
  if (!values["agent-topic"].includes("{endpointId}")) throw new UsageError("--agent-topic must contain {endpointId}");
  const mqttVersion = values["mqtt-version"] === "5" ? 5 : values["mqtt-version"] === "3.1.1" ? 4 : undefined;
  if (mqttVersion === undefined) throw new UsageError(`--mqtt-version must be 5 or 3.1.1, got "${values["mqtt-version"]}"`);
  const options: UspCliOptions = {
    broker: values.broker,
    controllerId: values["controller-id"],
    controllerTopic: values["controller-topic"],
    agentTopic: values["agent-topic"],
    timeoutMs: Math.round(timeoutSeconds * 1000),
    json: values.json,
    mqttVersion,
  };
  if (verb === "subscribe") {
    const [notifType, referenceList, ...extra] = rest;
    if (notifType === undefined || referenceList === undefined || extra.length > 0) throw new UsageError("subscribe: <notifType> <referenceList> expected");
    if (!(NOTIF_TYPES as readonly string[]).includes(notifType)) throw new UsageError(`subscribe: notifType must be one of ${NOTIF_TYPES.join(", ")}`);
    return { verb, endpointId, notifType, referenceList, options };
  }
  const maxDepth = Number(values["max-depth"]);
  if (!Number.isInteger(maxDepth) || maxDepth < 0) throw new UsageError(`--max-depth must be a whole number, got "${values["max-depth"]}"`);
  return { verb, endpointId, request: buildRequest(verb, rest, { maxDepth, firstLevelOnly: values["first-level-only"] }), options };
}

function buildRequest(verb: Exclude<UspVerb, "subscribe">, args: string[], flags: { maxDepth: number; firstLevelOnly: boolean }): Request {
  switch (verb) {
    case "get":
      return { type: "get", get: { paramPaths: atLeastOne(verb, args, "<path>"), maxDepth: flags.maxDepth } };
    case "set": {
      const [objPath, ...settings] = args;
      if (objPath === undefined || settings.length === 0) throw new UsageError("set: <objPath> Param=value… expected");
      return { type: "set", set: { allowPartial: false, updateObjs: [{ objPath, paramSettings: paramSettings(verb, settings) }] } };
    }
    case "add": {
      const [objPath, ...settings] = args;
      if (objPath === undefined) throw new UsageError("add: <tablePath> [Param=value…] expected");
      return { type: "add", add: { allowPartial: false, createObjs: [{ objPath, paramSettings: paramSettings(verb, settings) }] } };
    }
    case "delete":
      return { type: "delete", delete: { allowPartial: false, objPaths: atLeastOne(verb, args, "<path>") } };
    case "instances":
      return { type: "getInstances", getInstances: { objPaths: atLeastOne(verb, args, "<path>"), firstLevelOnly: flags.firstLevelOnly } };
    case "supported":
      return {
        type: "getSupportedDm",
        getSupportedDm: { objPaths: atLeastOne(verb, args, "<path>"), firstLevelOnly: flags.firstLevelOnly, returnCommands: true, returnEvents: true, returnParams: true, returnUniqueKeySets: true },
      };
    case "operate": {
      const [command, ...inputs] = args;
      if (command === undefined) throw new UsageError("operate: <command> [arg=value…] expected, e.g. Device.Reboot()");
      const inputArgs = Object.fromEntries(inputs.map((s) => assignment(verb, s)).map(({ name, value }) => [name, value]));
      return { type: "operate", operate: { command, commandKey: "cwmp2usp-cli", sendResp: true, inputArgs } };
    }
  }
}

function paramSettings(verb: string, settings: string[]): SetParamSetting[] {
  return settings.map((text) => {
    const { name, value } = assignment(verb, text);
    return { param: name, value, required: true };
  });
}

function atLeastOne(verb: string, args: string[], what: string): string[] {
  if (args.length === 0) throw new UsageError(`${verb}: at least one ${what} expected`);
  return args;
}

/** "Name=value"; the value may itself contain "=" (split at the first). */
function assignment(verb: string, text: string): { name: string; value: string } {
  const at = text.indexOf("=");
  if (at <= 0) throw new UsageError(`${verb}: "${text}" is not Name=value`);
  return { name: text.slice(0, at), value: text.slice(at + 1) };
}
