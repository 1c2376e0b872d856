// The TR-098 → TR-181 mapping rules (DESIGN decision 7: mappings are data).
// mappings/tr098/rules.yaml declares, per TR-181 object, which TR-098
// object(s) feed it and how each parameter is computed from them; this module
// gives that file its types, checks its shape (zod) and compiles it into the
// indexes the view builder (view.ts) and the RPC mapper (rpc-map.ts) use.
// Checking every path against the BBF schemas is validate.ts's job.
import { z } from "zod";

/** How one TR-181 parameter is obtained from its row's TR-098 source object.
 * A plain string is the TR-098 parameter name relative to the source (1:1). */
const paramSpec = z.union([
  z.string().min(1),
  z
    .object({
      /** TR-098 parameter, relative to the source object ("Stats.EthernetBytesSent"),
       * to its parent with "../" (each "../" one object higher), or absolute after "/". */
      src: z.string().min(1),
      /** Enumeration map TR-098 value → TR-181 value (matched case-insensitively). */
      map: z.record(z.string()).optional(),
      /** TR-181 value → TR-098 value for writes, where `map` is not one to one. */
      writeMap: z.record(z.string()).optional(),
      /** Unit change: TR-181 value = TR-098 value × scale (e.g. Mbps → kbps: 1000). */
      scale: z.number().positive().optional(),
      /** Byte encoding change: TR-098 base64 ⇄ TR-181 hexBinary. */
      encoding: z.literal("base64-hex").optional(),
      /** The value is a TR-098 object path, rewritten to the TR-181 row fed by that object. */
      path: z.literal(true).optional(),
      /** Reads only: TR-181 makes this read-only, or writing it would cut the CPE off. */
      readOnly: z.literal(true).optional(),
    })
    .strict(),
  z.object({ value: z.string() }).strict(),
  /** The list item a row exploded from a TR-098 list parameter stands for (rule `explode`). */
  z.object({ item: z.literal(true) }).strict(),
  z
    .object({
      /** A reference to the row of rule(s) `ref` whose source is this row's source,
       * or its ancestor `up` path segments higher, followed by `down` if given. */
      ref: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]),
      up: z.number().int().min(0).optional(),
      down: z.union([z.string(), z.array(z.string())]).optional(),
    })
    .strict(),
  z
    .object({
      /** A transform written in code (transforms.ts), over several TR-098 parameters. */
      fn: z.string().min(1),
      src: z.array(z.string().min(1)).min(1),
      /** Vendor spellings of a source's values (e.g. BeaconType "WPAWPA2" for
       * "WPAand11i"): src → CPE value → standard value; writes use the CPE's. */
      aliases: z.record(z.record(z.string())).optional(),
    })
    .strict(),
]);

const objectRule = z
  .object({
    id: z.string().min(1),
    /** Rows of ../shared/reference/mapping.md §4 this rule implements. */
    rows: z.array(z.string()).default([]),
    /** The TR-181 object it feeds: "Device.NAT.PortMapping.{i}." or "Device.DeviceInfo.". */
    tr181: z.string().regex(/^Device\.(.+\.)?$/, "a TR-181 object path ending in a dot"),
    /** TR-098 object templates, one row per instance present on the CPE. Relative
     * to the parent rule's source when it starts with "." ("." itself: the same object). */
    from: z.array(z.string().min(1)).min(1),
    /** Rule whose row holds this rule's rows (nested TR-181 tables). */
    parent: z.string().optional(),
    /** The object TR-098 references (`path: true` values) name for this row when
     * it is not the source, relative to the source ("{i}": any instance): a LAN
     * IP interface is named by its LANHostConfigManagement.IPInterface.{i}. */
    refAs: z.string().regex(/^\..+\.$/, "an object path relative to the source: \".X.{i}.\"").optional(),
    /** TR-098 parameters (relative to the source) whose values identify a row
     * across CPE renumbering; without a key a row is its TR-098 path. */
    key: z.array(z.string()).optional(),
    /** Several TR-098 rows make one TR-181 row (Wi-Fi radios); the named grouping is in transforms.ts. */
    group: z.string().optional(),
    /** USP Add/Delete become AddObject/DeleteObject on the source table. */
    addDelete: z.boolean().default(false),
    /** A command's output table (TraceRoute RouteHops, NSLookup Result): rows are
     * numbered 1..n in the CPE's order at every read, with no gaps and no
     * persistence (mapping.md §5.4), instead of through the instance map. */
    outputTable: z.boolean().default(false),
    /** One row per item of this comma-separated TR-098 list parameter of the
     * source (DNSServers → DNS.Client.Server rows); rows keyed by source and
     * item, the item read and written with `{item: true}`. */
    explode: z.string().optional(),
    /** Which TR-098 row of this rule USP paths that name its source resolve to (path rewriting):
     * the first rule with `primary` (or the first rule) for a source template wins. */
    primary: z.boolean().default(false),
    params: z.record(paramSpec).default({}),
  })
  .strict();

export const rulesFileSchema = z
  .object({
    /** The vendor-extension object that mirrors every TR-098 parameter no rule consumes. */
    extensionObject: z.string().regex(/^X_[A-Za-z0-9-]+_[A-Za-z0-9]+$/),
    /** TR-098 objects (prefixes) whose mirror stays read-only: the gateway owns them. */
    readOnlyMirror: z.array(z.string()).default([]),
    /** Mapping-table rows with no TR-181 counterpart, and why. */
    unmapped: z.record(z.string()).default({}),
    objects: z.array(objectRule),
  })
  .strict();

export type ParamSpec = z.infer<typeof paramSpec>;
export type ObjectRuleInput = z.infer<typeof objectRule>;
export type RulesFile = z.infer<typeof rulesFileSchema>;

/** A parameter spec in one normal form. */
export type CompiledParam =
  | { kind: "src"; src: string; map?: Map<string, string>; mapOriginal?: Map<string, string>; writeMap?: Map<string, string>; scale?: number; encoding?: "base64-hex"; path: boolean; readOnly: boolean }
  | { kind: "value"; value: string }
  | { kind: "item" }
  | { kind: "ref"; ref: string[]; up: number; down: string[] }
  | { kind: "fn"; fn: string; src: string[]; aliases: Map<string, Map<string, string>> };

export interface ObjectRule {
  id: string;
  rows: string[];
  /** TR-181 supported path, "Device.NAT.PortMapping.{i}." */
  tr181: string;
  /** True when tr181 ends in "{i}.": one TR-181 instance per source row (or group). */
  isTable: boolean;
  from: string[];
  parent: ObjectRule | undefined;
  refAs: string | undefined;
  key: string[] | undefined;
  group: string | undefined;
  addDelete: boolean;
  outputTable: boolean;
  explode: string | undefined;
  primary: boolean;
  /** TR-181 parameter name relative to the object ("Security.ModeEnabled") → spec. */
  params: Map<string, CompiledParam>;
}

export interface CompiledRules {
  extensionObject: string;
  readOnlyMirror: string[];
  unmapped: Record<string, string>;
  /** In file order: parents before children. */
  objects: ObjectRule[];
  byId: Map<string, ObjectRule>;
}

function compileParam(spec: ParamSpec): CompiledParam {
  if (typeof spec === "string") return { kind: "src", src: spec, path: false, readOnly: false };
  if ("value" in spec) return { kind: "value", value: spec.value };
  if ("item" in spec) return { kind: "item" };
  if ("ref" in spec) return { kind: "ref", ref: typeof spec.ref === "string" ? [spec.ref] : spec.ref, up: spec.up ?? 0, down: typeof spec.down === "string" ? [spec.down] : (spec.down ?? [""]) };
  if ("fn" in spec) {
    // Keys keep the CPE's spelling: writes send it back as is (reads match it case-insensitively).
    const aliases = new Map(Object.entries(spec.aliases ?? {}).map(([src, m]) => [src, new Map(Object.entries(m))]));
    return { kind: "fn", fn: spec.fn, src: spec.src, aliases };
  }
  const lower = (m: Record<string, string> | undefined): Map<string, string> | undefined =>
    m === undefined ? undefined : new Map(Object.entries(m).map(([k, v]) => [k.toLowerCase(), v]));
  return {
    kind: "src",
    src: spec.src,
    ...(spec.map !== undefined
      ? { map: lower(spec.map) as Map<string, string>, mapOriginal: new Map(Object.keys(spec.map).map((k) => [k.toLowerCase(), k])) }
      : {}),
    ...(spec.writeMap !== undefined ? { writeMap: new Map(Object.entries(spec.writeMap)) } : {}),
    ...(spec.scale !== undefined ? { scale: spec.scale } : {}),
    ...(spec.encoding !== undefined ? { encoding: spec.encoding } : {}),
    path: spec.path === true,
    readOnly: spec.readOnly === true,
  };
}

/** Shape-checks and compiles a rules file; throws an Error naming the rule. */
export function compileRules(raw: unknown, source = "mappings/tr098/rules.yaml"): CompiledRules {
  const parsed = rulesFileSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue === undefined ? "" : issue.path.join(".");
    const ruleIdx = issue?.path[0] === "objects" ? issue.path[1] : undefined;
    const ruleId = typeof ruleIdx === "number" && Array.isArray((raw as { objects?: unknown[] }).objects) ? ((raw as { objects: { id?: unknown }[] }).objects[ruleIdx]?.id ?? "") : "";
    throw new Error(`${source}: ${ruleId !== "" ? `rule ${String(ruleId)}: ` : ""}${where}: ${issue?.message ?? "invalid"}`);
  }
  const file = parsed.data;
  const byId = new Map<string, ObjectRule>();
  const objects: ObjectRule[] = [];
  for (const r of file.objects) {
    if (byId.has(r.id)) throw new Error(`${source}: rule ${r.id}: the id is used twice`);
    const parent = r.parent === undefined ? undefined : byId.get(r.parent);
    if (r.parent !== undefined && parent === undefined) throw new Error(`${source}: rule ${r.id}: parent ${r.parent} is not declared before it`);
    if (parent === undefined && r.from.some((f) => f.startsWith("."))) throw new Error(`${source}: rule ${r.id}: a relative source needs a parent rule`);
    const rule: ObjectRule = {
      id: r.id,
      rows: r.rows,
      tr181: r.tr181,
      isTable: r.tr181.endsWith(".{i}."),
      from: r.from,
      parent,
      refAs: r.refAs,
      key: r.key,
      group: r.group,
      addDelete: r.addDelete,
      outputTable: r.outputTable,
      explode: r.explode,
      primary: r.primary,
      params: new Map(Object.entries(r.params).map(([name, spec]) => [name, compileParam(spec)])),
    };
    byId.set(r.id, rule);
    objects.push(rule);
  }
  for (const rule of objects) {
    for (const [name, p] of rule.params) {
      const unknown = p.kind === "ref" ? p.ref.find((r) => !byId.has(r)) : undefined;
      if (unknown !== undefined) throw new Error(`${source}: rule ${rule.id}: ${name} refers to unknown rule ${unknown}`);
    }
  }
  return { extensionObject: file.extensionObject, readOnlyMirror: file.readOnlyMirror, unmapped: file.unmapped, objects, byId };
}

/** Applies a vendor overlay's rule overrides (mappings/vendors/*.yaml `rules:`):
 * an override with the id of an existing rule replaces the fields it gives
 * (params merged, a param set to null removed); a new id is appended. */
export function overlayRules(base: RulesFile, overrides: readonly Record<string, unknown>[]): RulesFile {
  const objects = base.objects.map((o) => ({ ...o, params: { ...o.params } }));
  for (const ov of overrides) {
    const id = ov.id;
    if (typeof id !== "string") throw new Error("a rule override has no string id");
    const existing = objects.find((o) => o.id === id);
    if (existing === undefined) {
      objects.push(ov as unknown as ObjectRuleInput);
      continue;
    }
    for (const [k, v] of Object.entries(ov)) {
      if (k === "id") continue;
      if (k === "params" && typeof v === "object" && v !== null) {
        for (const [pn, pv] of Object.entries(v as Record<string, unknown>)) {
          if (pv === null) delete existing.params[pn];
          else existing.params[pn] = pv as ParamSpec;
        }
      } else {
        (existing as Record<string, unknown>)[k] = v;
      }
    }
  }
  return { ...base, objects };
}
