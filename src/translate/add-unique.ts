// Add must not make a row whose unique key duplicates another row's (TR-369
// error 7025 "Object exists with duplicate key"; TP-469 1.88). CWMP CPEs do
// not police this themselves, so the gateway compares, for every unique key
// set (unique-keys.ts) the Controller gives at least one parameter of:
// - before AddObject: the values the Controller gives against the rows read
//   from the CPE (GPN of the table, one GPV of the rows' key parameters), for
//   key sets given whole, so such an Add creates nothing;
// - once the row exists and was read: the given values completed with those
//   the agent assigned (e.g. Device.LocalAgent.Subscription.{i}.Recipient,
//   set by the gateway to the creating Controller) against the same rows; a
//   duplicate row is deleted again by add.ts like any failed instance.
// Rows made by the same message are not compared with each other: until the
// SPV they hold the CPE's defaults, not the values they are given.
import type { CreateObject } from "../usp/messages.js";
import { USP_ERR } from "../usp/errors.js";
import type { TranslationContext, Want } from "./context.js";
import { isInstanceRel, keySetsOf } from "./unique-keys.js";

export type KeyCheck = { kind: "ok" } | { kind: "need"; wants: Want[] } | { kind: "duplicate"; errCode: number; errMsg: string };

/** Key sets of `table`'s rows that the Controller gives a parameter of. */
function keySetsGiven(table: string, given: ReadonlyMap<string, string>): string[][] {
  return keySetsOf(`${table}1.`).filter((set) => set.some((k) => given.has(k)));
}

const given = (co: CreateObject): Map<string, string> => new Map(co.paramSettings.map((s) => [s.param, s.value]));

/** Before AddObject: reads the existing rows' keys, then compares the key
 * sets the Controller gives whole. */
export function checkBeforeAdd(table: string, co: CreateObject, ctx: TranslationContext): KeyCheck {
  const values = given(co);
  const sets = keySetsGiven(table, values);
  if (sets.length === 0) return { kind: "ok" };
  const rows = readRows(table, sets, ctx);
  if (rows.kind === "need") return rows;
  return compare(values, sets.filter((set) => set.every((k) => values.has(k))), rows.rows);
}

/** After AddObject and the read of the new row: `values(rel)` is the row's
 * value of a key parameter (as given, else as the agent assigned it);
 * `created` are the rows this message made, not compared. */
export function checkCreated(
  table: string,
  co: CreateObject,
  values: (rel: string) => string | undefined,
  created: ReadonlySet<string>,
  ctx: TranslationContext,
): KeyCheck {
  const sets = keySetsGiven(table, given(co));
  if (sets.length === 0) return { kind: "ok" };
  const row = new Map<string, string>();
  for (const k of new Set(sets.flat())) {
    const v = values(k);
    if (v !== undefined) row.set(k, v);
  }
  const others = rowsRead(table, ctx);
  for (const inst of created) others.delete(inst);
  return compare(row, sets, others);
}

function compare(row: ReadonlyMap<string, string>, sets: string[][], rows: ReadonlyMap<string, ReadonlyMap<string, string>>): KeyCheck {
  for (const set of sets) {
    if (!set.every((k) => row.has(k))) continue;
    for (const [inst, other] of rows) {
      if (!set.every((k) => other.get(k) === row.get(k))) continue;
      const key = set.map((k) => `${k}=${JSON.stringify(row.get(k))}`).join(", ");
      return { kind: "duplicate", errCode: USP_ERR.UNIQUE_KEY_CONFLICT, errMsg: `Object exists with duplicate key: ${inst} has ${key}` };
    }
  }
  return { kind: "ok" };
}

type Rows = Map<string, Map<string, string>>;

/** The key parameters of `sets` of every row of `table`: one GPN of the
 * table (which rows exist and which key parameters each has), then one GPV. */
function readRows(table: string, sets: string[][], ctx: TranslationContext): { kind: "need"; wants: Want[] } | { kind: "ok"; rows: Rows } {
  const { model } = ctx;
  const ls = model.listState(table, false);
  // No such table, or unreadable: AddObject will say so with its own fault.
  if (ls.kind === "absent" || ls.kind === "fault") return { kind: "ok", rows: new Map() };
  if (ls.kind === "unknown") return { kind: "need", wants: [{ kind: "gpn", path: table, nextLevel: false }] };
  const keys = new Set(sets.flat());
  const wants: Want[] = [];
  for (const rel of model.children(table) ?? []) {
    if (!isInstanceRel(rel)) continue;
    const kids = new Set(model.children(table + rel) ?? []);
    for (const k of keys) if (kids.has(k) && model.valueState(table + rel + k).kind === "unknown") wants.push({ kind: "gpv", name: table + rel + k });
  }
  return wants.length > 0 ? { kind: "need", wants } : { kind: "ok", rows: rowsRead(table, ctx) };
}

/** Rows of `table` with the parameter values read in this transaction. */
function rowsRead(table: string, ctx: TranslationContext): Rows {
  const rows: Rows = new Map();
  for (const [name, value] of ctx.model.valuesUnder(table)) {
    const m = /^([1-9][0-9]*\.)([^.]+)$/.exec(name.slice(table.length));
    if (m === null) continue;
    const inst = table + (m[1] ?? "");
    const row = rows.get(inst) ?? new Map<string, string>();
    row.set(m[2] ?? "", value);
    rows.set(inst, row);
  }
  return rows;
}
