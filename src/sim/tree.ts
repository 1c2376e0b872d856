// The parameter tree of a simulated CPE, split so that 100k devices fit in one
// process: node definitions and the profile's tree are shared, read-only data;
// a device copies the tree's maps only on its first AddObject/DeleteObject and
// keeps only the values it changed (copy-on-write).

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

export interface Tree {
  readonly nodes: Map<string, NodeDef>;
  /** Object path → direct child names (objects end in "."), in model order.
   * Arrays are never mutated in place, so clones may share them. */
  readonly children: Map<string, readonly string[]>;
  /** Table path → next instance number; it only grows, so numbers are never
   * reused after DeleteObject (TR-069 A.3.2.6). */
  readonly nextInstance: Map<string, number>;
}

export function emptyTree(): Tree {
  return { nodes: new Map(), children: new Map(), nextInstance: new Map() };
}

export function cloneTree(tree: Tree): Tree {
  return {
    nodes: new Map(tree.nodes),
    children: new Map(tree.children),
    nextInstance: new Map(tree.nextInstance),
  };
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
export function addNode(tree: Tree, name: string, def: NodeDef): boolean {
  if (tree.nodes.has(name)) return false;
  tree.nodes.set(name, def);
  if (def.kind === "object") tree.children.set(name, []);
  const parent = parentOf(name);
  if (parent !== undefined) {
    const siblings = tree.children.get(parent) ?? [];
    tree.children.set(parent, [...siblings, name]);
  }
  return true;
}

/** Removes an object and its whole subtree; returns the removed names. */
export function removeSubtree(tree: Tree, name: string): string[] {
  const removed: string[] = [];
  walk(tree, name, (n) => {
    removed.push(n);
  });
  for (const n of removed) {
    tree.nodes.delete(n);
    tree.children.delete(n);
    tree.nextInstance.delete(n);
  }
  const parent = parentOf(name);
  const siblings = parent === undefined ? undefined : tree.children.get(parent);
  if (parent !== undefined && siblings !== undefined) {
    tree.children.set(
      parent,
      siblings.filter((s) => s !== name),
    );
  }
  return removed;
}

/** Depth-first, pre-order: the object itself, then its subtree in model order. */
export function walk(tree: Tree, name: string, visit: (name: string, def: NodeDef) => void): void {
  const def = tree.nodes.get(name);
  if (def === undefined) return;
  visit(name, def);
  if (def.kind !== "object") return;
  for (const child of tree.children.get(name) ?? []) walk(tree, child, visit);
}
