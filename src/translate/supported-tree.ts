// The CPE's parameter tree folded onto supported paths, for GetSupportedDM:
// "…SSID.1." and "…SSID.2." both become "…SSID.{i}.", their parameters
// merged. CWMP has no supported data model of its own, so this is the
// closest truthful one: what the CPE really has, shown as a data model.
import type { TranslationContext } from "./context.js";
import { isInstanceRel } from "./unique-keys.js";
import { TR181, supportedPathOf, type SchemaObject } from "./schema.js";

export interface CpeParam {
  /** GetParameterNames Writable, true if any instance said so. */
  writable: boolean | undefined;
  /** xsd type seen in a GetParameterValues or Inform, if any. */
  xsdType: string | undefined;
}

/** One supported object as the CPE shows it, merged over its instances. */
export interface SupportedNode {
  path: string;
  multi: boolean;
  /** Writable of the table object (AddObject allowed) and of any instance
   * (DeleteObject allowed); undefined when the CPE did not say. */
  add: boolean | undefined;
  del: boolean | undefined;
  params: Map<string, CpeParam>;
  /** Instances seen on the CPE (tables). */
  instances: number;
  /** Described by the schema alone: a table without instances, or an object
   * the gateway serves. */
  schemaOnly: boolean;
}

/** Served by the gateway (DESIGN decision 8), never taken from the CPE. */
export const LOCAL_AGENT = "Device.LocalAgent.";
/** The agent's MQTT client is the gateway's (agent/local-agent/mqtt-client-model.ts):
 * served from Device.MQTT., a CPE's own Device.MQTT. is not shown. */
export const MQTT = "Device.MQTT.";
/** The part of Device.MQTT. the gateway serves: no broker, no user properties or
 * statistics; one client that controllers cannot add or delete. */
const SERVED_MQTT = new Set(["Device.MQTT.", "Device.MQTT.Capabilities.", "Device.MQTT.Client.{i}.", "Device.MQTT.Client.{i}.Subscription.{i}."]);

/** Is the supported path in a subtree the gateway serves? */
export function isGatewayServed(supportedPath: string): boolean {
  return supportedPath.startsWith(LOCAL_AGENT) || supportedPath.startsWith(MQTT);
}

// CWMP-only objects kept out of the USP view (mapping.md MS-1: the CWMP
// management server is not part of a USP agent's data model).
const HIDDEN = new Set(["Device.ManagementServer."]);

export function schemaNode(o: SchemaObject): SupportedNode {
  return { path: o.path, multi: o.isMultiInstance, add: undefined, del: undefined, params: new Map(), instances: 0, schemaOnly: true };
}

/** Is the concrete object `obj` (children `kids`) a table? The schema knows
 * for TR-181 names; otherwise an object whose children are all instances is
 * one (an empty object is taken for an empty table, as object-kind.ts does). */
export function isTableOnCpe(obj: string, kids: string[]): boolean {
  if (/\.[0-9]+\.$/.test(obj)) return false;
  const sp = supportedPathOf(obj);
  if (TR181.object(`${sp}{i}.`) !== undefined) return true;
  if (TR181.object(sp) !== undefined) return false;
  return kids.every(isInstanceRel);
}

/** The supported objects at and below the concrete object `cpePath`, from the
 * model's listing of that subtree (GetParameterNames NextLevel=false). */
export function cpeSupportedTree(cpePath: string, ctx: TranslationContext): Map<string, SupportedNode> {
  const tree = new Map<string, SupportedNode>();
  collect(cpePath, ctx, tree);
  fillEmptyTables(tree);
  if (cpePath === "Device.") for (const [path, node] of gatewayServedTree()) tree.set(path, node);
  return tree;
}

/** The gateway-served subtrees (Device.LocalAgent., its part of Device.MQTT.), from the schema alone. */
export function gatewayServedTree(): Map<string, SupportedNode> {
  const tree = new Map(TR181.subtree(LOCAL_AGENT).map((o) => [o.path, schemaNode(o)]));
  for (const o of TR181.subtree(MQTT)) {
    if (!SERVED_MQTT.has(o.path)) continue;
    const node = schemaNode(o);
    // The one client is the gateway's connection: not added or deleted by controllers.
    if (o.path === "Device.MQTT.Client.{i}.") tree.set(o.path, { ...node, add: false, del: false });
    else tree.set(o.path, node);
  }
  return tree;
}

function entry(tree: Map<string, SupportedNode>, path: string, multi: boolean): SupportedNode {
  let e = tree.get(path);
  if (e === undefined) {
    e = { path, multi, add: undefined, del: undefined, params: new Map(), instances: 0, schemaOnly: false };
    tree.set(path, e);
  }
  return e;
}

const anyTrue = (a: boolean | undefined, b: boolean | undefined): boolean | undefined => (a === true || b === true ? true : (a ?? b));

function collect(obj: string, ctx: TranslationContext, tree: Map<string, SupportedNode>): void {
  if (obj === LOCAL_AGENT || obj === MQTT || HIDDEN.has(obj)) return;
  const { model } = ctx;
  const kids = model.children(obj) ?? [];
  if (!isTableOnCpe(obj, kids)) {
    collectObject(obj, kids, false, ctx, tree);
    return;
  }
  const row = entry(tree, `${supportedPathOf(obj)}{i}.`, true);
  row.add = anyTrue(row.add, model.writable(obj));
  for (const rel of kids.filter(isInstanceRel)) {
    row.instances++;
    row.del = anyTrue(row.del, model.writable(obj + rel));
    collectObject(obj + rel, model.children(obj + rel) ?? [], true, ctx, tree);
  }
}

function collectObject(obj: string, kids: string[], multi: boolean, ctx: TranslationContext, tree: Map<string, SupportedNode>): void {
  const { model } = ctx;
  const e = entry(tree, supportedPathOf(obj), multi);
  for (const rel of kids) {
    if (rel.endsWith(".")) {
      collect(obj + rel, ctx, tree);
      continue;
    }
    const seen = e.params.get(rel);
    e.params.set(rel, {
      writable: anyTrue(seen?.writable, model.writable(obj + rel)),
      xsdType: seen?.xsdType ?? model.typeOf(obj + rel),
    });
  }
}

/** A table without an instance anywhere on the CPE cannot show its rows'
 * parameters over CWMP, so the schema speaks for its rows and everything
 * below them (nothing below them can have been listed). */
function fillEmptyTables(tree: Map<string, SupportedNode>): void {
  for (const e of [...tree.values()]) {
    if (!e.multi || e.instances > 0) continue;
    e.schemaOnly = true;
    for (const o of TR181.subtree(e.path)) if (!tree.has(o.path)) tree.set(o.path, schemaNode(o));
  }
}
