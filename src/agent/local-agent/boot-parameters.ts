// Device.LocalAgent.Controller.{i}.BootParameter.{i}. (TR-181 2.19 USP,
// profile Reboot:1): each Controller names the parameters its Boot! event
// carries in ParameterMap. Rows are added, set and deleted by controllers and
// kept in the store like Subscription rows. Controller rows are numbered in
// configuration order, so a stored row names its Controller by EndpointID.
import type { LocalRpc } from "./local-agents.js";
import type { LocalParam, LocalTree } from "./local-tree.js";

export const CONTROLLER_TABLE_PREFIX = "Device.LocalAgent.Controller.";
/** The store key (Store.putAgentRows) of every Controller's rows together. */
export const BOOT_PARAMETER_ROWS = "Device.LocalAgent.Controller.{i}.BootParameter.";
/** Stored with a row beside its parameters. */
const CONTROLLER_ENDPOINT = "ControllerEndpointID";
const PERSISTED = ["Alias", "Enable", "ParameterName"];
/** TR-181 ParameterName: string(256). */
const MAX_NAME = 256;

const BOOT_PARAMETER_TABLE = /^Device\.LocalAgent\.Controller\.\d+\.BootParameter\.$/;
const BOOT_PARAMETER_PATH = /^Device\.LocalAgent\.Controller\.\d+\.BootParameter\./;

/** A stored row: its Controller, its instance number in that Controller's table, its values. */
export interface BootParameterRow {
  instance: number;
  values: Record<string, string>;
}

const rw = (type: string, value: string, validate: (v: string) => number | undefined): LocalParam => ({ type, writable: true, value, validate });

/** Defines `<controllerRow>BootParameter.` (writable table) and its count. */
export function addBootParameterTable(tree: LocalTree, controllerRow: string): void {
  const table = `${controllerRow}BootParameter.`;
  tree.addParam(`${controllerRow}BootParameterNumberOfEntries`, { type: "xsd:unsignedInt", writable: false, value: () => String(tree.rows(table).length) });
  tree.defineTable(table, {
    writable: true,
    params: {
      // Unique keys the controller does not supply are assigned (R-ADD.5).
      Alias: (i) => rw("xsd:string", `cpe-${i}`, (v) => (v.length > 64 ? 9007 : undefined)),
      Enable: () => rw("xsd:boolean", "false", (v) => (/^(true|false|1|0)$/i.test(v) ? undefined : 9006)),
      ParameterName: () => rw("xsd:string", "", (v) => (v.length > MAX_NAME || (v !== "" && !v.startsWith("Device.")) ? 9007 : undefined)),
    },
  });
}

/** Puts stored rows back under their Controller's row in today's
 * configuration; rows of a Controller no longer configured are dropped. */
export function restoreBootParameters(tree: LocalTree, rows: BootParameterRow[]): void {
  for (const row of rows) {
    const controller = controllerRow(tree, row.values[CONTROLLER_ENDPOINT] ?? "");
    if (controller === undefined) continue;
    const table = `${controller}BootParameter.`;
    tree.createRow(table, row.instance);
    for (const rel of PERSISTED) {
      const value = row.values[rel];
      if (value !== undefined) tree.setValue(`${table}${row.instance}.${rel}`, value);
    }
  }
}

/** Every Controller's rows, for the store. */
export function exportBootParameters(tree: LocalTree): BootParameterRow[] {
  const out: BootParameterRow[] = [];
  for (const c of tree.rows(CONTROLLER_TABLE_PREFIX)) {
    const table = `${CONTROLLER_TABLE_PREFIX}${c}.BootParameter.`;
    const endpointId = tree.value(`${CONTROLLER_TABLE_PREFIX}${c}.EndpointID`) ?? "";
    for (const instance of tree.rows(table)) {
      const values: Record<string, string> = { [CONTROLLER_ENDPOINT]: endpointId };
      for (const rel of PERSISTED) values[rel] = tree.value(`${table}${instance}.${rel}`) ?? "";
      out.push({ instance, values });
    }
  }
  return out;
}

/** The ParameterName of each enabled row of the Controller with this
 * EndpointID, in row order, without duplicates or empty names. */
export function bootParameterNames(tree: LocalTree, controllerEndpointId: string): string[] {
  const controller = controllerRow(tree, controllerEndpointId);
  if (controller === undefined) return [];
  const table = `${controller}BootParameter.`;
  const names = tree
    .rows(table)
    .filter((i) => tree.value(`${table}${i}.Enable`) === "true")
    .map((i) => tree.value(`${table}${i}.ParameterName`) ?? "")
    .filter((n) => n !== "");
  return [...new Set(names)];
}

export function touchesBootParameters(rpc: LocalRpc): boolean {
  switch (rpc.method) {
    case "SetParameterValues":
      return rpc.parameterList.some((p) => BOOT_PARAMETER_PATH.test(p.name));
    case "AddObject":
      return BOOT_PARAMETER_TABLE.test(rpc.objectName);
    case "DeleteObject":
      return BOOT_PARAMETER_PATH.test(rpc.objectName);
    case "GetParameterNames":
    case "GetParameterValues":
      return false;
  }
}

/** "Device.LocalAgent.Controller.2." for a configured Controller, else undefined. */
function controllerRow(tree: LocalTree, endpointId: string): string | undefined {
  const instance = tree.rows(CONTROLLER_TABLE_PREFIX).find((i) => tree.value(`${CONTROLLER_TABLE_PREFIX}${i}.EndpointID`) === endpointId);
  return instance === undefined ? undefined : `${CONTROLLER_TABLE_PREFIX}${instance}.`;
}
