// `cwmp2usp usp <command> <endpointId> …`: a small USP controller for labs.
// Sends one request, shows progress on stderr while the gateway wakes the
// CPE, prints the answer (readable, or the Msg as JSON with --json).
// Exit status: 0 a response, 1 a USP Error, 2 usage, connection or timeout.
import { randomBytes } from "node:crypto";
import { ControllerMqtt } from "../usp/mtp/controller-mqtt.js";
import type { Msg } from "../usp/messages.js";
import { Progress, type TextSink } from "./progress.js";
import { USP_USAGE, parseUspArgs, type UspCliOptions, type UspCommand } from "./usp-args.js";
import { UspClient, type ControllerChannel } from "./usp-client.js";
import { formatMsg, formatNotify } from "./usp-format.js";

export interface CliIo {
  stdout: TextSink;
  stderr: TextSink;
  /** Resolves when the user wants to stop (Ctrl-C); only `subscribe` waits for it. */
  interrupted?: () => Promise<void>;
}

export const EXIT = { RESPONSE: 0, USP_ERROR: 1, USAGE_OR_TIMEOUT: 2 } as const;

const CONNECT_TIMEOUT_MS = 5000;
export const WAITING_LABEL = "waiting for the CPE (Connection Request)";
const SUBSCRIPTION_TABLE = "Device.LocalAgent.Subscription.";

export async function runUspCli(argv: string[], io: CliIo): Promise<number> {
  const parsed = parseUspArgs(argv);
  if (!parsed.ok) {
    // --help gives an empty error: usage on stdout and success.
    if (parsed.error === "") io.stdout.write(`${USP_USAGE}\n`);
    else io.stderr.write(`cwmp2usp usp: ${parsed.error}\n${USP_USAGE}\n`);
    return parsed.error === "" ? EXIT.RESPONSE : EXIT.USAGE_OR_TIMEOUT;
  }
  const { command } = parsed;
  let client: UspClient;
  try {
    client = new UspClient(await openChannel(command.options), command.options.controllerId);
  } catch (err) {
    io.stderr.write(`cwmp2usp usp: cannot connect to ${command.options.broker}: ${(err as Error).message}\n`);
    return EXIT.USAGE_OR_TIMEOUT;
  }
  try {
    return command.verb === "subscribe" ? await runSubscribe(client, command, io) : await runRequest(client, command, io);
  } finally {
    await client.close();
  }
}

/** The transport, chosen by the URL's scheme; a WebSocket MTP (ws://, wss://
 * to a USP endpoint) would be one more case here. */
export async function openChannel(options: Pick<UspCliOptions, "broker" | "controllerId" | "controllerTopic" | "agentTopic" | "mqttVersion">): Promise<ControllerChannel> {
  const scheme = new URL(options.broker).protocol;
  switch (scheme) {
    case "mqtt:":
    case "mqtts:":
      return ControllerMqtt.connect({
        url: options.broker,
        controllerTopic: options.controllerTopic,
        agentTopic: options.agentTopic,
        // Unique per run: two CLIs with the same controller id must not kick each other off the broker.
        clientId: `${options.controllerId.replace(/[^A-Za-z0-9_-]/g, "_")}-cli-${randomBytes(4).toString("hex")}`,
        connectTimeoutMs: CONNECT_TIMEOUT_MS,
        version: options.mqttVersion,
      });
    default:
      throw new Error(`unsupported transport ${scheme} (mqtt:// or mqtts://)`);
  }
}

function printMsg(msg: Msg, options: UspCliOptions, io: CliIo): void {
  io.stdout.write(options.json ? `${JSON.stringify(msg, null, 2)}\n` : `${formatMsg(msg).join("\n")}\n`);
}

function timeoutMessage(endpointId: string, options: UspCliOptions): string {
  return (
    `cwmp2usp usp: no answer from ${endpointId} within ${options.timeoutMs / 1000} s ` +
    `(is the gateway running on this broker, and configured with controller ${options.controllerId} on topic ${options.controllerTopic}?)\n`
  );
}

async function runRequest(client: UspClient, command: Extract<UspCommand, { verb: Exclude<UspCommand["verb"], "subscribe"> }>, io: CliIo): Promise<number> {
  const progress = new Progress(io.stderr, WAITING_LABEL);
  const outcome = await client.request(command.endpointId, command.request, { timeoutMs: command.options.timeoutMs, onTick: (ms) => progress.tick(ms) });
  progress.done();
  if (outcome.kind === "timeout") {
    io.stderr.write(timeoutMessage(command.endpointId, command.options));
    return EXIT.USAGE_OR_TIMEOUT;
  }
  printMsg(outcome.msg, command.options, io);
  return outcome.kind === "error" ? EXIT.USP_ERROR : EXIT.RESPONSE;
}

/** Adds a Subscription row for this controller, prints its notifications
 * until interrupted, then deletes the row again. */
async function runSubscribe(client: UspClient, command: Extract<UspCommand, { verb: "subscribe" }>, io: CliIo): Promise<number> {
  const { endpointId, options } = command;
  const id = `cli-${randomBytes(4).toString("hex")}`;
  const params = { Enable: "true", ID: id, NotifType: command.notifType, ReferenceList: command.referenceList };
  const progress = new Progress(io.stderr, WAITING_LABEL);
  const added = await client.request(
    endpointId,
    { type: "add", add: { allowPartial: false, createObjs: [{ objPath: SUBSCRIPTION_TABLE, paramSettings: Object.entries(params).map(([param, value]) => ({ param, value, required: true })) }] } },
    { timeoutMs: options.timeoutMs, onTick: (ms) => progress.tick(ms) },
  );
  progress.done();
  if (added.kind === "timeout") {
    io.stderr.write(timeoutMessage(endpointId, options));
    return EXIT.USAGE_OR_TIMEOUT;
  }
  const created = instantiatedPath(added.msg);
  if (added.kind === "error" || created === undefined) {
    printMsg(added.msg, options, io);
    return EXIT.USP_ERROR;
  }
  io.stderr.write(`subscribed: ${created} (ID ${id}, ${command.notifType} ${command.referenceList}); notifications follow, Ctrl-C to stop\n`);
  const stop = client.onNotify(endpointId, (notify, msg) => {
    if (notify.subscriptionId !== id) return;
    io.stdout.write(options.json ? `${JSON.stringify(msg)}\n` : `${new Date().toISOString()}  ${formatNotify(notify)}\n`);
    if (notify.sendResp) void client.acknowledge(endpointId, msg, notify.subscriptionId).catch(() => undefined);
  });
  await (io.interrupted ?? untilSignal)();
  stop();
  // A lab subscription should not outlive the session that made it.
  const removed = await client.request(endpointId, { type: "delete", delete: { allowPartial: false, objPaths: [created] } }, { timeoutMs: Math.min(options.timeoutMs, 15_000) });
  io.stderr.write(removed.kind === "response" ? `unsubscribed: ${created} deleted\n` : `could not delete ${created} (${removed.kind}); delete it with: cwmp2usp usp delete ${endpointId} ${created}\n`);
  return EXIT.RESPONSE;
}

function instantiatedPath(msg: Msg): string | undefined {
  if (msg.body.kind !== "response" || msg.body.response.type !== "addResp") return undefined;
  const status = msg.body.response.addResp.createdObjResults[0]?.operStatus;
  return status?.type === "operSuccess" ? status.instantiatedPath : undefined;
}

function untilSignal(): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      process.off("SIGINT", done);
      process.off("SIGTERM", done);
      resolve();
    };
    process.on("SIGINT", done);
    process.on("SIGTERM", done);
  });
}
