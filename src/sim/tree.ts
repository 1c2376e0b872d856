// The parameter tree of a simulated CPE, split so that 100k devices fit in one
// process: node definitions and the profile's tree are shared, read-only data;
// a device records only its own structural changes (OverlayTree) and the
// values it changed (copy-on-write).

export type XsdType =
  | "string"
  | "boolean"
  | "int"
  | "unsignedInt"
  | "long"
  | "unsignedLong"
  | "dateTime"
  | "base64"
  | "hexBinary";

/** Values computed on read rather than stored (they change every second). */
export type DynamicValue = "uptime" | "now";

export interface ParamDef {
  readonly kind: "param";
  readonly type: XsdType;
  readonly writable: boolean;
  /** Factory value; booleans are stored as "true"/"false". */
  readonly value: string;
  readonly enumeration?: readonly string[];
  readonly min?: number;
  readonly max?: number;
  readonly maxLength?: number;
  /** TR-181 passwords: "When read, this parameter returns an empty string". */
  readonly hidden?: boolean;
  readonly dynamic?: DynamicValue;
  /** TR-181 activeNotify="canDeny" (counters, UpTime): active notification
   * requests are rejected with 9009. */
  readonly activeNotify?: "canDeny";
}

/** An object node. `table` marks the multi-instance container ("X.Y."),
 * `instance` one of its rows ("X.Y.3."). For objects, GetParameterNames'
 * Writable means AddObject (table) or DeleteObject (instance) is allowed
 * (TR-069 A.3.2.3). */
export interface ObjectDef {
  readonly kind: "object";
  readonly writable: boolean;
  readonly table: boolean;
  readonly instance: boolean;
}

export type NodeDef = ParamDef | ObjectDef;

/** What the tree operations below need; implemented by the profile's shared
 * MapTree and by a device's copy-on-write OverlayTree. */
export interface TreeStore {
  node(name: string): NodeDef | undefined;
  /** Direct child names of an object (objects end in "."), in model order. */
  children(name: string): readonly string[] | undefined;
  /** Next instance number of a table; it only grows, so numbers are never
   * reused after DeleteObject (TR-069 A.3.2.6). */
  nextInstance(table: string): number | undefined;
  putNode(name: string, def: NodeDef): void;
  /** Lists are replaced, never mutated in place, so trees may share them. */
  putChildren(name: string, children: readonly string[]): void;
  putNextInstance(table: string, next: number): void;
  dropNode(name: string): void;
}

/** A complete tree in plain maps: a compiled profile's, shared read-only by
 * every device of that profile. */
export class MapTree implements TreeStore {
  readonly nodes = new Map<string, NodeDef>();
  readonly childLists = new Map<string, readonly string[]>();
  readonly nextInstances = new Map<string, number>();

  node(name: string): NodeDef | undefined {
    return this.nodes.get(name);
  }
  children(name: string): readonly string[] | undefined {
    return this.childLists.get(name);
  }
  nextInstance(table: string): number | undefined {
    return this.nextInstances.get(table);
  }
  putNode(name: string, def: NodeDef): void {
    this.nodes.set(name, def);
  }
  putChildren(name: string, children: readonly string[]): void {
    this.childLists.set(name, children);
  }
  putNextInstance(table: string, next: number): void {
    this.nextInstances.set(table, next);
  }
  dropNode(name: string): void {
    this.nodes.delete(name);
    this.childLists.delete(name);
    this.nextInstances.delete(name);
  }
}

/** A device's changes on top of its profile's tree: only added and removed
 * nodes and the child lists that changed are stored, so a device that adds
 * one port mapping costs a few hundred bytes, not a copy of the tree. */
export class OverlayTree implements TreeStore {
  private readonly added = new Map<string, NodeDef>();
  private readonly removed = new Set<string>();
  private readonly childLists = new Map<string, readonly string[]>();
  private readonly nextInstances = new Map<string, number>();

  constructor(private readonly base: MapTree) {}

  node(name: string): NodeDef | undefined {
    const added = this.added.get(name);
    if (added !== undefined) return added;
    return this.removed.has(name) ? undefined : this.base.node(name);
  }
  children(name: string): readonly string[] | undefined {
    if (this.node(name)?.kind !== "object") return undefined;
    return this.childLists.get(name) ?? this.base.children(name);
  }
  nextInstance(table: string): number | undefined {
    return this.nextInstances.get(table) ?? this.base.nextInstance(table);
  }
  putNode(name: string, def: NodeDef): void {
    this.added.set(name, def);
    this.removed.delete(name);
  }
  putChildren(name: string, children: readonly string[]): void {
    this.childLists.set(name, children);
  }
  putNextInstance(table: string, next: number): void {
    this.nextInstances.set(table, next);
  }
  dropNode(name: string): void {
    this.added.delete(name);
    this.childLists.delete(name);
    if (this.base.node(name) !== undefined) this.removed.add(name);
  }
}

/** "Device.IP.Interface.2.IPv4Address." → "Device.IP.Interface.{i}.IPv4Address." */
export function templateOf(path: string): string {
  return path
    .split(".")
    .map((seg) => (/^\d+$/.test(seg) ? "{i}" : seg))
    .join(".");
}

/** Parent object of a parameter or object name ("A.B.c" → "A.B.", "A.B." → "A."). */
export function parentOf(name: string): string | undefined {
  const trimmed = name.endsWith(".") ? name.slice(0, -1) : name;
  const dot = trimmed.lastIndexOf(".");
  return dot < 0 ? undefined : trimmed.slice(0, dot + 1);
}

/** Adds a node under its (existing) parent, keeping the children list ordered
 * by insertion. Returns false if the name already exists. */
export function addNode(tree: TreeStore, name: string, def: NodeDef): boolean {
  if (tree.node(name) !== undefined) return false;
  tree.putNode(name, def);
  if (def.kind === "object") tree.putChildren(name, []);
  const parent = parentOf(name);
  if (parent !== undefined) tree.putChildren(parent, [...(tree.children(parent) ?? []), name]);
  return true;
}

/** Removes an object and its whole subtree; returns the removed names. */
export function removeSubtree(tree: TreeStore, name: string): string[] {
  const removed: string[] = [];
  walk(tree, name, (n) => {
    removed.push(n);
  });
  const parent = parentOf(name);
  const siblings = parent === undefined ? undefined : tree.children(parent);
  for (const n of removed) tree.dropNode(n);
  if (parent !== undefined && siblings !== undefined) {
    tree.putChildren(
      parent,
      siblings.filter((s) => s !== name),
    );
  }
  return removed;
}

/** Depth-first, pre-order: the object itself, then its subtree in model order. */
export function walk(tree: TreeStore, name: string, visit: (name: string, def: NodeDef) => void): void {
  const def = tree.node(name);
  if (def === undefined) return;
  visit(name, def);
  if (def.kind !== "object") return;
  for (const child of tree.children(name) ?? []) walk(tree, child, visit);
}
