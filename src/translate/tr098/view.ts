// The TR-181 tree a TR-098 CPE shows to USP controllers, computed from one
// consistent snapshot of its TR-098 tree (mapping.md §5.3: one GPV per USP
// request, never fragments of different ages), the rules and the stable
// instance map. Besides names, values, types and writability, each TR-181
// parameter and row remembers where it came from (its binding), so that
// rpc-map.ts can turn writes back into TR-098 RPCs.
//
// Every TR-098 parameter no rule consumes is mirrored under
// Device.<extensionObject>. with its TR-098 path (minus the root): nothing the
// CPE has is out of reach (issue 4, "nothing is silently lost").
import { TR181, supportedPathOf } from "../schema.js";
import { templateOf } from "../unique-keys.js";
import { splitPath } from "../device-model.js";
import type { CompiledParam, CompiledRules, ObjectRule } from "./rules.js";
import { reconcile, type CandidateRow, type InstanceMapState } from "./instance-map.js";
import { addInterfaceStack } from "./interface-stack.js";
import { GROUPINGS, TRANSFORMS, base64ToHex, canonicalBoolean, scaleUp } from "./transforms.js";

export const TR098_ROOT = "InternetGatewayDevice.";

/** The CPE's TR-098 tree as read in one go: GPN (names, writability) + GPV. */
export interface Tr098Snapshot {
  /** Parameter name → value and the xsd type the CPE declared. */
  values: ReadonlyMap<string, { value: string; type: string }>;
  /** Every name GPN listed (objects end in "."), with its Writable flag. */
  writable: ReadonlyMap<string, boolean>;
}

export type Binding =
  | { kind: "src"; spec: Extract<CompiledParam, { kind: "src" }>; names: string[] }
  | { kind: "fn"; fn: string; srcNames: string[]; members: string[]; aliases: Map<string, Map<string, string>> }
  | { kind: "mirror"; name: string }
  /** Item `index` of the comma-separated TR-098 list `list` (rule `explode`). */
  | { kind: "item"; list: string; index: number }
  | { kind: "fixed" }
  /** Follows from the TR-098 structure (references like Interface, LowerLayers):
   * a Set is accepted with the current value, which changes nothing. */
  | { kind: "structural" };

export interface ViewParam {
  value: string;
  writable: boolean;
  /** The xsd type for the TR-181 parameter. */
  type: string;
  bind: Binding;
}

export interface ViewRow {
  rule: ObjectRule;
  /** TR-098 source object(s), grouped rows list every member. */
  members: string[];
}

export interface ViewObject {
  writable: boolean;
  /** Table object ("Device.NAT.PortMapping."): the TR-098 tables an Add may go to. */
  addTargets?: { rule: ObjectRule; table: string }[];
  row?: ViewRow;
  /** Mirrored TR-098 object path. */
  mirror?: string;
}

export interface View {
  params: Map<string, ViewParam>;
  objects: Map<string, ViewObject>;
  /** Object path → names of its direct children (objects end in "."), in order. */
  children: Map<string, string[]>;
  /** TR-098 parameter → the TR-181 parameters computed from it. */
  fromTr098: Map<string, string[]>;
  /** TR-098 object path → the TR-181 row path it feeds (primary rule). */
  rowBySource: Map<string, string>;
  /** TR-098 parameters consumed by rules (the rest is mirrored). */
  consumed: Set<string>;
  extensionRoot: string;
  /** True when reconciling changed the instance map (it must be saved). */
  instanceMapChanged: boolean;
}

interface Row {
  rule: ObjectRule;
  /** TR-181 row path, "Device.NAT.PortMapping.3." */
  path: string;
  source: string;
  members: string[];
  /** Values visible to the rule's sources (first member's). */
  sourceValue: (rel: string) => string | undefined;
  /** Rows exploded from a list parameter: which item. */
  item?: { list: string; index: number; value: string };
}

export function buildView(snap: Tr098Snapshot, rules: CompiledRules, instances: InstanceMapState): View {
  const objectsOnCpe = indexObjects(cpeObjects(snap));
  const view: View = {
    params: new Map(),
    objects: new Map(),
    children: new Map(),
    fromTr098: new Map(),
    rowBySource: new Map(),
    consumed: new Set(),
    extensionRoot: `Device.${rules.extensionObject}.`,
    instanceMapChanged: false,
  };
  const rowsByRule = new Map<string, Row[]>();
  const done = new Set<string>();
  const valueAt = (name: string): string | undefined => snap.values.get(name)?.value;

  // Pass 1: rows and their instance numbers, rules feeding one table together.
  for (const first of rules.objects) {
    if (done.has(first.tr181)) continue;
    done.add(first.tr181);
    const sameTable = rules.objects.filter((r) => r.tr181 === first.tr181);
    // Concrete TR-181 table path → candidates (in CPE order) with their rule and sources.
    const perTable = new Map<string, { cand: CandidateRow; rule: ObjectRule; members: string[]; item?: Row["item"] }[]>();
    const parentPaths = new Map<string, string>();
    for (const rule of sameTable) {
      const parents: (Row | undefined)[] = rule.parent === undefined ? [undefined] : (rowsByRule.get(rule.parent.id) ?? []);
      for (const parent of parents) {
        const sources = rule.from.flatMap((f) => matchObjects(objectsOnCpe, f.startsWith(".") ? (parent?.source ?? "") + f.slice(1) : f));
        const prefix = fillTemplate(rule.tr181, parent?.path);
        for (const group of groupSources(rule, sources, valueAt)) {
          if (!rule.isTable) {
            const list = perTable.get(prefix) ?? [];
            if (list.length === 0) list.push({ cand: { rule: rule.id, key: null, path: group[0] as string }, rule, members: group });
            perTable.set(prefix, list);
            continue;
          }
          const table = prefix.slice(0, -"{i}.".length);
          if (parent !== undefined) parentPaths.set(table, parent.path);
          const list = perTable.get(table) ?? [];
          if (rule.explode !== undefined) {
            const source = group[0] as string;
            const listName = sourceName(source, rule.explode);
            const items = (valueAt(listName) ?? "").split(",").map((s) => s.trim());
            for (const [index, value] of items.entries()) {
              if (value === "") continue;
              list.push({ cand: { rule: rule.id, key: JSON.stringify([source, value]), path: `${source}#${index}` }, rule, members: group, item: { list: listName, index, value } });
            }
            perTable.set(table, list);
            continue;
          }
          const key = rowKey(rule, group, valueAt);
          list.push({ cand: { rule: rule.id, key, path: group[0] as string }, rule, members: group });
          perTable.set(table, list);
        }
        // A table with no rows still exists where its TR-098 table does (USP Add needs it).
        if (rule.isTable) {
          const table = prefix.slice(0, -"{i}.".length);
          if (!perTable.has(table) && rule.from.some((f) => matchObjects(objectsOnCpe, tableOf(f.startsWith(".") ? (parent?.source ?? "") + f.slice(1) : f)).length > 0)) {
            perTable.set(table, []);
          }
        }
      }
    }
    for (const [table, list] of perTable) {
      if (!first.isTable) {
        const only = list[0];
        if (only === undefined) continue;
        addRow(view, rowsByRule, only.rule, table, only.members, valueAt);
        continue;
      }
      // A command's output table is numbered 1..n afresh, never kept (mapping.md §5.4).
      const result = first.outputTable ? { numbers: list.map((_, i) => i + 1), changed: false } : reconcile(instances, table, list.map((l) => l.cand));
      if (result.changed) view.instanceMapChanged = true;
      ensureObject(view, table, { writable: false });
      for (const [i, l] of list.entries()) addRow(view, rowsByRule, l.rule, `${table}${result.numbers[i] as number}.`, l.members, valueAt, l.item);
      // Where an Add may go: the TR-098 tables (instantiated) of rules that allow it.
      const targets = sameTable
        .filter((r) => r.addDelete)
        .flatMap((r) => {
          const parentRow = parentPaths.get(table);
          const parentSource = r.parent === undefined ? "" : (rowsByRule.get(r.parent.id) ?? []).find((p) => p.path === parentRow)?.source ?? "";
          return r.from.flatMap((f) => matchObjects(objectsOnCpe, tableOf(f.startsWith(".") ? parentSource + f.slice(1) : f))).filter((t) => snap.writable.get(t) === true).map((t) => ({ rule: r, table: t }));
        });
      const obj = view.objects.get(table) as ViewObject;
      obj.writable = targets.length > 0;
      if (targets.length > 0) obj.addTargets = targets;
    }
  }

  // References that name a row by another TR-098 object than its source (refAs).
  for (const rule of rules.objects) {
    if (rule.refAs === undefined) continue;
    for (const row of rowsByRule.get(rule.id) ?? []) {
      for (const o of matchObjects(objectsOnCpe, row.source + rule.refAs.slice(1))) view.rowBySource.set(o, row.path.slice(0, -1));
    }
  }

  // Pass 2: parameter values (references need every row numbered first).
  for (const rule of rules.objects) {
    for (const row of rowsByRule.get(rule.id) ?? []) {
      for (const [name, spec] of rule.params) addParam(view, snap, rules, row, name, spec, rowsByRule);
    }
  }
  addEntryCounts(view);
  const stackChanged = addInterfaceStack(view, instances, (path, p) => setParam(view, path, p), (path) => ensureObject(view, path, { writable: false }));
  if (stackChanged) view.instanceMapChanged = true;
  mirrorRest(view, snap, rules);
  return view;
}

// ---- rows -----------------------------------------------------------------

function cpeObjects(snap: Tr098Snapshot): Set<string> {
  const out = new Set<string>();
  for (const name of snap.writable.keys()) if (name.endsWith(".")) out.add(name);
  // Without a GPN listing, objects are known from their parameters.
  for (const name of snap.values.keys()) {
    for (let p = splitPath(name)[0]; p !== "" && !out.has(p); p = splitPath(p)[0]) out.add(p);
  }
  return out;
}

/** The CPE's objects indexed by template ("…PortMapping.{i}."), each list in instance order. */
type ObjectIndex = Map<string, string[]>;

function indexObjects(objects: Set<string>): ObjectIndex {
  const index: ObjectIndex = new Map();
  for (const o of objects) {
    const t = templateOf(o);
    const list = index.get(t);
    if (list === undefined) index.set(t, [o]);
    else list.push(o);
  }
  for (const list of index.values()) list.sort(compareInstancePaths);
  return index;
}

/** Objects of the CPE matching a template whose instance numbers may be partly filled in. */
function matchObjects(index: ObjectIndex, template: string): string[] {
  const candidates = index.get(templateOf(template)) ?? [];
  if (!/\.\d+\./.test(template)) return candidates;
  const want = template.split(".");
  return candidates.filter((c) => c.split(".").every((seg, i) => want[i] === "{i}" || want[i] === seg));
}

function compareInstancePaths(a: string, b: string): number {
  const pa = a.split(".");
  const pb = b.split(".");
  for (let i = 0; i < Math.min(pa.length, pb.length); i++) {
    const x = pa[i] as string;
    const y = pb[i] as string;
    if (x === y) continue;
    const nx = Number(x);
    const ny = Number(y);
    return Number.isInteger(nx) && Number.isInteger(ny) ? nx - ny : x < y ? -1 : 1;
  }
  return pa.length - pb.length;
}

/** "X.{i}." → "X." (the table object); other templates unchanged. */
function tableOf(template: string): string {
  return template.endsWith(".{i}.") ? template.slice(0, -"{i}.".length) : template;
}

/** Fills the {i} of a TR-181 template with the instance numbers of `parentRow`. */
function fillTemplate(template: string, parentRow: string | undefined): string {
  if (parentRow === undefined) return template;
  const nums = [...parentRow.matchAll(/\.(\d+)(?=\.)/g)].map((m) => m[1] as string);
  let i = 0;
  return template.replace(/\{i\}/g, (m) => (i < nums.length ? (nums[i++] as string) : m));
}

function groupSources(rule: ObjectRule, sources: string[], valueAt: (n: string) => string | undefined): string[][] {
  if (rule.group === undefined) return sources.map((s) => [s]);
  const keyOf = GROUPINGS.get(rule.group);
  if (keyOf === undefined) throw new Error(`rule ${rule.id}: unknown grouping ${rule.group}`);
  const groups = new Map<string, string[]>();
  for (const s of sources) {
    const k = keyOf(s, (rel) => valueAt(s + rel));
    groups.set(k, [...(groups.get(k) ?? []), s]);
  }
  return [...groups.values()];
}

function rowKey(rule: ObjectRule, members: string[], valueAt: (n: string) => string | undefined): string | null {
  if (rule.key === undefined) return null;
  const first = members[0] as string;
  return JSON.stringify(rule.key.map((k) => valueAt(first + k) ?? ""));
}

function addRow(view: View, rowsByRule: Map<string, Row[]>, rule: ObjectRule, path: string, members: string[], valueAt: (n: string) => string | undefined, item?: Row["item"]): void {
  const source = members[0] as string;
  const row: Row = { rule, path, source, members, sourceValue: (rel) => valueAt(sourceName(source, rel)), ...(item !== undefined ? { item } : {}) };
  rowsByRule.set(rule.id, [...(rowsByRule.get(rule.id) ?? []), row]);
  ensureObject(view, path, { writable: rule.addDelete && rule.isTable, row: { rule, members } });
  // A list item's row is not what references to its source object name.
  if (item !== undefined) return;
  for (const m of members) {
    if (rule.primary || !view.rowBySource.has(m)) view.rowBySource.set(m, path.slice(0, -1));
  }
}

// ---- objects and parameters --------------------------------------------------

function ensureObject(view: View, path: string, obj: ViewObject): void {
  const existing = view.objects.get(path);
  if (existing !== undefined) {
    if (obj.row !== undefined) existing.row = obj.row;
    existing.writable ||= obj.writable;
    return;
  }
  view.objects.set(path, obj);
  if (path === "Device.") return;
  const parent = splitPath(path)[0];
  ensureObject(view, parent, { writable: false });
  linkChild(view, parent, path);
}

function linkChild(view: View, parent: string, name: string): void {
  const list = view.children.get(parent);
  if (list === undefined) view.children.set(parent, [name]);
  else if (!list.includes(name)) list.push(name);
}

function setParam(view: View, path: string, p: ViewParam): void {
  const [obj] = splitPath(path);
  ensureObject(view, obj, { writable: false });
  if (!view.params.has(path)) linkChild(view, obj, path);
  view.params.set(path, p);
}

function schemaParam(path: string): { type: string; readOnly: boolean } | undefined {
  const [obj, name] = splitPath(path);
  const p = TR181.object(supportedPathOf(obj))?.paramsByName.get(name);
  return p === undefined ? undefined : { type: p.xsdType, readOnly: p.access !== "readWrite" };
}

function addParam(view: View, snap: Tr098Snapshot, rules: CompiledRules, row: Row, name: string, spec: CompiledParam, rowsByRule: Map<string, Row[]>): void {
  const path = row.path + name;
  const schema = schemaParam(path);
  const note = (tr098: string): void => {
    view.consumed.add(tr098);
    const list = view.fromTr098.get(tr098);
    if (list === undefined) view.fromTr098.set(tr098, [path]);
    else if (!list.includes(path)) list.push(path);
  };
  switch (spec.kind) {
    case "value":
      setParam(view, path, { value: spec.value, writable: false, type: schema?.type ?? "xsd:string", bind: { kind: "fixed" } });
      return;
    case "item": {
      if (row.item === undefined) throw new Error(`rule ${row.rule.id}: ${name} is {item: true} but the rule has no explode`);
      note(row.item.list);
      const writable = schema?.readOnly !== true && snap.writable.get(row.item.list) === true;
      setParam(view, path, { value: row.item.value, writable, type: schema?.type ?? "xsd:string", bind: { kind: "item", list: row.item.list, index: row.item.index } });
      return;
    }
    case "ref": {
      let source = row.source;
      for (let i = 0; i < spec.up; i++) source = splitPath(source)[0];
      const targets = spec.down.map((d) => source + d);
      const target = spec.ref.flatMap((id) => rowsByRule.get(id) ?? []).find((r) => r.members.some((m) => targets.includes(m)));
      // Writable where TR-181 says so, so that an Add or Set naming the row's
      // actual reference (a port mapping's one WAN Interface) succeeds.
      setParam(view, path, { value: target === undefined ? "" : target.path.slice(0, -1), writable: schema?.readOnly === false, type: schema?.type ?? "xsd:string", bind: { kind: "structural" } });
      return;
    }
    case "fn": {
      const fn = TRANSFORMS.get(spec.fn);
      if (fn === undefined) throw new Error(`rule ${row.rule.id}: unknown transform ${spec.fn}`);
      const value = fn.read((src) => standardSpelling(spec.aliases, src, row.sourceValue(src)));
      if (value === undefined) return;
      const present = spec.src.filter((s) => row.sourceValue(s) !== undefined);
      for (const m of row.members) for (const s of present) note(sourceName(m, s));
      // Writable when the CPE lets the ACS write one of its sources: a transform also
      // reads inputs TR-098 makes read-only (WEPEncryptionLevel), which writes leave out.
      const writes = fn.writes ?? spec.src;
      const writable = fn.write !== undefined && schema?.readOnly !== true && present.some((s) => writes.includes(s) && snap.writable.get(sourceName(row.source, s)) !== false);
      setParam(view, path, {
        value,
        writable,
        type: schema?.type ?? "xsd:string",
        bind: { kind: "fn", fn: spec.fn, srcNames: spec.src, members: row.members, aliases: spec.aliases },
      });
      return;
    }
    case "src": {
      const full = sourceName(row.source, spec.src);
      const got = snap.values.get(full);
      if (got === undefined) return;
      const names = row.members.map((m) => sourceName(m, spec.src));
      for (const n of names) note(n);
      const type = schema?.type ?? got.type;
      const writable = !spec.readOnly && schema?.readOnly !== true && snap.writable.get(full) === true;
      setParam(view, path, { value: readValue(got.value, spec, type, view), writable, type, bind: { kind: "src", spec, names } });
      return;
    }
  }
}

/** A source value in the spelling the transforms know (vendor aliases undone). */
export function standardSpelling(aliases: Map<string, Map<string, string>>, src: string, v: string | undefined): string | undefined {
  if (v === undefined) return undefined;
  const lower = v.toLowerCase();
  for (const [cpe, std] of aliases.get(src) ?? []) if (cpe.toLowerCase() === lower) return std;
  return v;
}

/** A value the transforms produced, in the CPE's own spelling. */
export function cpeSpelling(aliases: Map<string, Map<string, string>>, src: string, v: string): string {
  for (const [cpe, std] of aliases.get(src) ?? []) if (std === v) return cpe;
  return v;
}

/** The TR-098 name a rule's `src` denotes for a row whose source object is `source`. */
export function sourceName(source: string, src: string): string {
  if (src.startsWith("/")) return src.slice(1);
  let base = source;
  let rel = src;
  while (rel.startsWith("../")) {
    // An instance ("X.3." or the template "X.{i}.") is one object: up from it is X's parent.
    base = splitPath(base.replace(/\.(?:\d+|\{i\})\.$/, "."))[0];
    rel = rel.slice(3);
  }
  return base + rel;
}

/** TR-098 value → TR-181 value for a one-source parameter. */
export function readValue(raw: string, spec: Extract<CompiledParam, { kind: "src" }>, type: string, view: Pick<View, "rowBySource">): string {
  let v = raw;
  if (spec.map !== undefined) v = spec.map.get(v.toLowerCase()) ?? v;
  if (spec.scale !== undefined) v = scaleUp(v, spec.scale);
  if (spec.encoding === "base64-hex") v = base64ToHex(v);
  if (spec.path) v = rewritePaths(v, view);
  if (type === "xsd:boolean") v = canonicalBoolean(v);
  return v;
}

/** A (list of) TR-098 object path(s) → the TR-181 rows they feed; unknown ones become "". */
function rewritePaths(v: string, view: Pick<View, "rowBySource">): string {
  if (v.trim() === "") return "";
  return v
    .split(",")
    .map((p) => {
      const obj = p.trim().endsWith(".") ? p.trim() : `${p.trim()}.`;
      return view.rowBySource.get(obj) ?? "";
    })
    .filter((p) => p !== "")
    .join(",");
}

/** `…NumberOfEntries` of every table, computed from the rows (never copied:
 * TR-098 counts count different tables, mapping.md §5.3). */
function addEntryCounts(view: View): void {
  for (const [path, obj] of view.objects) {
    if (obj.row !== undefined || obj.mirror !== undefined || !isTableObject(view, path)) continue;
    const [parent, rel] = splitPath(path);
    const name = `${rel.slice(0, -1)}NumberOfEntries`;
    const count = (view.children.get(path) ?? []).length;
    const countPath = parent + name;
    if (schemaParam(countPath) === undefined) continue;
    setParam(view, countPath, { value: String(count), writable: false, type: "xsd:unsignedInt", bind: { kind: "fixed" } });
  }
}

function isTableObject(view: View, path: string): boolean {
  return TR181.object(`${supportedPathOf(path)}{i}.`) !== undefined && !/\.\d+\.$/.test(path);
}

function mirrorRest(view: View, snap: Tr098Snapshot, rules: CompiledRules): void {
  const root = view.extensionRoot;
  const readOnly = (tr098: string): boolean => rules.readOnlyMirror.some((p) => tr098.startsWith(p));
  const mirrorObject = (tr098Obj: string): void => {
    const path = root + tr098Obj.slice(TR098_ROOT.length);
    ensureObject(view, path, { writable: !readOnly(tr098Obj) && snap.writable.get(tr098Obj) === true && /\.$/.test(tr098Obj), mirror: tr098Obj });
    const obj = view.objects.get(path) as ViewObject;
    obj.mirror = tr098Obj;
  };
  ensureObject(view, root, { writable: false, mirror: TR098_ROOT });
  for (const [name, { value, type }] of snap.values) {
    if (view.consumed.has(name) || !name.startsWith(TR098_ROOT)) continue;
    mirrorObject(splitPath(name)[0]);
    const path = root + name.slice(TR098_ROOT.length);
    setParam(view, path, { value, writable: !readOnly(name) && snap.writable.get(name) === true, type, bind: { kind: "mirror", name } });
  }
  // Objects with no parameter below them (empty tables) are mirrored too; the
  // others already were, through their unconsumed parameters.
  const hasParams = new Set<string>();
  for (const name of snap.values.keys()) {
    for (let p = splitPath(name)[0]; p !== "" && !hasParams.has(p); p = splitPath(p)[0]) hasParams.add(p);
  }
  for (const name of snap.writable.keys()) {
    if (!name.endsWith(".") || name === TR098_ROOT || !name.startsWith(TR098_ROOT)) continue;
    if (!hasParams.has(name)) mirrorObject(name);
  }
}
