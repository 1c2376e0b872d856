// Software module management on a simulated CPE (TR-069 A.4.1.14
// ChangeDUState, A.3.3.4 DUStateChangeComplete, Annex H; TR-181
// Device.SoftwareModules.). The RPC only queues the operations; after the
// session they run in order against the DeploymentUnit / ExecutionUnit
// tables, and a session with "11 DU STATE CHANGE COMPLETE" + "M ChangeDUState"
// carries one OpResultStruct per operation.
import { createHash } from "node:crypto";
import type {
  ChangeDUState,
  ChangeDUStateResponse,
  CwmpFault,
  FaultStruct,
  InstallOpStruct,
  OperationStruct,
  OpResultStruct,
  UninstallOpStruct,
  UpdateOpStruct,
} from "../cwmp/rpc.js";
import type { DeviceModel } from "./device-model.js";
import { downloadFile, supportedScheme } from "./file-transfer.js";
import type { JobHost } from "./jobs.js";
import { versionFromImage } from "./transfers.js";
import { isoSeconds } from "./values.js";

const UUID = /^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}$/;
/** DeploymentUnitFaultStruct codes (cwmp-1-2.xsd) with their Table A.5 strings. */
const DU_FAULTS: Readonly<Record<number, string>> = {
  9003: "Invalid arguments",
  9012: "File transfer server authentication failure",
  9013: "Unsupported protocol for file transfer",
  9015: "File transfer failure: unable to contact file server",
  9016: "File transfer failure: unable to access file",
  9017: "File transfer failure: unable to complete download",
  9018: "File transfer failure: file corrupted",
  9022: "Invalid UUID Format",
  9023: "Unknown Execution Environment",
  9024: "Disabled Execution Environment",
  9026: "Duplicate Deployment Unit",
  9028: "Unknown Deployment Unit",
  9030: "Invalid Deployment Unit Update - Downgrade not permitted",
  9031: "Invalid Deployment Unit Update - Version not specified",
  9032: "Invalid Deployment Unit Update - Version already exists",
};

class DuFault extends Error {
  constructor(readonly code: number) {
    super(DU_FAULTS[code] ?? "Internal error");
  }
}

/** TR-069 A.4.1.14: the operations are checked for shape only; what fails
 * later is reported per operation in DUStateChangeComplete. */
export function changeDUState(dm: DeviceModel, req: ChangeDUState): ChangeDUStateResponse | CwmpFault {
  if (req.operations.length === 0) return { faultCode: 9003, faultString: "Invalid arguments", setParameterValuesFaults: [] };
  dm.queueWork({ kind: "duChange", operations: req.operations, commandKey: req.commandKey });
  return { method: "ChangeDUStateResponse" };
}

function tables(dm: DeviceModel): { du: string; eu: string; ee: string } {
  const base = `${dm.profile.root}SoftwareModules.`;
  return { du: `${base}DeploymentUnit.`, eu: `${base}ExecutionUnit.`, ee: `${base}ExecEnv.` };
}

/** Rows of the DeploymentUnit table whose UUID (and Version, if given) match. */
function findUnits(dm: DeviceModel, uuid: string | undefined, version?: string): string[] {
  return dm.children(tables(dm).du).filter(
    (row) => (uuid === undefined || dm.value(row + "UUID")?.toLowerCase() === uuid.toLowerCase()) && (version === undefined || dm.value(row + "Version") === version),
  );
}

/** A name-based UUID (RFC 4122 §4.3 layout, version 5) from the device and
 * the URL, so the same install gets the same UUID on every run. */
function uuidFor(serial: string, url: string): string {
  const h = createHash("sha1").update(`${serial}\n${url}`).digest("hex");
  const variant = ((parseInt(h.slice(16, 18), 16) & 0x3f) | 0x80).toString(16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${variant}${h.slice(18, 20)}-${h.slice(20, 32)}`;
}

/** "Device.SoftwareModules.ExecEnv.1", with or without the trailing dot, or
 * the old relative ".SoftwareModules.ExecEnv.1." form (cwmp-1-2.xsd). */
function execEnvRow(dm: DeviceModel, ref: string | undefined): string {
  const { ee } = tables(dm);
  if (ref === undefined || ref === "") return dm.children(ee)[0] ?? `${ee}1.`;
  const path = (ref.startsWith(".") ? dm.profile.root.slice(0, -1) + ref : ref).replace(/\.?$/, ".");
  if (!dm.children(ee).includes(path)) throw new DuFault(9023);
  if (dm.value(path + "Enable") !== "true") throw new DuFault(9024);
  return path;
}

async function fetchUnit(url: string, username: string | undefined, password: string | undefined): Promise<void> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new DuFault(9003);
  }
  if (!supportedScheme(parsed)) throw new DuFault(9013);
  const outcome = await downloadFile(parsed, username ?? "", password ?? "");
  if (!outcome.ok) throw new DuFault(DU_FAULTS[outcome.faultCode] !== undefined ? outcome.faultCode : 9017);
}

function unitName(url: string): string {
  const file = url.replace(/[?#].*$/, "").split("/").filter((s) => s !== "").pop() ?? "unit";
  return file.replace(/\.(tar|gz|tgz|ipk|zip|img|bin)$/gi, "").replace(/[-_]v?\d+(?:\.\d+)+.*$/, "") || "unit";
}

const ref = (row: string): string => row.slice(0, -1);

async function install(dm: DeviceModel, op: InstallOpStruct): Promise<Partial<OpResultStruct>> {
  if (op.uuid !== undefined && !UUID.test(op.uuid)) throw new DuFault(9022);
  const ee = execEnvRow(dm, op.executionEnvRef);
  const uuid = op.uuid ?? uuidFor(dm.deviceId().serialNumber, op.url);
  if (findUnits(dm, uuid).length > 0) throw new DuFault(9026);
  await fetchUnit(op.url, op.username, op.password);
  const { du, eu } = tables(dm);
  const version = versionFromImage(op.url) ?? "1.0";
  const name = unitName(op.url);
  const now = isoSeconds(dm.now());
  const euRow = `${eu}${dm.addInstance(eu)}.`;
  const duRow = `${du}${dm.addInstance(du)}.`;
  const vendor = dm.deviceId().manufacturer;
  const n = duRow.slice(du.length, -1);
  const m = euRow.slice(eu.length, -1);
  const duValues = { UUID: uuid, DUID: `du-${n}`, Alias: `cpe-du-${n}`, Name: name, Status: "Installed", Resolved: "true", URL: op.url, Vendor: vendor, Version: version, ExecutionUnitList: ref(euRow), ExecutionEnvRef: ref(ee), Installed: now, LastUpdate: now };
  const euValues = { EUID: `eu-${m}`, Alias: `cpe-eu-${m}`, Name: name, ExecEnvLabel: name, Status: "Idle", RequestedState: "Idle", Vendor: vendor, Version: version, ExecutionEnvRef: ref(ee), CreationTime: now };
  for (const [k, v] of Object.entries(duValues)) dm.setValue(duRow + k, v);
  for (const [k, v] of Object.entries(euValues)) dm.setValue(euRow + k, v);
  return { uuid, deploymentUnitRef: ref(duRow), version, currentState: "Installed", resolved: true, executionUnitRefList: ref(euRow) };
}

function compareVersions(a: string, b: string): number {
  const pa = a.split(/[.-]/).map((x) => parseInt(x, 10) || 0);
  const pb = b.split(/[.-]/).map((x) => parseInt(x, 10) || 0);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) if ((pa[i] ?? 0) !== (pb[i] ?? 0)) return (pa[i] ?? 0) - (pb[i] ?? 0);
  return 0;
}

async function updateOne(dm: DeviceModel, row: string, op: UpdateOpStruct): Promise<Partial<OpResultStruct>> {
  const url = op.url ?? dm.value(row + "URL") ?? "";
  const current = dm.value(row + "Version") ?? "";
  const version = versionFromImage(url);
  if (version === undefined) throw new DuFault(9031);
  if (compareVersions(version, current) === 0) throw new DuFault(9032);
  if (compareVersions(version, current) < 0) throw new DuFault(9030);
  await fetchUnit(url, op.username, op.password);
  dm.setValue(row + "Version", version);
  dm.setValue(row + "URL", url);
  dm.setValue(row + "LastUpdate", isoSeconds(dm.now()));
  const eus = (dm.value(row + "ExecutionUnitList") ?? "").split(",").filter((e) => e !== "");
  for (const e of eus) dm.setValue(`${e}.Version`, version);
  return { uuid: dm.value(row + "UUID") ?? "", deploymentUnitRef: ref(row), version, currentState: "Installed", resolved: true, executionUnitRefList: eus.join(",") };
}

/** No UUID and no URL: every installed DU (A.4.1.14); else the one by UUID,
 * or by URL. */
function updateTargets(dm: DeviceModel, op: UpdateOpStruct): string[] {
  if (op.uuid !== undefined) return findUnits(dm, op.uuid, op.version);
  if (op.url !== undefined) return dm.children(tables(dm).du).filter((row) => unitName(dm.value(row + "URL") ?? "") === unitName(op.url ?? ""));
  return [...dm.children(tables(dm).du)];
}

function uninstall(dm: DeviceModel, op: UninstallOpStruct): Partial<OpResultStruct> {
  if (!UUID.test(op.uuid)) throw new DuFault(9022);
  const row = findUnits(dm, op.uuid, op.version)[0];
  if (row === undefined) throw new DuFault(9028);
  const eus = (dm.value(row + "ExecutionUnitList") ?? "").split(",").filter((e) => e !== "");
  const result = { uuid: op.uuid, deploymentUnitRef: ref(row), version: dm.value(row + "Version") ?? "", currentState: "Uninstalled", resolved: true, executionUnitRefList: eus.join(",") };
  for (const e of eus) if (dm.node(`${e}.`) !== undefined) dm.deleteInstance(`${e}.`);
  dm.deleteInstance(row);
  return result;
}

/** One operation → its results (an update of "all" may touch several DUs). */
async function perform(dm: DeviceModel, op: OperationStruct): Promise<OpResultStruct[]> {
  const startTime = isoSeconds(dm.now());
  const ok: FaultStruct = { faultCode: 0, faultString: "" };
  const complete = (r: Partial<OpResultStruct>, fault = ok): OpResultStruct => ({
    uuid: r.uuid ?? "",
    deploymentUnitRef: r.deploymentUnitRef ?? "",
    version: r.version ?? "",
    currentState: r.currentState ?? "Failed",
    resolved: r.resolved ?? false,
    executionUnitRefList: r.executionUnitRefList ?? "",
    startTime,
    completeTime: isoSeconds(dm.now()),
    fault,
  });
  try {
    if (op.type === "Install") return [complete(await install(dm, op))];
    if (op.type === "Uninstall") return [complete(uninstall(dm, op))];
    const rows = updateTargets(dm, op);
    if (rows.length === 0) throw new DuFault(9028);
    const out: OpResultStruct[] = [];
    for (const row of rows) {
      try {
        out.push(complete(await updateOne(dm, row, op)));
      } catch (err) {
        const code = err instanceof DuFault ? err.code : 9002;
        // A failed update leaves the DU installed as it was (Annex H).
        out.push(complete({ uuid: dm.value(row + "UUID") ?? "", deploymentUnitRef: ref(row), version: dm.value(row + "Version") ?? "", currentState: "Installed", resolved: true }, { faultCode: code, faultString: DU_FAULTS[code] ?? "Internal error" }));
      }
    }
    return out;
  } catch (err) {
    const code = err instanceof DuFault ? err.code : 9002;
    const state = op.type === "Install" ? "Failed" : "Installed";
    return [complete({ uuid: op.uuid ?? "", currentState: state, resolved: false }, { faultCode: code, faultString: DU_FAULTS[code] ?? "Internal error" })];
  }
}

/** Runs the queued operations in order and reports them (jobs.ts). */
export async function runDuChange(host: JobHost, operations: readonly OperationStruct[], commandKey: string): Promise<void> {
  const results: OpResultStruct[] = [];
  for (const op of operations) results.push(...(await perform(host.model, op)));
  host.report({
    events: [
      { eventCode: "11 DU STATE CHANGE COMPLETE", commandKey: "" },
      { eventCode: "M ChangeDUState", commandKey },
    ],
    request: { method: "DUStateChangeComplete", results, commandKey },
  });
}
