// The commands a virtual agent runs for USP Operate (TR-369 "Defined
// Operations Mechanism"), as data: their TR-181 2.19 USP paths, sync/async,
// input arguments (types, mandatory ones: R-OPR.5), output arguments and the
// CWMP side they map to (issue 3). Argument names and flags are those of
// tr-181-2-19-1-usp-full.xml; the diagnostics' input arguments have the same
// names as the CWMP parameters of the object they are written to (checked in
// tr-181-2-19-1-cwmp-full.xml), and their output arguments too, except Status,
// which is the CWMP DiagnosticsState. Defaults are those the argument
// descriptions give ("by default the CPE SHOULD set this value to …"; an
// empty Interface means "as the routing policy directs"). Also the shapes shared with the agent
// layer: what the planner is told of the agent (OperateEnv) and what an
// Operate changed (OperateEffects).

export type CommandKind =
  | "reboot"
  | "factoryReset"
  | "firmwareDownload"
  | "firmwareActivate"
  | "diagnostics"
  | "installDu"
  | "updateDu"
  | "uninstallDu"
  | "parameterReset"
  | "sendOnBoardRequest"
  | "cancel";

export interface ArgSpec {
  readonly name: string;
  /** xsd base type for lexical checks and SetParameterValues. */
  readonly type: string;
  readonly mandatory: boolean;
  /** The value used when the argument is left out (R-OPR.7): the TR-181
   * "by default the CPE SHOULD set this value to …" of the argument. */
  readonly default?: string;
}

export interface CommandSpec {
  /** Supported command path, instance numbers as {i}. */
  readonly path: string;
  readonly kind: CommandKind;
  readonly async: boolean;
  readonly input: readonly ArgSpec[];
  /** Output argument names, tables as "RouteHops.{i}.Host". */
  readonly output: readonly string[];
  /** Diagnostics: the CWMP object the test runs in (TR-181 DiagnosticsState). */
  readonly diagnosticsObject?: string;
}

/** "Name[:type][=default][*]", * for mandatory (R-OPR.5). */
const arg = (spec: string): ArgSpec => {
  const [decl = "", fallback] = spec.replace(/\*$/, "").split("=");
  const [name = "", type = "string"] = decl.split(":");
  return { name, type: `xsd:${type}`, mandatory: spec.endsWith("*"), ...(fallback !== undefined ? { default: fallback } : {}) };
};
const args = (specs: string): ArgSpec[] => specs.split(" ").filter((s) => s !== "").map(arg);
const names = (list: string): string[] => list.split(" ").filter((s) => s !== "");

const DIAG = "Device.IP.Diagnostics.";
const TRANSFER_TIMES = "ROMTime BOMTime EOMTime";
const TCP_TIMES = "TCPOpenRequestTime TCPOpenResponseTime";
/** Download/UploadDiagnostics() arguments with their TR-181 defaults. */
const TRANSFER_TEST_ARGS =
  "DSCP:unsignedInt=0 EthernetPriority:unsignedInt=0 TimeBasedTestDuration:unsignedInt=0 TimeBasedTestMeasurementInterval:unsignedInt=0 TimeBasedTestMeasurementOffset:unsignedInt=0 ProtocolVersion=Any NumberOfConnections:unsignedInt=1 EnablePerConnectionResults:boolean=false";

const COMMANDS: readonly CommandSpec[] = [
  { path: "Device.Reboot()", kind: "reboot", async: false, input: args("Cause Reason"), output: [] },
  { path: "Device.FactoryReset()", kind: "factoryReset", async: false, input: args("Cause Reason"), output: [] },
  // Sync commands that are a boolean `Reset` parameter in the CWMP flavour of
  // the model (TR-181 CWMP, and TR-098 WANIP/WANPPPConnection.Reset): SPV Reset=true.
  { path: "Device.IP.Interface.{i}.Reset()", kind: "parameterReset", async: false, input: [], output: [] },
  { path: "Device.PPP.Interface.{i}.Reset()", kind: "parameterReset", async: false, input: [], output: [] },
  // The agent's own: an OnBoardRequest Notify to that Controller (TR-181 LocalAgent.Controller).
  { path: "Device.LocalAgent.Controller.{i}.SendOnBoardRequest()", kind: "sendOnBoardRequest", async: false, input: [], output: [] },
  {
    path: "Device.DeviceInfo.FirmwareImage.{i}.Download()",
    kind: "firmwareDownload",
    async: true,
    input: args("URL* AutoActivate:boolean* Username Password FileSize:unsignedInt CheckSumAlgorithm CheckSum:hexBinary"),
    output: [],
  },
  {
    path: "Device.DeviceInfo.FirmwareImage.{i}.Activate()",
    kind: "firmwareActivate",
    async: true,
    input: args("TimeWindow.1.Start:unsignedInt TimeWindow.1.End:unsignedInt TimeWindow.1.Mode TimeWindow.1.UserMessage TimeWindow.1.MaxRetries:int"),
    output: [],
  },
  {
    path: `${DIAG}IPPing()`,
    kind: "diagnostics",
    async: true,
    diagnosticsObject: `${DIAG}IPPing.`,
    input: args("Interface= ProtocolVersion* Host* NumberOfRepetitions:unsignedInt* Timeout:unsignedInt* DataBlockSize:unsignedInt* DSCP:unsignedInt=0"),
    output: names(
      "Status IPAddressUsed SuccessCount FailureCount AverageResponseTime MinimumResponseTime MaximumResponseTime AverageResponseTimeDetailed MinimumResponseTimeDetailed MaximumResponseTimeDetailed",
    ),
  },
  {
    path: `${DIAG}TraceRoute()`,
    kind: "diagnostics",
    async: true,
    diagnosticsObject: `${DIAG}TraceRoute.`,
    input: args("Interface= ProtocolVersion* Host* NumberOfTries:unsignedInt=3 Timeout:unsignedInt=5000 DataBlockSize:unsignedInt=38 DSCP:unsignedInt=0 MaxHopCount:unsignedInt=30"),
    output: names("Status IPAddressUsed ResponseTime RouteHops.{i}.Host RouteHops.{i}.HostAddress RouteHops.{i}.ErrorCode RouteHops.{i}.RTTimes"),
  },
  {
    path: `${DIAG}DownloadDiagnostics()`,
    kind: "diagnostics",
    async: true,
    diagnosticsObject: `${DIAG}DownloadDiagnostics.`,
    input: args(`Interface= DownloadURL* ${TRANSFER_TEST_ARGS}`),
    output: transferOutputs("Received"),
  },
  {
    path: `${DIAG}UploadDiagnostics()`,
    kind: "diagnostics",
    async: true,
    diagnosticsObject: `${DIAG}UploadDiagnostics.`,
    input: args(`Interface= UploadURL* TestFileLength:unsignedLong ${TRANSFER_TEST_ARGS}`),
    output: transferOutputs("Sent"),
  },
  {
    // Only the arguments CWMP's InstallOpStruct can carry are used; the
    // container ones (Privileged, AutoRestart.…, NetworkConfig.…) are accepted
    // and ignored, as unrecognised arguments are (R-OPR.6).
    path: "Device.SoftwareModules.InstallDU()",
    kind: "installDu",
    async: true,
    input: args("URL* UUID Username Password ExecutionEnvRef"),
    output: names("UUID Version ExecEnvRef"),
  },
  {
    path: "Device.SoftwareModules.DeploymentUnit.{i}.Update()",
    kind: "updateDu",
    async: true,
    input: args("URL Username Password"),
    output: [],
  },
  { path: "Device.SoftwareModules.DeploymentUnit.{i}.Uninstall()", kind: "uninstallDu", async: true, input: args("RetainData:boolean"), output: [] },
  { path: "Device.LocalAgent.Request.{i}.Cancel()", kind: "cancel", async: false, input: [], output: [] },
];

/** Download/UploadDiagnostics() outputs; `dir` is "Received" or "Sent" (TestBytesReceived vs TestBytesSent). */
function transferOutputs(dir: "Received" | "Sent"): string[] {
  const test = `TestBytes${dir}`;
  const counters = `${test} TotalBytesReceived TotalBytesSent ${test}UnderFullLoading TotalBytesReceivedUnderFullLoading TotalBytesSentUnderFullLoading`;
  const perConnection = names(`${TRANSFER_TIMES} ${test} TotalBytesReceived TotalBytesSent ${TCP_TIMES}`).map((n) => `PerConnectionResult.{i}.${n}`);
  const incremental = names(`${test} TotalBytesReceived TotalBytesSent StartTime EndTime`).map((n) => `IncrementalResult.{i}.${n}`);
  return [...names(`Status IPAddressUsed ${TRANSFER_TIMES} ${counters} PeriodOfFullLoading ${TCP_TIMES}`), ...perConnection, ...incremental];
}

const BY_PATH: ReadonlyMap<string, CommandSpec> = new Map(COMMANDS.map((c) => [c.path, c]));

/** Every command the gateway runs (for GetSupportedDM and documentation). */
export function supportedCommands(): readonly CommandSpec[] {
  return COMMANDS;
}

/** The spec of a command path whose instance segments are numbers, `*`,
 * `[…]` or `{i}`, e.g. "Device.DeviceInfo.FirmwareImage.*.Download()". */
export function commandSpecFor(pattern: string): CommandSpec | undefined {
  return BY_PATH.get(supportedPathOf(pattern));
}

/** "Device.X.2.Y.*.Z()" → "Device.X.{i}.Y.{i}.Z()"; search expressions too. */
export function supportedPathOf(path: string): string {
  return path.replace(/\.\[[^\]]*\](?=\.)/g, ".{i}").replace(/\.(\d+|\*)(?=\.)/g, ".{i}");
}

/** An async command that is running (its Device.LocalAgent.Request.{i} exists). */
export interface RunningCommand {
  requestInstance: number;
  /** Concrete command path, e.g. "Device.IP.Diagnostics.IPPing()". */
  command: string;
  kind: CommandKind;
  cwmpCommandKey: string;
}

/** What the Operate planner is told of the agent, passed in so it stays pure. */
export interface OperateEnv {
  /** Unique per Operate request; the i-th resolved command uses `${base}-${i}`
   * as its CWMP CommandKey (TR-069: string(32)). */
  commandKeyBase: string;
  /** Instance number the next Device.LocalAgent.Request row will get. */
  nextRequestInstance: number;
  running: readonly RunningCommand[];
}

/** An async command the CPE accepted: the agent layer creates its Request row
 * (R-OPR.0) and waits for what closes it. */
export interface StartedCommand {
  requestInstance: number;
  command: string;
  kind: CommandKind;
  cwmpCommandKey: string;
  /** The command already finished (Download answered with Status 0, TR-069 A.3.2.8). */
  finishedNow: boolean;
  /** Diagnostics: the CWMP object whose results are read back. */
  diagnosticsObject?: string;
  /** Activate: the FirmwareImage row that should be running after the boot. */
  image?: string;
  /** InstallDU: the ExecutionEnvRef asked for, reported as ExecEnvRef. */
  execEnvRef?: string;
  /** Download(): the file's URL, reported in TransferComplete!. */
  transferUrl?: string;
}

/** What one Operate changed besides its reply; applied by the agent layer. */
export interface OperateEffects {
  started: StartedCommand[];
  /** Request instances whose command the CPE canceled (Status Canceled, 7023). */
  canceled: number[];
  /** Reboot RPCs sent: their Boot! carries the controller's command_key. */
  reboots: { cwmpCommandKey: string; commandKey: string }[];
  /** A FactoryReset was sent: the next Boot! says RemoteFactoryReset. */
  factoryReset: boolean;
  /** SendOnBoardRequest(): the Controller rows to send an OnBoardRequest to. */
  onBoardRequests: string[];
}

export function noEffects(): OperateEffects {
  return { started: [], canceled: [], reboots: [], factoryReset: false, onBoardRequests: [] };
}

/** TR-069 A.3.2.8 / A.4.1.* CommandKey: string(32). */
export const MAX_COMMAND_KEY_LENGTH = 32;
