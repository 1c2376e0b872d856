// Device.InterfaceStack.{i}. for a TR-098 CPE: TR-181 computes it from the
// LowerLayers of every interface object, and a TR-098 CPE has neither, so the
// gateway derives it from the LowerLayers its rules synthesized (mapping.md
// §5.2). Rows keep stable numbers like any other table (instance-map.ts),
// keyed by their HigherLayer/LowerLayer pair.
import { reconcile, type InstanceMapState } from "./instance-map.js";
import type { View, ViewParam } from "./view.js";

const TABLE = "Device.InterfaceStack.";
const RULE = "InterfaceStack";

/** Adds the table's rows (and its count) to `view`; returns true when the instance map changed. */
export function addInterfaceStack(view: View, instances: InstanceMapState, set: (path: string, p: ViewParam) => void, ensureTable: (path: string) => void): boolean {
  const pairs: [string, string][] = [];
  for (const [path, p] of view.params) {
    if (!path.endsWith(".LowerLayers") || path.startsWith(view.extensionRoot) || p.value === "") continue;
    const higher = path.slice(0, -".LowerLayers".length);
    for (const lower of p.value.split(",").map((s) => s.trim()).filter((s) => s !== "")) pairs.push([higher, lower]);
  }
  if (pairs.length === 0 && instances[TABLE] === undefined) return false;
  const result = reconcile(
    instances,
    TABLE,
    pairs.map(([h, l]) => ({ rule: RULE, key: JSON.stringify([h, l]), path: `${h}|${l}` })),
  );
  ensureTable(TABLE);
  const fixed = (value: string): ViewParam => ({ value, writable: false, type: "xsd:string", bind: { kind: "fixed" } });
  for (const [i, [higher, lower]] of pairs.entries()) {
    const row = `${TABLE}${result.numbers[i] as number}.`;
    set(`${row}HigherLayer`, fixed(higher));
    set(`${row}LowerLayer`, fixed(lower));
  }
  set("Device.InterfaceStackNumberOfEntries", { ...fixed(String(pairs.length)), type: "xsd:unsignedInt" });
  return result.changed;
}
