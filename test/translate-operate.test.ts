// USP Operate translated to CWMP (translate/operate.ts), against the fake CPE:
// the exact RPCs per command, gateway CommandKeys (TR-069 string(32)),
// R-OPR.0 req_obj_path, R-OPR.1 cmd_failure, R-OPR.2 one Request per object,
// R-OPR.4 send_resp=false, R-OPR.5 7027 for missing arguments, R-OPR.6
// unknown arguments ignored, path errors as obuspa answers them, Cancel().
import t from "tap";
import type { AcsRequest, RpcOutcome } from "../src/cwmp/rpc.js";
import type { OperateEffects, OperateEnv, RunningCommand } from "../src/translate/commands.js";
import { recordOutcomes } from "../src/translate/device-model.js";
import { planRequest } from "../src/translate/index.js";
import { operateReplyWanted } from "../src/translate/operate.js";
import type { UspReply } from "../src/translate/plan.js";
import { MAX_PLAN_ROUNDS } from "../src/translate/plan.js";
import type { Operate, OperateResp, OperationResultResp, UspError } from "../src/usp/messages.js";
import { FakeCpe, context, describe, p, type Tree } from "./fixtures/translate-cpe.js";

const u = "xsd:unsignedInt";
const w = (value: string, type = "xsd:string"): ReturnType<typeof p> => p(value, type, true);
const PING = "Device.IP.Diagnostics.IPPing.";

function tree(): Tree {
  return {
    "Device.DeviceInfo.BootFirmwareImage": w("Device.DeviceInfo.FirmwareImage.1"),
    "Device.DeviceInfo.FirmwareImage.1.Name": p("bank-a"),
    "Device.DeviceInfo.FirmwareImage.2.Name": p("bank-b"),
    [`${PING}DiagnosticsState`]: w("None"),
    [`${PING}Interface`]: w(""),
    [`${PING}ProtocolVersion`]: w("Any"),
    [`${PING}Host`]: w("", "xsd:string"),
    [`${PING}NumberOfRepetitions`]: w("3", u),
    [`${PING}Timeout`]: w("1000", u),
    [`${PING}DataBlockSize`]: w("64", u),
    [`${PING}SuccessCount`]: p("0", u),
    "Device.SoftwareModules.DeploymentUnit.1.UUID": p("6ba7b810-9dad-11d1-80b4-00c04fd430c8"),
    "Device.SoftwareModules.DeploymentUnit.1.Version": p("1.0"),
    "Device.SoftwareModules.DeploymentUnit.1.ExecutionEnvRef": p("Device.SoftwareModules.ExecEnv.1"),
  };
}

const ENV: OperateEnv = { commandKeyBase: "c2u-test", nextRequestInstance: 7, running: [] };
const PING_ARGS = { Host: "192.0.2.1", ProtocolVersion: "IPv4", NumberOfRepetitions: "2", Timeout: "500", DataBlockSize: "32" };

/** CPE answers to the RPCs the fake CPE does not implement. */
function commandRpc(req: AcsRequest): RpcOutcome | undefined {
  switch (req.method) {
    case "Reboot":
      return { ok: true, response: { method: "RebootResponse" } };
    case "FactoryReset":
      return { ok: true, response: { method: "FactoryResetResponse" } };
    case "Download":
      return { ok: true, response: { method: "DownloadResponse", status: 1, startTime: "0001-01-01T00:00:00Z", completeTime: "0001-01-01T00:00:00Z" } };
    case "ChangeDUState":
      return { ok: true, response: { method: "ChangeDUStateResponse" } };
    case "CancelTransfer":
      return { ok: true, response: { method: "CancelTransferResponse" } };
    default:
      return undefined;
  }
}

interface Exec {
  reply: UspReply;
  effects: OperateEffects | undefined;
  rpcs: string[];
}

function exec(operate: Partial<Operate> & { command: string }, opts: { env?: OperateEnv; cpe?: FakeCpe; answer?: (req: AcsRequest) => RpcOutcome | undefined } = {}): Exec {
  const op: Operate = { commandKey: "ctl-key", sendResp: true, inputArgs: {}, ...operate };
  const cpe = opts.cpe ?? new FakeCpe(tree());
  const ctx = { ...context(), operate: opts.env ?? ENV };
  ctx.model.beginTransaction();
  const log: AcsRequest[] = [];
  for (let round = 0; round < MAX_PLAN_ROUNDS; round++) {
    const plan = planRequest({ type: "operate", operate: op }, ctx);
    if (plan.kind === "respond") return { reply: plan.reply, effects: plan.effects, rpcs: log.map(show) };
    const outcomes = plan.rpcs.map((r) => {
      log.push(r);
      return opts.answer?.(r) ?? commandRpc(r) ?? cpe.handle(r);
    });
    recordOutcomes(ctx.model, plan.rpcs, outcomes);
  }
  throw new Error("no answer");
}

function show(req: AcsRequest): string {
  switch (req.method) {
    case "Reboot":
    case "CancelTransfer":
      return `${req.method} ${req.commandKey}`;
    case "Download":
      return `Download ${req.commandKey} "${req.fileType}" ${req.url} size=${req.fileSize} user=${req.username} target=${req.targetFileName}`;
    case "ChangeDUState":
      return `ChangeDUState ${req.commandKey} ${JSON.stringify(req.operations)}`;
    default:
      return describe(req);
  }
}

function results(reply: UspReply): { executedCommand: string; result: OperationResultResp }[] {
  if (reply.kind !== "response" || reply.response.type !== "operateResp") throw new Error(`not an OperateResp: ${JSON.stringify(reply)}`);
  return (reply.response.operateResp as OperateResp).operationResults;
}
function only(reply: UspReply): OperationResultResp {
  const r = results(reply);
  if (r.length !== 1 || r[0] === undefined) throw new Error(`expected one result: ${JSON.stringify(r)}`);
  return r[0].result;
}
function errorOf(reply: UspReply): UspError {
  if (reply.kind !== "error") throw new Error(`not an Error: ${JSON.stringify(reply)}`);
  return reply.error;
}

t.test("TR-069 A.3.2.9 Device.Reboot(): one Reboot with the gateway's CommandKey; OperateResp req_output_args {} once accepted", async (t) => {
  const r = exec({ command: "Device.Reboot()", inputArgs: { Cause: "RemoteReboot" } });
  t.same(r.rpcs, ["Reboot c2u-test-0"]);
  t.same(results(r.reply), [{ executedCommand: "Device.Reboot()", result: { type: "reqOutputArgs", outputArgs: {} } }]);
  t.same(r.effects?.reboots, [{ cwmpCommandKey: "c2u-test-0", commandKey: "ctl-key" }], "the Boot! maps back to the controller's command_key");
  t.same(r.effects?.started, [], "sync: no Request row");
});

t.test("R-OPR.1 a refused Reboot is a cmd_failure with the CWMP fault mapped, not an Error", async (t) => {
  const r = exec({ command: "Device.Reboot()" }, { answer: (req) => (req.method === "Reboot" ? { ok: false, fault: { faultCode: 9001, faultString: "Request denied", setParameterValuesFaults: [] } } : undefined) });
  t.same(only(r.reply), { type: "cmdFailure", errCode: 7002, errMsg: "CPE fault 9001: Request denied" });
  t.same(r.effects?.reboots, []);
});

t.test("TR-069 A.4.1.6 Device.FactoryReset(): one FactoryReset; the next Boot! is marked RemoteFactoryReset", async (t) => {
  const r = exec({ command: "Device.FactoryReset()" });
  t.same(r.rpcs, ["FactoryReset"]);
  t.same(only(r.reply), { type: "reqOutputArgs", outputArgs: {} });
  t.equal(r.effects?.factoryReset, true);
});

t.test("TR-069 A.3.2.8 CommandKey is string(32): the gateway's keys fit, and an overlong one is a bug, not a silent cut", async (t) => {
  const env: OperateEnv = { ...ENV, commandKeyBase: "c2u-lxk2m9q1-zzzz" };
  const r = exec({ command: "Device.DeviceInfo.FirmwareImage.*.Download()", inputArgs: { URL: "http://fw/x.bin", AutoActivate: "true" } }, { env });
  for (const s of r.effects?.started ?? []) t.ok(s.cwmpCommandKey.length <= 32, s.cwmpCommandKey);
  t.throws(() => exec({ command: "Device.Reboot()" }, { env: { ...ENV, commandKeyBase: "x".repeat(31) } }), /longer than 32/);
});

t.test("R-OPR.5 a missing mandatory input argument is cmd_failure 7027, and nothing reaches the CPE", async (t) => {
  const ping = exec({ command: "Device.IP.Diagnostics.IPPing()", inputArgs: { ...PING_ARGS, Host: undefined as unknown as string } });
  t.same(ping.rpcs, []);
  t.match(only(ping.reply), { type: "cmdFailure", errCode: 7027, errMsg: /Host/ });
  const dl = exec({ command: "Device.DeviceInfo.FirmwareImage.1.Download()", inputArgs: { AutoActivate: "true" } });
  t.same(dl.rpcs, []);
  t.match(only(dl.reply), { type: "cmdFailure", errCode: 7027, errMsg: /URL/ });
  const bad = exec({ command: "Device.IP.Diagnostics.IPPing()", inputArgs: { ...PING_ARGS, Timeout: "soon" } });
  t.match(only(bad.reply), { type: "cmdFailure", errCode: 7027, errMsg: /Timeout/ }, "a value not of the argument's type too");
});

t.test("IPPing(): inputs and DiagnosticsState=Requested in one SPV; R-OPR.0 req_obj_path of a new Request; R-OPR.6 unknown args ignored", async (t) => {
  const r = exec({ command: "Device.IP.Diagnostics.IPPing()", inputArgs: { ...PING_ARGS, DSCP: "8", Bogus: "1" } });
  t.same(r.rpcs, [
    `GPN ${PING} true`,
    `SPV ${PING}Interface=,${PING}ProtocolVersion=IPv4,${PING}Host=192.0.2.1,${PING}NumberOfRepetitions=2,${PING}Timeout=500,${PING}DataBlockSize=32,${PING}DiagnosticsState=Requested key=""`,
  ], "DSCP is not written: this CPE has no such parameter; Interface, left out, gets its default (R-OPR.7)");
  t.same(results(r.reply), [{ executedCommand: "Device.IP.Diagnostics.IPPing()", result: { type: "reqObjPath", reqObjPath: "Device.LocalAgent.Request.7" } }]);
  t.same(r.effects?.started, [
    { command: "Device.IP.Diagnostics.IPPing()", kind: "diagnostics", cwmpCommandKey: "c2u-test-0", finishedNow: false, diagnosticsObject: PING, requestInstance: 7 },
  ]);
});

t.test("R-OPR.7 a left-out argument is written with its TR-181 default, not left at what an earlier test set", async (t) => {
  const cpe = new FakeCpe({ ...tree(), [`${PING}DSCP`]: w("7", u) });
  const r = exec({ command: "Device.IP.Diagnostics.IPPing()", inputArgs: PING_ARGS }, { cpe });
  t.match(r.rpcs[1], new RegExp(`${PING.replaceAll(".", "\\.")}DSCP=0,`));
  t.equal(cpe.params.get(`${PING}DSCP`)?.value, "0");
});

t.test("IPPing(): a value the CPE refuses names the argument (7027); a second run while one is running is 7005", async (t) => {
  const cpe = new FakeCpe({ ...tree(), [`${PING}Host`]: p("", "xsd:string", true, (v) => (v.includes(" ") ? 9007 : 0)) });
  const r = exec({ command: "Device.IP.Diagnostics.IPPing()", inputArgs: { ...PING_ARGS, Host: "a b" } }, { cpe });
  t.same(only(r.reply), { type: "cmdFailure", errCode: 7027, errMsg: "input argument Host: CPE fault 9007: Invalid parameter value" });
  const running: RunningCommand[] = [{ requestInstance: 3, command: "Device.IP.Diagnostics.IPPing()", kind: "diagnostics", cwmpCommandKey: "c2u-old-0" }];
  const busy = exec({ command: "Device.IP.Diagnostics.IPPing()", inputArgs: PING_ARGS }, { env: { ...ENV, running } });
  t.same(busy.rpcs, []);
  t.match(only(busy.reply), { type: "cmdFailure", errCode: 7005 });
});

t.test("a command this CPE does not have, or an unknown command, is an Error 7026 (obuspa: path resolution errors are Errors); bad syntax 7008", async (t) => {
  const noTrace = exec({ command: "Device.IP.Diagnostics.TraceRoute()", inputArgs: { Host: "h", ProtocolVersion: "Any" } });
  t.same(noTrace.rpcs, ["GPN Device.IP.Diagnostics.TraceRoute. true"]);
  t.equal(errorOf(noTrace.reply).errCode, 7026);
  t.equal(errorOf(exec({ command: "Device.WiFi.Radio.1.Explode()" }).reply).errCode, 7026);
  t.equal(errorOf(exec({ command: "Device.DeviceInfo.SoftwareVersion" }).reply).errCode, 7026);
  t.equal(errorOf(exec({ command: "Device..Reboot()" }).reply).errCode, 7008);
  const missing = exec({ command: "Device.DeviceInfo.FirmwareImage.9.Download()", inputArgs: { URL: "http://fw/x.bin", AutoActivate: "true" } });
  t.same(errorOf(missing.reply), { errCode: 7016, errMsg: "Object Device.DeviceInfo.FirmwareImage.9. does not exist", paramErrs: [] });
});

t.test("FirmwareImage.{i}.Download(): CWMP Download of a firmware image; AutoActivate=false stores it (TR-069 Amd 6 file type 6)", async (t) => {
  const args = { URL: "http://fw.example/4.3.bin", AutoActivate: "true", Username: "u", Password: "p", FileSize: "1024", CheckSum: "ab" };
  const r = exec({ command: "Device.DeviceInfo.FirmwareImage.2.Download()", inputArgs: args });
  t.same(r.rpcs, ["GPN Device.DeviceInfo.FirmwareImage. true", 'Download c2u-test-0 "1 Firmware Upgrade Image" http://fw.example/4.3.bin size=1024 user=u target=']);
  t.same(only(r.reply), { type: "reqObjPath", reqObjPath: "Device.LocalAgent.Request.7" });
  t.match(r.effects?.started, [{ kind: "firmwareDownload", command: "Device.DeviceInfo.FirmwareImage.2.Download()", finishedNow: false }]);
  const stored = exec({ command: "Device.DeviceInfo.FirmwareImage.2.Download()", inputArgs: { ...args, AutoActivate: "false" } });
  t.match(stored.rpcs[1], /"6 Stored Firmware Image" .* target=Device.DeviceInfo.FirmwareImage.2$/);
  const now = exec({ command: "Device.DeviceInfo.FirmwareImage.2.Download()", inputArgs: args }, {
    answer: (req) => (req.method === "Download" ? { ok: true, response: { method: "DownloadResponse", status: 0, startTime: "2026-01-01T00:00:00Z", completeTime: "2026-01-01T00:00:05Z" } } : undefined),
  });
  t.equal(now.effects?.started[0]?.finishedNow, true, "Status 0: done already, no TransferComplete will come");
  const failed = exec({ command: "Device.DeviceInfo.FirmwareImage.2.Download()", inputArgs: args }, {
    answer: (req) => (req.method === "Download" ? { ok: false, fault: { faultCode: 9013, faultString: "Unsupported protocol", setParameterValuesFaults: [] } } : undefined),
  });
  t.same(only(failed.reply), { type: "cmdFailure", errCode: 7022, errMsg: "CPE fault 9013: Unsupported protocol" });
});

t.test("R-OPR.2 a wildcard command runs on every matching object, one Request each, numbered in order", async (t) => {
  const r = exec({ command: "Device.DeviceInfo.FirmwareImage.*.Download()", inputArgs: { URL: "http://fw/x.bin", AutoActivate: "true" } });
  t.same(r.rpcs.filter((x) => x.startsWith("Download")).map((x) => x.split(" ")[1]), ["c2u-test-0", "c2u-test-1"]);
  t.same(results(r.reply), [
    { executedCommand: "Device.DeviceInfo.FirmwareImage.1.Download()", result: { type: "reqObjPath", reqObjPath: "Device.LocalAgent.Request.7" } },
    { executedCommand: "Device.DeviceInfo.FirmwareImage.2.Download()", result: { type: "reqObjPath", reqObjPath: "Device.LocalAgent.Request.8" } },
  ]);
});

t.test("Activate(): BootFirmwareImage set to the image, then Reboot with the command's key", async (t) => {
  const r = exec({ command: "Device.DeviceInfo.FirmwareImage.2.Activate()" });
  t.same(r.rpcs, ["GPN Device.DeviceInfo.FirmwareImage. true", 'SPV Device.DeviceInfo.BootFirmwareImage=Device.DeviceInfo.FirmwareImage.2 key=""', "Reboot c2u-test-0"]);
  t.match(r.effects?.started, [{ kind: "firmwareActivate", image: "Device.DeviceInfo.FirmwareImage.2", requestInstance: 7 }]);
  const later = exec({ command: "Device.DeviceInfo.FirmwareImage.2.Activate()", inputArgs: { "TimeWindow.1.Start": "3600", "TimeWindow.1.End": "7200", "TimeWindow.1.Mode": "AnyTime" } });
  t.match(only(later.reply), { type: "cmdFailure", errCode: 7022 });
});

t.test("TR-069 A.4.1.14 InstallDU(), Update(), Uninstall(): one ChangeDUState each, the DU named by its UUID", async (t) => {
  const install = exec({ command: "Device.SoftwareModules.InstallDU()", inputArgs: { URL: "http://apps/a.ipk", ExecutionEnvRef: "Device.SoftwareModules.ExecEnv.1", Privileged: "false" } });
  t.same(install.rpcs, ["GPN Device.SoftwareModules. true", 'ChangeDUState c2u-test-0 [{"type":"Install","url":"http://apps/a.ipk","executionEnvRef":"Device.SoftwareModules.ExecEnv.1"}]']);
  t.match(install.effects?.started, [{ kind: "installDu", execEnvRef: "Device.SoftwareModules.ExecEnv.1" }]);
  const update = exec({ command: "Device.SoftwareModules.DeploymentUnit.1.Update()", inputArgs: { URL: "http://apps/a2.ipk" } });
  t.same(update.rpcs.slice(-2), [
    "GPV Device.SoftwareModules.DeploymentUnit.1.UUID,Device.SoftwareModules.DeploymentUnit.1.Version",
    'ChangeDUState c2u-test-0 [{"type":"Update","uuid":"6ba7b810-9dad-11d1-80b4-00c04fd430c8","version":"1.0","url":"http://apps/a2.ipk"}]',
  ]);
  const uninstall = exec({ command: "Device.SoftwareModules.DeploymentUnit.1.Uninstall()" });
  t.match(uninstall.rpcs.at(-1), /"type":"Uninstall","uuid":"6ba7b810-9dad-11d1-80b4-00c04fd430c8","version":"1.0","executionEnvRef":"Device.SoftwareModules.ExecEnv.1"/);
  t.equal(errorOf(exec({ command: "Device.SoftwareModules.DeploymentUnit.5.Uninstall()" }).reply).errCode, 7016);
});

const DOWNLOADING: RunningCommand = { requestInstance: 3, command: "Device.DeviceInfo.FirmwareImage.2.Download()", kind: "firmwareDownload", cwmpCommandKey: "c2u-old-0" };

t.test("Request.{i}.Cancel(): CancelTransfer with the download's CommandKey; done at once, the request then ends canceled", async (t) => {
  const env = { ...ENV, running: [DOWNLOADING] };
  const r = exec({ command: "Device.LocalAgent.Request.3.Cancel()" }, { env });
  t.same(r.rpcs, ["CancelTransfer c2u-old-0"]);
  t.same(only(r.reply), { type: "reqOutputArgs", outputArgs: {} });
  t.same(r.effects?.canceled, [3]);
  const refused = exec({ command: "Device.LocalAgent.Request.3.Cancel()" }, {
    env,
    answer: (req) => (req.method === "CancelTransfer" ? { ok: false, fault: { faultCode: 9021, faultString: "Cancelation not permitted", setParameterValuesFaults: [] } } : undefined),
  });
  t.same(only(refused.reply), { type: "cmdFailure", errCode: 7022, errMsg: "CPE fault 9021: Cancelation not permitted" });
  t.same(refused.effects?.canceled, []);
});

t.test("Cancel(): a diagnostic is canceled with DiagnosticsState=Canceled; a DU change cannot be; an unknown Request is 7016", async (t) => {
  const ping: RunningCommand = { requestInstance: 4, command: "Device.IP.Diagnostics.IPPing()", kind: "diagnostics", cwmpCommandKey: "c2u-old-1" };
  const du: RunningCommand = { requestInstance: 5, command: "Device.SoftwareModules.InstallDU()", kind: "installDu", cwmpCommandKey: "c2u-old-2" };
  const env = { ...ENV, running: [ping, du] };
  const r = exec({ command: "Device.LocalAgent.Request.4.Cancel()" }, { env });
  t.same(r.rpcs, [`SPV ${PING}DiagnosticsState=Canceled key=""`]);
  t.same(r.effects?.canceled, [4]);
  t.match(only(exec({ command: "Device.LocalAgent.Request.5.Cancel()" }, { env }).reply), { type: "cmdFailure", errCode: 7022 });
  t.equal(errorOf(exec({ command: "Device.LocalAgent.Request.9.Cancel()" }, { env }).reply).errCode, 7016);
});

t.test("R-OPR.4 send_resp=false: no OperateResp, except one with a cmd_failure; USP Errors still go", async (t) => {
  const op: Operate = { command: "Device.Reboot()", commandKey: "", sendResp: false, inputArgs: {} };
  t.notOk(operateReplyWanted(op, exec(op).reply));
  t.ok(operateReplyWanted(op, exec({ ...op, command: "Device.IP.Diagnostics.IPPing()" }).reply), "7027 cmd_failure");
  t.ok(operateReplyWanted(op, exec({ ...op, command: "Device.Nothing()" }).reply), "Error 7026");
  t.ok(operateReplyWanted({ ...op, sendResp: true }, exec(op).reply));
});
