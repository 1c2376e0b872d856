// Async commands between the OperateResp and the OperationComplete
// (agent/commands/): the Request row lifecycle (R-OPR.0), matching the CPE's
// TransferComplete / DUStateChangeComplete / Informs by CommandKey, CWMP
// faults mapped into cmd_failure, diagnostics results read by a gateway task,
// Cancel() (7023), timeouts, and the Boot! details of Reboot()/FactoryReset().
import t from "tap";
import { pino } from "pino";
import { AgentCommands } from "../src/agent/commands/agent-commands.js";
import type { GatewayTask } from "../src/agent/gateway-tasks.js";
import { REQUEST_TABLE } from "../src/agent/local-agent/local-agent-model.js";
import { LocalAgents } from "../src/agent/local-agent/local-agents.js";
import type { Inform, ParameterValue, RpcOutcome } from "../src/cwmp/rpc.js";
import { MemoryStore } from "../src/store/memory.js";
import type { PendingRequest } from "../src/store/store.js";
import { noEffects, type OperateEffects, type StartedCommand } from "../src/translate/commands.js";
import type { Notification, OperationComplete } from "../src/usp/messages.js";

const AGENT = "os::00256D-SN1";
const CONTROLLER = "proto::c1";
const PING = "Device.IP.Diagnostics.IPPing.";

function setup(timeoutsMs = {}, shared?: { store: MemoryStore; clock: { now: number } }) {
  const clock = shared?.clock ?? { now: Date.parse("2026-11-24T10:00:00Z") };
  const store = shared?.store ?? new MemoryStore(() => clock.now);
  const notified: { endpointId: string; path: string; notification: Notification }[] = [];
  const tasks: GatewayTask[] = [];
  const woken: string[] = [];
  let commands: AgentCommands | undefined;
  const localAgents = new LocalAgents({
    store,
    maxCached: 10,
    contextFor: (endpointId) => ({ endpointId, softwareVersion: "0.1.0", startedAt: clock.now, now: () => clock.now, mtps: [], controllers: [{ endpointId: CONTROLLER, protocol: "MQTT", topic: "c1" }] }),
    onSubscriptionsChanged: () => undefined,
    onTreeBuilt: (endpointId, tree) => commands?.restoreRows(endpointId, tree),
  });
  commands = new AgentCommands({
    store,
    localAgents,
    logger: pino({ level: "silent" }),
    now: () => clock.now,
    notify: async (endpointId, path, notification) => void notified.push({ endpointId, path, notification }),
    enqueueTask: (_endpointId, task) => void tasks.push(task),
    wake: (endpointId) => void woken.push(endpointId),
    timeoutsMs,
  });
  const pending = (command = "Device.IP.Diagnostics.IPPing()", commandKey = "ctl-key"): PendingRequest => ({
    requestId: "r1",
    endpointId: AGENT,
    controllerId: CONTROLLER,
    msgId: "m1",
    request: { type: "operate", operate: { command, commandKey, sendResp: true, inputArgs: {} } },
    replyTo: { mtp: "mqtt", topic: "c1" },
    recordVersion: "1.4",
    receivedAt: clock.now,
    deadline: clock.now + 60_000,
  });
  const rowValue = async (instance: number, rel: string): Promise<string | undefined> => (await localAgents.tree(AGENT)).value(`${REQUEST_TABLE}${instance}.${rel}`);
  return { clock, store, commands, localAgents, notified, tasks, woken, pending, rowValue };
}

type Setup = ReturnType<typeof setup>;

async function start(s: Setup, started: Omit<StartedCommand, "requestInstance" | "finishedNow"> & { finishedNow?: boolean }, extra: Partial<OperateEffects> = {}): Promise<number> {
  const env = await s.commands.envFor(AGENT);
  const effects: OperateEffects = { ...noEffects(), ...extra, started: [{ finishedNow: false, ...started, requestInstance: env.nextRequestInstance }] };
  const pending = s.pending(started.command);
  await s.commands.apply(pending, effects);
  await s.commands.afterReply(pending, effects);
  return env.nextRequestInstance;
}

function inform(codes: [string, string?][]): Inform {
  return {
    method: "Inform",
    deviceId: { manufacturer: "ACME", oui: "00256D", productClass: "GW", serialNumber: "SN1" },
    event: codes.map(([eventCode, commandKey = ""]) => ({ eventCode, commandKey })),
    maxEnvelopes: 1,
    currentTime: "2026-11-24T10:00:00Z",
    retryCount: 0,
    parameterList: [],
  };
}

function gpv(values: Record<string, string>): RpcOutcome {
  const parameterList: ParameterValue[] = Object.entries(values).map(([name, value]) => ({ name, value, type: "xsd:string" }));
  return { ok: true, response: { method: "GetParameterValuesResponse", parameterList } };
}

function opComplete(n: Notification | undefined): OperationComplete {
  if (n?.type !== "operComplete") throw new Error(`not an OperationComplete: ${JSON.stringify(n)}`);
  return n.operComplete;
}

const DOWNLOAD = { command: "Device.DeviceInfo.FirmwareImage.2.Download()", kind: "firmwareDownload" as const, cwmpCommandKey: "c2u-a-0" };

t.test("R-OPR.0 a started command gets its Request row (Originator, Command, CommandKey, Status Active); the next one another number", async (t) => {
  const s = setup();
  const n = await start(s, DOWNLOAD);
  t.equal(await s.rowValue(n, "Originator"), CONTROLLER);
  t.equal(await s.rowValue(n, "Command"), DOWNLOAD.command);
  t.equal(await s.rowValue(n, "CommandKey"), "ctl-key");
  t.equal(await s.rowValue(n, "Status"), "Active");
  const env = await s.commands.envFor(AGENT);
  t.equal(env.nextRequestInstance, n + 1);
  t.same(env.running, [{ requestInstance: n, command: DOWNLOAD.command, kind: "firmwareDownload", cwmpCommandKey: "c2u-a-0" }]);
  t.match(env.commandKeyBase, /^c2u-[0-9a-z]+-[0-9a-z]+$/);
  t.not((await s.commands.envFor(AGENT)).commandKeyBase, env.commandKeyBase, "a new key base per Operate");
});

t.test("TR-069 A.4.1.3 the TransferComplete with the command's CommandKey closes Download(): OperationComplete, then the row goes", async (t) => {
  const s = setup();
  const n = await start(s, DOWNLOAD);
  await s.commands.onCpeRequest(AGENT, { method: "TransferComplete", commandKey: "someone-else", faultStruct: { faultCode: 0, faultString: "" }, startTime: "", completeTime: "" });
  t.equal(s.notified.length, 0, "another CommandKey closes nothing");
  await s.commands.onCpeRequest(AGENT, { method: "TransferComplete", commandKey: "c2u-a-0", faultStruct: { faultCode: 0, faultString: "" }, startTime: "", completeTime: "" });
  t.equal(s.notified[0]?.path, DOWNLOAD.command, "subscribers of the command path");
  t.same(opComplete(s.notified[0]?.notification), {
    objPath: "Device.DeviceInfo.FirmwareImage.2.",
    commandName: "Download()",
    commandKey: "ctl-key",
    result: { type: "reqOutputArgs", outputArgs: {} },
  });
  t.equal(await s.rowValue(n, "Status"), undefined, "R-OPR.0 the Request row is removed");
  t.same((await s.commands.envFor(AGENT)).running, []);
});

t.test("a transfer fault becomes cmd_failure 7022 with the CPE's text (9010 Download failure)", async (t) => {
  const s = setup();
  await start(s, DOWNLOAD);
  await s.commands.onCpeRequest(AGENT, { method: "TransferComplete", commandKey: "c2u-a-0", faultStruct: { faultCode: 9010, faultString: "Download failure" }, startTime: "", completeTime: "" });
  t.same(opComplete(s.notified[0]?.notification).result, { type: "cmdFailure", errCode: 7022, errMsg: "CPE fault 9010: Download failure" });
});

t.test("a Download the CPE finished at once (Status 0) ends right after the OperateResp", async (t) => {
  const s = setup();
  const n = await start(s, { ...DOWNLOAD, finishedNow: true });
  t.same(opComplete(s.notified[0]?.notification).result, { type: "reqOutputArgs", outputArgs: {} });
  t.equal(await s.rowValue(n, "Status"), undefined);
});

t.test("TR-069 A.4.1.15 DUStateChangeComplete closes InstallDU() with UUID, Version, ExecEnvRef; a DU fault is 7022", async (t) => {
  const s = setup();
  await start(s, { command: "Device.SoftwareModules.InstallDU()", kind: "installDu", cwmpCommandKey: "c2u-b-0", execEnvRef: "Device.SoftwareModules.ExecEnv.1" });
  const result = { uuid: "6ba7b810-9dad-11d1-80b4-00c04fd430c8", deploymentUnitRef: "Device.SoftwareModules.DeploymentUnit.2", version: "2.1", currentState: "Installed", resolved: true, executionUnitRefList: "", startTime: "", completeTime: "" };
  await s.commands.onCpeRequest(AGENT, { method: "DUStateChangeComplete", commandKey: "c2u-b-0", results: [{ ...result, fault: { faultCode: 0, faultString: "" } }] });
  t.same(opComplete(s.notified[0]?.notification).result, { type: "reqOutputArgs", outputArgs: { UUID: result.uuid, Version: "2.1", ExecEnvRef: "Device.SoftwareModules.ExecEnv.1" } });
  await start(s, { command: "Device.SoftwareModules.DeploymentUnit.2.Uninstall()", kind: "uninstallDu", cwmpCommandKey: "c2u-b-1" });
  await s.commands.onCpeRequest(AGENT, { method: "DUStateChangeComplete", commandKey: "c2u-b-1", results: [{ ...result, currentState: "Installed", fault: { faultCode: 9028, faultString: "Unknown Deployment Unit" } }] });
  t.same(opComplete(s.notified[1]?.notification).result, { type: "cmdFailure", errCode: 7022, errMsg: "CPE fault 9028: Unknown Deployment Unit" });
  await start(s, { command: "Device.SoftwareModules.InstallDU()", kind: "installDu", cwmpCommandKey: "c2u-b-2" });
  await s.commands.onCpeRequest(AGENT, { method: "DUStateChangeComplete", commandKey: "c2u-b-2", results: [{ ...result, fault: { faultCode: 0, faultString: "" } }] });
  t.same(s.tasks[0]?.next([]), [{ method: "GetParameterValues", parameterNames: ["Device.SoftwareModules.DeploymentUnit.2.ExecutionEnvRef"] }], "no ExecEnvRef asked for: the CPE's choice is read back");
  s.tasks[0]?.next([gpv({ "Device.SoftwareModules.DeploymentUnit.2.ExecutionEnvRef": "Device.SoftwareModules.ExecEnv.2" })]);
  await new Promise((r) => setImmediate(r));
  t.same(opComplete(s.notified[2]?.notification).result, { type: "reqOutputArgs", outputArgs: { UUID: result.uuid, Version: "2.1", ExecEnvRef: "Device.SoftwareModules.ExecEnv.2" } });
});

t.test("8 DIAGNOSTICS COMPLETE: a gateway task reads the results; output args named per TR-181 USP (Status ← DiagnosticsState)", async (t) => {
  const s = setup();
  const n = await start(s, { command: "Device.IP.Diagnostics.IPPing()", kind: "diagnostics", cwmpCommandKey: "c2u-c-0", diagnosticsObject: PING });
  await s.commands.onInform(AGENT, inform([["8 DIAGNOSTICS COMPLETE"]]));
  const task = s.tasks[0];
  if (task === undefined) return t.fail("no task queued");
  t.same(task.next([]), [{ method: "GetParameterValues", parameterNames: [PING] }]);
  t.equal(task.next([gpv({ [`${PING}DiagnosticsState`]: "Requested" })]), undefined);
  t.equal(s.notified.length, 0, "still Requested: the event was another test's");
  await s.commands.onInform(AGENT, inform([["8 DIAGNOSTICS COMPLETE"]]));
  const again = s.tasks[1];
  if (again === undefined) return t.fail("no second task");
  again.next([]);
  again.next([gpv({ [`${PING}DiagnosticsState`]: "Complete", [`${PING}Host`]: "192.0.2.1", [`${PING}SuccessCount`]: "3", [`${PING}FailureCount`]: "0", [`${PING}AverageResponseTime`]: "12" })]);
  await new Promise((r) => setImmediate(r));
  t.same(opComplete(s.notified[0]?.notification), {
    objPath: "Device.IP.Diagnostics.",
    commandName: "IPPing()",
    commandKey: "ctl-key",
    result: { type: "reqOutputArgs", outputArgs: { Status: "Complete", SuccessCount: "3", FailureCount: "0", AverageResponseTime: "12" } },
  }, "input parameters (Host) are not output arguments");
  t.equal(await s.rowValue(n, "Status"), undefined);
});

t.test("diagnostics: an Error_* state is reported as Status only; a reboot before completion ends the test with 7022", async (t) => {
  const s = setup();
  await start(s, { command: "Device.IP.Diagnostics.TraceRoute()", kind: "diagnostics", cwmpCommandKey: "c2u-d-0", diagnosticsObject: "Device.IP.Diagnostics.TraceRoute." });
  await s.commands.onInform(AGENT, inform([["8 DIAGNOSTICS COMPLETE"]]));
  s.tasks[0]?.next([]);
  s.tasks[0]?.next([gpv({ "Device.IP.Diagnostics.TraceRoute.DiagnosticsState": "Error_CannotResolveHostName", "Device.IP.Diagnostics.TraceRoute.RouteHops.1.Host": "x" })]);
  await new Promise((r) => setImmediate(r));
  t.same(opComplete(s.notified[0]?.notification).result, { type: "reqOutputArgs", outputArgs: { Status: "Error_CannotResolveHostName" } });
  await start(s, { command: "Device.IP.Diagnostics.IPPing()", kind: "diagnostics", cwmpCommandKey: "c2u-d-1", diagnosticsObject: PING });
  await s.commands.onInform(AGENT, inform([["1 BOOT"]]));
  await new Promise((r) => setImmediate(r));
  t.match(opComplete(s.notified[1]?.notification).result, { type: "cmdFailure", errCode: 7022, errMsg: /rebooted/ });
});

t.test("a results task cut off by the end of its session is queued again and the CPE woken", async (t) => {
  const s = setup();
  await start(s, { command: "Device.IP.Diagnostics.IPPing()", kind: "diagnostics", cwmpCommandKey: "c2u-e-0", diagnosticsObject: PING });
  await s.commands.onInform(AGENT, inform([["8 DIAGNOSTICS COMPLETE"]]));
  s.tasks[0]?.next([]);
  s.tasks[0]?.abandoned?.();
  t.equal(s.tasks[1], s.tasks[0]);
  t.same(s.woken, [AGENT]);
});

t.test("Cancel(): the request goes Canceled and ends with cmd_failure 7023 after the Cancel's own reply", async (t) => {
  const s = setup();
  const n = await start(s, DOWNLOAD);
  const effects: OperateEffects = { ...noEffects(), canceled: [n] };
  const cancel = s.pending(`Device.LocalAgent.Request.${n}.Cancel()`, "cancel-key");
  await s.commands.apply(cancel, effects);
  t.equal(await s.rowValue(n, "Status"), "Canceled");
  t.equal(s.notified.length, 0, "not before the Cancel() reply");
  await s.commands.afterReply(cancel, effects);
  t.same(opComplete(s.notified[0]?.notification), {
    objPath: "Device.DeviceInfo.FirmwareImage.2.",
    commandName: "Download()",
    commandKey: "ctl-key",
    result: { type: "cmdFailure", errCode: 7023, errMsg: `${DOWNLOAD.command} was canceled` },
  });
  t.equal(await s.rowValue(n, "Status"), undefined);
});

t.test("a command past its timeout ends with 7022; Request rows survive a rebuilt (evicted) local tree", async (t) => {
  const s = setup({ firmwareDownload: 1000 });
  const n = await start(s, DOWNLOAD);
  s.localAgents.forget(AGENT);
  t.equal(await s.rowValue(n, "Command"), DOWNLOAD.command, "row restored into the new tree");
  await s.commands.sweep();
  t.equal(s.notified.length, 0);
  s.clock.now += 1001;
  await s.commands.sweep();
  t.match(opComplete(s.notified[0]?.notification).result, { type: "cmdFailure", errCode: 7022, errMsg: /timeout.* within 1 s/ });
  t.equal(await s.rowValue(n, "Status"), undefined);
});

t.test("Boot!: M Reboot's CommandKey goes back to the controller's command_key once; a gateway FactoryReset makes the next 0 BOOTSTRAP remote", async (t) => {
  const s = setup();
  await s.commands.apply(s.pending("Device.Reboot()"), { ...noEffects(), reboots: [{ cwmpCommandKey: "c2u-f-0", commandKey: "ctl-reboot" }] });
  const booted = await s.commands.onInform(AGENT, inform([["1 BOOT"], ["M Reboot", "c2u-f-0"]]));
  t.same(booted.inform.event, [{ eventCode: "1 BOOT", commandKey: "" }, { eventCode: "M Reboot", commandKey: "ctl-reboot" }]);
  t.equal(booted.remoteFactoryResetPending, false);
  t.same((await s.commands.onInform(AGENT, inform([["M Reboot", "c2u-f-0"]]))).inform.event, [{ eventCode: "M Reboot", commandKey: "c2u-f-0" }], "forgotten once used");
  await s.commands.apply(s.pending("Device.FactoryReset()"), { ...noEffects(), factoryReset: true });
  await s.commands.onInform(AGENT, inform([["2 PERIODIC"]]));
  t.equal((await s.commands.onInform(AGENT, inform([["0 BOOTSTRAP"], ["1 BOOT"]]))).remoteFactoryResetPending, true);
  t.equal((await s.commands.onInform(AGENT, inform([["0 BOOTSTRAP"], ["1 BOOT"]]))).remoteFactoryResetPending, false);
});

t.test("Activate(): the boot with its CommandKey ends it once ActiveFirmwareImage names the image; 0 BOOTSTRAP ends all commands", async (t) => {
  const s = setup();
  await start(s, { command: "Device.DeviceInfo.FirmwareImage.2.Activate()", kind: "firmwareActivate", cwmpCommandKey: "c2u-g-0", image: "Device.DeviceInfo.FirmwareImage.2" });
  const booted = await s.commands.onInform(AGENT, inform([["1 BOOT"], ["M Reboot", "c2u-g-0"]]));
  t.equal(booted.inform.event[1]?.commandKey, "ctl-key", "Boot! carries Activate()'s command_key");
  t.same(s.tasks[0]?.next([]), [{ method: "GetParameterValues", parameterNames: ["Device.DeviceInfo.ActiveFirmwareImage"] }]);
  s.tasks[0]?.next([gpv({ "Device.DeviceInfo.ActiveFirmwareImage": "Device.DeviceInfo.FirmwareImage.1" })]);
  await new Promise((r) => setImmediate(r));
  t.same(opComplete(s.notified[0]?.notification).result, { type: "cmdFailure", errCode: 7022, errMsg: "the CPE booted Device.DeviceInfo.FirmwareImage.1, not Device.DeviceInfo.FirmwareImage.2" });
  await start(s, DOWNLOAD);
  await s.commands.onInform(AGENT, inform([["0 BOOTSTRAP"], ["1 BOOT"]]));
  await new Promise((r) => setImmediate(r));
  t.match(opComplete(s.notified[1]?.notification).result, { type: "cmdFailure", errCode: 7022, errMsg: /factory defaults/ });
});

t.test("a gateway restart keeps running commands (store agent rows): the Request row, the CommandKey match, the timeout", async (t) => {
  const before = setup({ firmwareDownload: 60_000 });
  const n = await start(before, DOWNLOAD);
  const ping = await start(before, { command: "Device.IP.Diagnostics.IPPing()", kind: "diagnostics", cwmpCommandKey: "c2u-h-0", diagnosticsObject: PING });
  await before.commands.apply(before.pending("Device.Reboot()"), { ...noEffects(), reboots: [{ cwmpCommandKey: "c2u-h-1", commandKey: "ctl-reboot" }] });
  // A new gateway on the same store: nothing in memory survives.
  const after = setup({ firmwareDownload: 60_000 }, { store: before.store, clock: before.clock });
  await after.commands.restore([AGENT]);
  t.equal(await after.rowValue(n, "Command"), DOWNLOAD.command, "the Request row is back in the rebuilt Device.LocalAgent. tree");
  t.same((await after.commands.envFor(AGENT)).running.map((c) => c.requestInstance), [n, ping]);
  const booted = await after.commands.onInform(AGENT, inform([["1 BOOT"], ["M Reboot", "c2u-h-1"]]));
  t.equal(booted.inform.event[1]?.commandKey, "ctl-reboot", "the Boot! still carries the controller's command_key");
  t.match(opComplete(after.notified[0]?.notification), { commandName: "IPPing()", result: { type: "cmdFailure", errCode: 7022 } }, "the reboot ended the diagnostic");
  await after.commands.onCpeRequest(AGENT, { method: "TransferComplete", commandKey: "c2u-a-0", faultStruct: { faultCode: 0, faultString: "" }, startTime: "", completeTime: "" });
  t.same(opComplete(after.notified[1]?.notification), { objPath: "Device.DeviceInfo.FirmwareImage.2.", commandName: "Download()", commandKey: "ctl-key", result: { type: "reqOutputArgs", outputArgs: {} } });
  const lost = await start(after, { ...DOWNLOAD, cwmpCommandKey: "c2u-a-1" });
  const again = setup({ firmwareDownload: 60_000 }, { store: before.store, clock: before.clock });
  await again.commands.restore([AGENT]);
  again.clock.now += 60_001;
  await again.commands.sweep();
  t.match(opComplete(again.notified[0]?.notification).result, { type: "cmdFailure", errCode: 7022, errMsg: /timeout/ }, "a command whose follow-up the restart lost ends on its timeout");
  t.equal(await again.rowValue(lost, "Status"), undefined);
});

t.test("two instances on one store: a command started on one shows in the other's Request table and its numbers are not reused", async (t) => {
  const a = setup();
  const b = setup({}, { store: a.store, clock: a.clock });
  await b.localAgents.tree(AGENT); // b's tree is built before a starts anything
  const n = await start(a, DOWNLOAD);
  const env = await b.commands.envFor(AGENT);
  t.equal(env.nextRequestInstance, n + 1);
  t.equal(await b.rowValue(n, "Command"), DOWNLOAD.command);
  await b.commands.onCpeRequest(AGENT, { method: "TransferComplete", commandKey: "c2u-a-0", faultStruct: { faultCode: 0, faultString: "" }, startTime: "", completeTime: "" });
  t.match(opComplete(b.notified[0]?.notification), { commandName: "Download()", result: { type: "reqOutputArgs" } }, "closed by the instance the CPE reached");
});
