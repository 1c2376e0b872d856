// Device profiles are data (STYLE.md §2 src/sim/): a JSON file describes one
// CPE model's parameters, tables and quirks. It is parsed and compiled once
// into a read-only tree that every simulated device of that model shares.
import { readFileSync } from "node:fs";
import { z } from "zod";
import { CWMP_NAMESPACE_1_0 } from "../cwmp/rpc.js";
import {
  addNode,
  MapTree,
  parentOf,
  templateOf,
  type NodeDef,
  type ObjectDef,
  type ParamDef,
  type TreeStore,
} from "./tree.js";

/** Per-profile CPE behaviours seen in the field, read by cpe.ts and
 * data-model.ts only through this record (STYLE.md §4.4). */
export interface Quirks {
  /** Return the ACS's session cookie on every POST (TR-069 §3.4.2). */
  sendsCookies: boolean;
  /** Re-send the previous session's cookie on the next Inform, as genieacs-sim
   * and many real CPEs do (cwmp.md §2.1). */
  reuseStaleCookie: boolean;
  /** Send Content-Type on the empty POST like genieacs-sim (cwmp.md §6.5). */
  emptyPostContentType: boolean;
  /** The cwmp namespace URI the CPE speaks. */
  cwmpNamespace: string;
  /** Accept partial paths in GetParameterValues; picky CPEs answer 9005. */
  partialPathGpv: boolean;
  /** Accept GetParameterNames with ParameterPath "" (SAGEMCOM rejects it,
   * genieacs#74). */
  rootGpn: boolean;
  /** Literal the CPE reports booleans with. */
  booleanLiteral: "true" | "1";
  /** Reject the other boolean literal in SetParameterValues with 9007, like the
   * TP-Link TD-W9970 (genieacs#228). */
  strictBooleanLiteral: boolean;
}

export const DEFAULT_QUIRKS: Quirks = {
  sendsCookies: true,
  reuseStaleCookie: false,
  emptyPostContentType: false,
  cwmpNamespace: CWMP_NAMESPACE_1_0,
  partialPathGpv: true,
  rootGpn: true,
  booleanLiteral: "true",
  strictBooleanLiteral: false,
};

const xsdType = z.enum([
  "string",
  "boolean",
  "int",
  "unsignedInt",
  "long",
  "unsignedLong",
  "dateTime",
  "base64",
  "hexBinary",
]);
const constraints = z
  .object({
    enum: z.array(z.string()).optional(),
    min: z.number().optional(),
    max: z.number().optional(),
    maxLength: z.number().int().positive().optional(),
    hidden: z.boolean().optional(),
    dynamic: z.enum(["uptime", "now"]).optional(),
    /** TR-181 activeNotify="canDeny": the CPE rejects active notification
     * with 9009 (TR-069 A.3.2.4). */
    activeNotify: z.literal("canDeny").optional(),
  })
  .strict();
/** [type, writable, value, constraints?] keeps ~300 parameters readable. */
const paramTuple = z.union([
  z.tuple([xsdType, z.boolean(), z.string()]),
  z.tuple([xsdType, z.boolean(), z.string(), constraints]),
]);
const identityPaths = z.object({
  manufacturer: z.string(),
  oui: z.string(),
  productClass: z.string(),
  /** Absent when the device's tree does not hold its Inform serial (the
   * BM632w reports DeviceInfo.SerialNumber "0"): the DeviceId then carries
   * each simulated device's own serial. */
  serialNumber: z.string().optional(),
});
const profileSchema = z
  .object({
    id: z.string(),
    description: z.string().optional(),
    /** Generated profiles name their generator and sources' sha256. */
    generatedBy: z.string().optional(),
    sources: z.record(z.string()).optional(),
    root: z.string().regex(/^[A-Za-z]+\.$/),
    /** serialNumber: the original device's, for reference; simulated devices
     * get their own. */
    deviceId: z.object({ manufacturer: z.string(), oui: z.string(), productClass: z.string(), serialNumber: z.string().optional() }),
    identity: identityPaths,
    managementServer: z.string().endsWith("."),
    informParameters: z.array(z.string()),
    quirks: z
      .object({
        sendsCookies: z.boolean(),
        reuseStaleCookie: z.boolean(),
        emptyPostContentType: z.boolean(),
        cwmpNamespace: z.string(),
        partialPathGpv: z.boolean(),
        rootGpn: z.boolean(),
        booleanLiteral: z.enum(["true", "1"]),
        strictBooleanLiteral: z.boolean(),
      })
      .partial()
      .strict()
      .default({}),
    tables: z.record(
      z.string().endsWith(".{i}."),
      z.object({ writable: z.boolean(), defaults: z.record(paramTuple).default({}) }).strict(),
    ),
    parameters: z.record(paramTuple),
    /** Objects neither a parameter nor a table implies: empty ones, and ones
     * a real device reports writable although they are not tables. */
    objects: z.record(z.string().endsWith("."), z.object({ writable: z.boolean() }).strict()).default({}),
  })
  .strict();

export type ProfileSource = z.input<typeof profileSchema>;

export interface TableDef {
  readonly writable: boolean;
  /** Parameters a new instance gets, relative to the instance ("Enable"). */
  readonly defaults: ReadonlyArray<readonly [string, ParamDef]>;
}

export interface IdentityPaths {
  readonly manufacturer: string;
  readonly oui: string;
  readonly productClass: string;
  readonly serialNumber?: string;
}

export interface CompiledProfile {
  readonly id: string;
  readonly root: string;
  readonly deviceId: { readonly manufacturer: string; readonly oui: string; readonly productClass: string };
  /** Where the Inform's DeviceId fields live in the tree. */
  readonly identity: IdentityPaths;
  /** "Device.ManagementServer." — URL, Username, ConnectionRequestURL… below it. */
  readonly managementServer: string;
  /** Forced Inform parameters (TR-181 forcedInform="true"). */
  readonly informParameters: readonly string[];
  readonly quirks: Quirks;
  /** Shared by every device until it adds or deletes an object. */
  readonly tree: MapTree;
  /** Keyed by instance template, e.g. "Device.NAT.PortMapping.{i}.". */
  readonly tables: ReadonlyMap<string, TableDef>;
}

export type ProfileResult = { ok: true; profile: CompiledProfile } | { ok: false; error: string };

type ParamTuple = z.infer<typeof paramTuple>;

function toParamDef(tuple: ParamTuple): ParamDef {
  const [type, writable, rawValue, c] = tuple;
  // Booleans are stored canonically; the reported literal is a quirk.
  const value = type === "boolean" ? String(/^(true|1)$/i.test(rawValue)) : rawValue;
  return {
    kind: "param",
    type,
    writable,
    value,
    ...(c?.enum !== undefined && { enumeration: c.enum }),
    ...(c?.min !== undefined && { min: c.min }),
    ...(c?.max !== undefined && { max: c.max }),
    ...(c?.maxLength !== undefined && { maxLength: c.maxLength }),
    ...(c?.hidden === true && { hidden: true }),
    ...(c?.dynamic !== undefined && { dynamic: c.dynamic }),
    ...(c?.activeNotify !== undefined && { activeNotify: c.activeNotify }),
  };
}

/** What kind of object a path is, decided by the profile's table list. */
export function objectDefFor(tables: ReadonlyMap<string, TableDef>, path: string): ObjectDef {
  const asTable = tables.get(templateOf(path) + "{i}.");
  if (asTable !== undefined) return { kind: "object", writable: asTable.writable, table: true, instance: false };
  const asInstance = /\.\d+\.$/.test(path) ? tables.get(templateOf(path)) : undefined;
  if (asInstance !== undefined) {
    return { kind: "object", writable: asInstance.writable, table: false, instance: true };
  }
  return { kind: "object", writable: false, table: false, instance: false };
}

/** Creates an object and any missing ancestors. */
export function ensureObject(tree: TreeStore, tables: ReadonlyMap<string, TableDef>, path: string): void {
  if (tree.node(path) !== undefined) return;
  const parent = parentOf(path);
  if (parent !== undefined) ensureObject(tree, tables, parent);
  addNode(tree, path, objectDefFor(tables, path));
}

/** Creates the (empty) tables that belong directly under an object, so an
 * empty table such as NAT.PortMapping. is still addressable. */
export function ensureChildTables(tree: TreeStore, tables: ReadonlyMap<string, TableDef>, objectPath: string): void {
  const template = templateOf(objectPath);
  for (const key of tables.keys()) {
    const tableTemplate = key.slice(0, -"{i}.".length);
    if (parentOf(tableTemplate) !== template) continue;
    const last = tableTemplate.slice(template.length);
    ensureObject(tree, tables, objectPath + last);
  }
}

function buildTree(source: z.output<typeof profileSchema>, tables: Map<string, TableDef>): MapTree {
  const tree = new MapTree();
  ensureObject(tree, tables, source.root);
  for (const [name, tuple] of Object.entries(source.parameters)) {
    const parent = parentOf(name);
    if (parent === undefined || !name.startsWith(source.root)) throw new Error(`parameter ${name} is outside ${source.root}`);
    ensureObject(tree, tables, parent);
    if (!addNode(tree, name, toParamDef(tuple))) throw new Error(`duplicate parameter ${name}`);
  }
  for (const key of tables.keys()) {
    if (!key.slice(0, -"{i}.".length).includes("{i}")) ensureObject(tree, tables, key.slice(0, -"{i}.".length));
  }
  for (const [name, { writable }] of Object.entries(source.objects)) {
    if (!name.startsWith(source.root)) throw new Error(`object ${name} is outside ${source.root}`);
    ensureObject(tree, tables, name);
    const def = tree.nodes.get(name);
    // Tables and rows take their writability from the table list.
    if (def?.kind === "object" && !def.table && !def.instance) tree.putNode(name, { ...def, writable });
  }
  for (const [name, def] of [...tree.nodes]) {
    if (def.kind === "object") ensureChildTables(tree, tables, name);
  }
  for (const [name, def] of tree.nodes) {
    if (def.kind !== "object" || !def.table) continue;
    const numbers = (tree.children(name) ?? []).map((c) => Number(c.slice(name.length, -1)));
    tree.putNextInstance(name, Math.max(0, ...numbers) + 1);
  }
  return tree;
}

export function compileProfile(input: unknown): ProfileResult {
  const parsed = profileSchema.safeParse(input);
  if (!parsed.success) return { ok: false, error: parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ") };
  const source = parsed.data;
  const tables = new Map<string, TableDef>();
  for (const [key, t] of Object.entries(source.tables)) {
    const defaults = Object.entries(t.defaults).map(([rel, tuple]) => [rel, toParamDef(tuple)] as const);
    tables.set(key, { writable: t.writable, defaults });
  }
  let tree: MapTree;
  try {
    tree = buildTree(source, tables);
  } catch (err) {
    return { ok: false, error: (err as Error).message };
  }
  const required = [...source.informParameters, ...Object.values(source.identity).filter((p): p is string => p !== undefined)];
  const missing = required.filter((p) => tree.nodes.get(p)?.kind !== "param");
  if (missing.length > 0) return { ok: false, error: `unknown parameters referenced: ${missing.join(", ")}` };
  const profile: CompiledProfile = {
    id: source.id,
    root: source.root,
    deviceId: source.deviceId,
    identity: source.identity,
    managementServer: source.managementServer,
    informParameters: source.informParameters,
    quirks: { ...DEFAULT_QUIRKS, ...source.quirks },
    tree,
    tables,
  };
  return { ok: true, profile };
}

/** Loads a bundled profile by name ("tr181-gateway") or a JSON file by path. */
export function loadProfile(nameOrPath = "tr181-gateway"): ProfileResult {
  const url = /[/\\]|\.json$/.test(nameOrPath)
    ? nameOrPath
    : new URL(`./profiles/${nameOrPath}.json`, import.meta.url);
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(url, "utf8"));
  } catch (err) {
    return { ok: false, error: `cannot read profile ${String(url)}: ${(err as Error).message}` };
  }
  return compileProfile(json);
}

/** Overrides quirks without recompiling: the tree stays shared. */
export function withQuirks(profile: CompiledProfile, quirks: Partial<Quirks>): CompiledProfile {
  return { ...profile, quirks: { ...profile.quirks, ...quirks } };
}

export type { NodeDef };
