// One simulated CPE's parameter store. All per-device state lives in an
// instance (STYLE.md §2 src/sim/: many devices per process, no module state),
// and it stays small: the tree is the profile's until the first structural
// change, and only values that differ from the factory ones are kept.
import type { DeviceIdStruct, OperationStruct } from "../cwmp/rpc.js";
import type { QueuedTransfer } from "./transfers.js";
import { ensureChildTables, ensureObject, type CompiledProfile } from "./profile.js";
import { reportBoolean } from "./values.js";
import {
  addNode,
  OverlayTree,
  parentOf,
  removeSubtree,
  templateOf,
  walk,
  type NodeDef,
  type ParamDef,
  type TreeStore,
} from "./tree.js";

export interface DeviceIdentity {
  serialNumber: string;
  oui?: string;
  productClass?: string;
  manufacturer?: string;
}

/** What the ACS asked for that happens after the session (TR-069 A.3.2.7,
 * A.4.1.6): the CPE reboots or resets once the session has ended. */
export interface PendingActions {
  reboot: { commandKey: string } | undefined;
  factoryReset: boolean;
}

/** Work an RPC started that runs once the session has ended (jobs.ts):
 * transfers (TR-069 A.3.2.8), diagnostics (TR-069 Annex N / TR-181
 * DiagnosticsState), DU changes (A.4.1.14), scheduled informs (A.4.1.2). */
export type PendingWork =
  | { kind: "transfer"; transfer: QueuedTransfer }
  | { kind: "diagnostics"; object: string }
  | { kind: "duChange"; operations: readonly OperationStruct[]; commandKey: string }
  | { kind: "scheduleInform"; delaySeconds: number; commandKey: string };

/** TR-069 A.3.2.4 parameter attributes; absent means Notification 0, no AccessList. */
export interface ParameterAttributes {
  readonly notification: number;
  readonly accessList: readonly string[];
}

const NO_ATTRIBUTES: ParameterAttributes = { notification: 0, accessList: [] };

/** Factory values of one device: its identity written where the profile says
 * (DeviceInfo.SerialNumber follows DeviceId.SerialNumber) plus any extras. */
export function factoryValues(
  profile: CompiledProfile,
  identity: DeviceIdentity,
  extra: Record<string, string> = {},
): Map<string, string> {
  const ids = profile.identity;
  const values = new Map<string, string>([
    [ids.oui, identity.oui ?? profile.deviceId.oui],
    [ids.productClass, identity.productClass ?? profile.deviceId.productClass],
    [ids.manufacturer, identity.manufacturer ?? profile.deviceId.manufacturer],
  ]);
  if (ids.serialNumber !== undefined) values.set(ids.serialNumber, identity.serialNumber);
  for (const [name, value] of Object.entries(extra)) values.set(name, value);
  return values;
}

const NUMBER_OF_ENTRIES = "NumberOfEntries";

/** One node of a row being renumbered (DeviceModel.reverseRows). */
interface RowNode {
  readonly rel: string;
  readonly def: NodeDef;
  readonly value?: string;
  readonly attributes?: ParameterAttributes;
}

export class DeviceModel {
  readonly profile: CompiledProfile;
  readonly pending: PendingActions = { reboot: undefined, factoryReset: false };
  private tree: TreeStore;
  private readonly factory: ReadonlyMap<string, string>;
  private changed: Map<string, string> | undefined;
  /** Only parameters whose attributes differ from NO_ATTRIBUTES. */
  private attributes: Map<string, ParameterAttributes> | undefined;
  private work: PendingWork[] | undefined;
  /** Download / Upload / ScheduleDownload requests not yet reported
   * (GetAllQueuedTransfers, CancelTransfer); created on first use. */
  transfers: QueuedTransfer[] | undefined;
  private bootedAt: number;
  private readonly clock: () => number;
  /** The Inform's DeviceId serial when the profile's tree holds none. */
  private readonly serialNumber: string;

  constructor(profile: CompiledProfile, factory: ReadonlyMap<string, string>, clock: () => number = Date.now, serialNumber = "") {
    this.profile = profile;
    this.tree = profile.tree;
    this.factory = factory;
    this.clock = clock;
    this.bootedAt = clock();
    this.serialNumber = serialNumber;
  }

  node(name: string): NodeDef | undefined {
    return this.tree.node(name);
  }

  children(objectPath: string): readonly string[] {
    return this.tree.children(objectPath) ?? [];
  }

  walk(name: string, visit: (name: string, def: NodeDef) => void): void {
    walk(this.tree, name, visit);
  }

  /** The value the CPE holds, hidden or not; undefined for unknown names. */
  value(name: string): string | undefined {
    const def = this.tree.node(name);
    if (def?.kind !== "param") return undefined;
    if (def.dynamic === "uptime") return String(Math.floor((this.clock() - this.bootedAt) / 1000));
    if (def.dynamic === "now") return new Date(this.clock()).toISOString().replace(/\.\d{3}Z$/, "Z");
    // TR-106 convention: <Table>NumberOfEntries counts the rows of <Table>.
    if (name.endsWith(NUMBER_OF_ENTRIES)) {
      const rows = this.tree.children(name.slice(0, -NUMBER_OF_ENTRIES.length) + ".");
      if (rows !== undefined) return String(rows.length);
    }
    return this.changed?.get(name) ?? this.factory.get(name) ?? def.value;
  }

  /** The value as a GetParameterValues response shows it. */
  reported(name: string, def: ParamDef): string {
    if (def.hidden === true) return "";
    const value = this.value(name) ?? "";
    return def.type === "boolean" ? reportBoolean(value, this.profile.quirks) : value;
  }

  /** Stores a value without validation; false for unknown parameters. */
  setValue(name: string, value: string): boolean {
    if (this.tree.node(name)?.kind !== "param") return false;
    this.changed ??= new Map();
    this.changed.set(name, value);
    return true;
  }

  /** Creates the next row of a table with the profile's defaults; returns its
   * instance number. The caller has checked that `table` is a table. */
  addInstance(table: string): number {
    const tree = this.ownTree();
    // Tables created inside the new row start at 1 (nextInstance undefined).
    const number = tree.nextInstance(table) ?? 1;
    tree.putNextInstance(table, number + 1);
    const instance = `${table}${number}.`;
    const tables = this.profile.tables;
    ensureObject(tree, tables, instance);
    for (const [rel, def] of tables.get(templateOf(instance))?.defaults ?? []) {
      const name = instance + rel;
      const parent = parentOf(name);
      if (parent !== undefined) ensureObject(tree, tables, parent);
      addNode(tree, name, def);
    }
    ensureChildTables(tree, tables, instance);
    return number;
  }

  deleteInstance(instance: string): void {
    const removed = removeSubtree(this.ownTree(), instance);
    if (this.changed === undefined) return;
    for (const name of removed) this.changed.delete(name);
  }

  /** Renumbers a table's rows from 1 in reverse order, as CPEs that rebuild a
   * table at boot do (hosts, port mappings): each row keeps its values and
   * attributes, not its number. For tests of instance-number stability;
   * false when `table` ("….PortMapping.") is not a table of this device. */
  reverseRows(table: string): boolean {
    const def = this.tree.node(table);
    if (def?.kind !== "object" || !def.table) return false;
    const rows = [...this.children(table)];
    const snapshots = rows.map((row) => this.snapshot(row));
    // Attributes move with their rows, so none may stay behind on the old names.
    for (const row of rows) this.walk(row, (name) => this.attributes?.delete(name));
    for (const row of rows) this.deleteInstance(row);
    const tree = this.ownTree();
    snapshots.reverse().forEach((nodes, index) => {
      const instance = `${table}${index + 1}.`;
      for (const node of nodes) {
        const name = instance + node.rel;
        addNode(tree, name, node.def);
        if (node.value !== undefined) (this.changed ??= new Map()).set(name, node.value);
        if (node.attributes !== undefined) this.setAttribute(name, node.attributes);
      }
    });
    tree.putNextInstance(table, rows.length + 1);
    return true;
  }

  /** Simulated reboot: values survive, UpTime restarts. */
  reboot(): void {
    this.bootedAt = this.clock();
    this.pending.reboot = undefined;
  }

  /** Back to the profile's tree and this device's factory values. */
  factoryReset(): void {
    this.tree = this.profile.tree;
    this.changed = undefined;
    this.attributes = undefined;
    this.work = undefined;
    this.transfers = undefined;
    this.pending.factoryReset = false;
    this.pending.reboot = undefined;
    this.bootedAt = this.clock();
  }

  now(): number {
    return this.clock();
  }

  attribute(name: string): ParameterAttributes {
    return this.attributes?.get(name) ?? NO_ATTRIBUTES;
  }

  setAttribute(name: string, attributes: ParameterAttributes): void {
    if (attributes.notification === 0 && attributes.accessList.length === 0) {
      this.attributes?.delete(name);
      return;
    }
    this.attributes ??= new Map();
    this.attributes.set(name, attributes);
  }

  queueWork(work: PendingWork): void {
    (this.work ??= []).push(work);
  }

  /** The work queued during the session, in order; the queue is emptied. */
  takeWork(): PendingWork[] {
    const work = this.work ?? [];
    this.work = undefined;
    return work;
  }

  /** Empties a table the CPE fills itself (TraceRoute.RouteHops.); its rows
   * are numbered from 1 again, as CPEs do for result tables. */
  clearTable(table: string): void {
    for (const row of [...this.children(table)]) this.deleteInstance(row);
    if (this.node(table)?.kind === "object") this.ownTree().putNextInstance(table, 1);
  }

  deviceId(): DeviceIdStruct {
    const ids = this.profile.identity;
    return {
      manufacturer: this.value(ids.manufacturer) ?? "",
      oui: this.value(ids.oui) ?? "",
      productClass: this.value(ids.productClass) ?? "",
      serialNumber: ids.serialNumber === undefined ? this.serialNumber : (this.value(ids.serialNumber) ?? ""),
    };
  }

  /** A ManagementServer parameter by its relative name ("URL", "Username"). */
  managementServer(rel: string): string {
    return this.value(this.profile.managementServer + rel) ?? "";
  }

  /** A row's subtree in pre-order (parents first), names relative to the row,
   * with the values and attributes it holds beyond its definitions. */
  private snapshot(row: string): RowNode[] {
    const nodes: RowNode[] = [];
    this.walk(row, (name, def) => {
      const value = this.changed?.get(name) ?? this.factory.get(name);
      const attributes = this.attributes?.get(name);
      nodes.push({ rel: name.slice(row.length), def, ...(value !== undefined && { value }), ...(attributes !== undefined && { attributes }) });
    });
    return nodes;
  }

  private ownTree(): TreeStore {
    if (this.tree === this.profile.tree) this.tree = new OverlayTree(this.profile.tree);
    return this.tree;
  }
}
