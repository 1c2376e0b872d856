// Stable TR-181 instance numbers for rows the gateway builds from TR-098
// objects (TR-369 R-ARC.8: a number, once given out, keeps meaning the same
// row until the row is deleted, across sessions, CPE reboots and gateway
// restarts). Numbers are allocated per concrete TR-181 table, never reused
// (`next` only grows), and rows are matched to their numbers by natural key
// first (the CPE may renumber its own instances at a reboot), then by their
// TR-098 path (a Set may have changed the key values). mapping.md §5.4.
//
// Plain data so the agent can persist it (store rows) and share it between
// gateway instances; reconcile() is pure apart from mutating the state given.

export interface MappedRow {
  /** TR-181 instance number. */
  n: number;
  /** Rule that produced the row (several rules may feed one table). */
  rule: string;
  /** Natural key values joined, or null when the rule has no key. */
  key: string | null;
  /** The TR-098 object the row comes from (first member for grouped rows). */
  path: string;
}

export interface TableMap {
  next: number;
  rows: MappedRow[];
}

/** Concrete TR-181 table path ("Device.IP.Interface.2.IPv4Address.") → its map. */
export type InstanceMapState = Record<string, TableMap>;

export interface CandidateRow {
  rule: string;
  key: string | null;
  path: string;
}

export interface Reconciled {
  /** Instance number per candidate, in the candidates' order. */
  numbers: number[];
  changed: boolean;
}

/** Gives every candidate row of `table` its stable number; rows no longer
 * present lose theirs for good. */
export function reconcile(state: InstanceMapState, table: string, candidates: readonly CandidateRow[]): Reconciled {
  const map = state[table] ?? { next: 1, rows: [] };
  const free = new Set(map.rows);
  const numbers: (number | undefined)[] = candidates.map(() => undefined);
  const take = (i: number, row: MappedRow): void => {
    numbers[i] = row.n;
    free.delete(row);
  };
  const passes: ((c: CandidateRow, r: MappedRow) => boolean)[] = [
    (c, r) => r.rule === c.rule && r.key === c.key && r.path === c.path,
    (c, r) => r.rule === c.rule && c.key !== null && r.key === c.key,
    (c, r) => r.rule === c.rule && r.path === c.path,
  ];
  for (const [p, same] of passes.entries()) {
    for (const [i, c] of candidates.entries()) {
      if (numbers[i] !== undefined) continue;
      const matches = [...free].filter((r) => same(c, r));
      // A key shared by several rows identifies none of them (pass 2 only).
      if (matches.length === 1 || (p !== 1 && matches.length > 0)) take(i, matches[0] as MappedRow);
    }
  }
  let changed = false;
  const rows: MappedRow[] = [];
  for (const [i, c] of candidates.entries()) {
    let n = numbers[i];
    if (n === undefined) {
      n = map.next;
      map.next += 1;
      numbers[i] = n;
      changed = true;
    }
    const before = map.rows.find((r) => r.n === n);
    if (before === undefined || before.key !== c.key || before.path !== c.path || before.rule !== c.rule) changed = true;
    rows.push({ n, rule: c.rule, key: c.key, path: c.path });
  }
  if (free.size > 0) changed = true;
  rows.sort((a, b) => a.n - b.n);
  state[table] = { next: map.next, rows };
  return { numbers: numbers as number[], changed };
}

/** Allocates the number of a row just created by AddObject (its key values are
 * not known yet: it is matched by path at the next reconcile). */
export function allocate(state: InstanceMapState, table: string, rule: string, path: string): number {
  const map = state[table] ?? { next: 1, rows: [] };
  const n = map.next;
  state[table] = { next: n + 1, rows: [...map.rows, { n, rule, key: null, path }] };
  return n;
}

/** Forgets a deleted row; its number is not given out again. */
export function release(state: InstanceMapState, table: string, n: number): void {
  const map = state[table];
  if (map === undefined) return;
  state[table] = { next: map.next, rows: map.rows.filter((r) => r.n !== n) };
}
