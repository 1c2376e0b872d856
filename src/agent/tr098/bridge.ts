// Puts TR-098 CPEs behind the same translation as TR-181 ones (issue 4).
// The planners and gateway tasks speak TR-181 CWMP (Device. paths); for a CPE
// whose root is InternetGatewayDevice., this bridge sits between them and the
// CWMP session:
//   - before it translates anything it reads the CPE's whole TR-098 tree
//     (GetParameterNames + GetParameterValues, batched when the vendor
//     overlay says partial paths do not work) into one snapshot;
//   - reads (GPN/GPV) are answered from the TR-181 view of that snapshot;
//   - writes (SPV, AddObject, DeleteObject, SetParameterAttributes) go to the
//     CPE translated, and their outcomes come back in TR-181 terms;
//   - Informs are translated before the rest of the gateway sees them.
// The instance map (stable TR-181 instance numbers) lives in the store, so it
// survives restarts and is shared by gateway instances.
import { randomUUID } from "node:crypto";
import type { Logger } from "pino";
import { LRUCache } from "lru-cache";
import type { AcsRequest, Inform, ParameterValue, RpcOutcome } from "../../cwmp/rpc.js";
import type { Store } from "../../store/store.js";
import type { DeviceProfile } from "../../translate/plan.js";
import type { CompiledRules } from "../../translate/tr098/rules.js";
import { splitPath } from "../../translate/device-model.js";
import { buildView, TR098_ROOT, type Tr098Snapshot, type View } from "../../translate/tr098/view.js";
import { mapPathless, mapRpc, mirrorName, type Effect, type InstanceOps } from "../../translate/tr098/rpc-map.js";
import { allocate, release, type InstanceMapState } from "../../translate/tr098/instance-map.js";
import { SnapshotReader } from "./snapshot-reader.js";

/** The store table holding a device's instance map (one row, JSON). */
export const INSTANCE_MAP_TABLE = "tr098:instance-map";

/** The store table naming a device's last boot (one row: a fresh id per boot,
 * and whether a read of the tree has followed it), so that every gateway
 * instance learns of a boot another one served. */
export const BOOT_TABLE = "tr098:boot";

/** A snapshot older than this is read again before the next translation: one
 * consistent read per USP request (mapping.md §5.3) without re-reading for
 * each RPC of the same request. */
const SNAPSHOT_MAX_AGE_MS = 2_000;

/** Inform events after which the CPE may have renumbered its rows (mapping.md §5.4). */
const BOOT_EVENTS: ReadonlySet<string> = new Set(["0 BOOTSTRAP", "1 BOOT"]);

export interface Tr098BridgeDeps {
  store: Store;
  logger: Logger;
  now: () => number;
  profileFor(endpointId: string): Promise<DeviceProfile>;
  /** The mapping rules for a device (base rules with its vendor overlay applied). */
  rulesFor(endpointId: string): Promise<CompiledRules>;
  /** Bound on per-device caches (root flags, instance maps, last snapshots). */
  maxCachedDevices: number;
}

type Inner = (last: { request: AcsRequest; outcome: RpcOutcome } | undefined) => Promise<AcsRequest | null>;

interface SessionState {
  endpointId: string;
  snapshot: Tr098Snapshot | undefined;
  snapshotAt: number;
  reader: SnapshotReader | undefined;
  /** The TR-181 RPC waiting for the snapshot being read. */
  waiting: AcsRequest | undefined;
  /** The view built from `snapshot` (with the instance map as it was then). */
  view: View | undefined;
  /** The TR-181 RPC whose translation is at the CPE, and how its outcome comes back. */
  inFlight: { rpc: AcsRequest; back: (o: RpcOutcome, ops: InstanceOps) => { outcome: RpcOutcome; effect: Effect } } | undefined;
  /** A boot (BOOT_TABLE id) no read of the tree has followed yet. */
  unreadBoot: string | undefined;
}

export class Tr098Bridge {
  private readonly isTr098 = new LRUCache<string, boolean>({ max: 100_000 });
  private readonly instanceMaps: LRUCache<string, InstanceMapState>;
  /** Last full snapshot per device: Informs are translated against it. */
  private readonly lastSnapshots: LRUCache<string, Tr098Snapshot>;
  /** The boot (BOOT_TABLE id) this instance's last snapshot and cached instance
   * map of a device belong to: when another instance served a later boot, both
   * are stale (rows renumbered, the map's TR-098 paths moved in the store). */
  private readonly knownBoot: LRUCache<string, string>;
  private readonly sessions = new Map<string, SessionState>();

  constructor(private readonly deps: Tr098BridgeDeps) {
    this.instanceMaps = new LRUCache({ max: deps.maxCachedDevices });
    this.lastSnapshots = new LRUCache({ max: Math.max(1, Math.floor(deps.maxCachedDevices / 10)) });
    this.knownBoot = new LRUCache({ max: deps.maxCachedDevices });
  }

  /** Called at registration with what the Inform showed. */
  noteRoot(endpointId: string, rootObject: string): void {
    this.isTr098.set(endpointId, rootObject === TR098_ROOT);
  }

  async handles(endpointId: string): Promise<boolean> {
    const known = this.isTr098.get(endpointId);
    if (known !== undefined) return known;
    const device = await this.deps.store.getDevice(endpointId);
    const tr098 = device?.rootObject === TR098_ROOT;
    if (device !== undefined) this.isTr098.set(endpointId, tr098);
    return tr098;
  }

  /** The Inform as the TR-181 side must see it: parameter names (and values)
   * in TR-181 terms, parameters no rule maps under the extension object. */
  async translateInform(endpointId: string, inform: Inform): Promise<Inform> {
    if (!(await this.handles(endpointId))) return inform;
    await this.forgetIfRebootedElsewhere(endpointId);
    const rules = await this.deps.rulesFor(endpointId);
    // Only the objects the Inform touches, completed from the last full read
    // (transforms and natural keys need their siblings): an Inform costs a
    // small view, not one of the whole tree.
    const base = this.lastSnapshots.get(endpointId);
    const objects = new Set(inform.parameterList.map((p) => splitPath(p.name)[0]));
    const values = new Map<string, { value: string; type: string }>();
    const writable = new Map<string, boolean>();
    if (base !== undefined) {
      for (const [name, v] of base.values) if (objects.has(splitPath(name)[0])) values.set(name, v);
      for (const [name, w] of base.writable) if (objects.has(splitPath(name)[0]) || objects.has(name)) writable.set(name, w);
    }
    for (const p of inform.parameterList) values.set(p.name, { value: p.value, type: p.type });
    // A copy of the map: a partial tree must never renumber or forget rows.
    const state = structuredClone(await this.instanceMap(endpointId));
    let view: View;
    try {
      view = buildView({ values, writable }, rules, state);
    } catch (err) {
      this.deps.logger.error({ err, endpointId }, "TR-098 Inform translation failed; its parameters are dropped");
      return { ...inform, parameterList: [] };
    }
    const parameterList: ParameterValue[] = [];
    const seen = new Set<string>();
    for (const p of inform.parameterList) {
      const names = view.fromTr098.get(p.name) ?? [mirrorName(view, p.name)];
      for (const name of names) {
        const v = view.params.get(name);
        if (v === undefined || seen.has(name)) continue;
        seen.add(name);
        parameterList.push({ name, value: v.value, type: v.type });
      }
    }
    if (inform.event.some((e) => BOOT_EVENTS.has(e.eventCode))) {
      this.lastSnapshots.delete(endpointId);
      const boot = randomUUID();
      this.knownBoot.set(endpointId, boot);
      await this.deps.store.putAgentRows(endpointId, BOOT_TABLE, [{ instance: 1, values: { id: boot, read: "false" } }]);
    }
    return { ...inform, parameterList };
  }

  /** The ACS's nextRpc hook for a TR-098 CPE; `inner` is the TR-181 one. */
  async nextRpc(endpointId: string, sessionId: string, last: { request: AcsRequest; outcome: RpcOutcome } | undefined, inner: Inner): Promise<AcsRequest | null> {
    let st = this.sessions.get(sessionId);
    if (st === undefined) {
      st = { endpointId, snapshot: undefined, snapshotAt: 0, view: undefined, reader: undefined, waiting: undefined, inFlight: undefined, unreadBoot: undefined };
      this.sessions.set(sessionId, st);
      // Another gateway instance may have numbered rows since: read the map afresh.
      this.instanceMaps.delete(endpointId);
      // A CPE may renumber its rows at a reboot, and an Inform names a row by its
      // TR-098 path only (a 4 VALUE CHANGE carries the changed parameter, not the
      // row's key): until the tree is read again, that path may name another row
      // than the instance map says. So the first session after a boot, whichever
      // instance serves it, reads the tree before anything else.
      const boot = (await this.deps.store.getAgentRows(endpointId, BOOT_TABLE))[0]?.values;
      if (boot?.id !== undefined && boot.read === "false") st.unreadBoot = boot.id;
      if (last === undefined && st.unreadBoot !== undefined) {
        st.reader = new SnapshotReader(await this.deps.profileFor(endpointId));
        return st.reader.first();
      }
    }
    let last181: { request: AcsRequest; outcome: RpcOutcome } | undefined;
    if (last !== undefined) {
      if (st.reader !== undefined) {
        const step = st.reader.feed(last.outcome);
        if (step.kind === "send") return step.rpc;
        st.reader = undefined;
        const waiting = st.waiting;
        st.waiting = undefined;
        if (step.kind === "failed") {
          if (waiting !== undefined) last181 = { request: waiting, outcome: { ok: false, fault: step.fault } };
          else this.deps.logger.warn({ endpointId, fault: step.fault }, "TR-098 tree not readable after a boot; read again next session");
        } else {
          st.snapshot = step.snapshot;
          st.view = undefined;
          st.snapshotAt = this.deps.now();
          this.lastSnapshots.set(endpointId, step.snapshot);
          await this.noteTreeRead(st);
          if (waiting !== undefined) {
            const sent = await this.translate(st, waiting);
            if (sent.kind === "send") return sent.rpc;
            last181 = { request: waiting, outcome: sent.outcome };
          }
        }
      } else if (st.inFlight !== undefined) {
        const { rpc, back } = st.inFlight;
        st.inFlight = undefined;
        last181 = { request: rpc, outcome: await this.comeBack(st, back, last.outcome) };
      }
      // Otherwise the outcome belongs to work this instance never started (the
      // session moved here from another instance): the TR-181 side starts afresh.
    }
    for (;;) {
      const rpc = await inner(last181);
      if (rpc === null) return null;
      const sent = await this.translate(st, rpc);
      if (sent.kind === "send") return sent.rpc;
      last181 = { request: rpc, outcome: sent.outcome };
    }
  }

  sessionEnded(sessionId: string): void {
    this.sessions.delete(sessionId);
  }

  /** Forgets what a reset CPE had (0 BOOTSTRAP): its snapshot. Instance numbers stay
   * (rows whose natural key survives keep them, mapping.md §5.4). */
  cpeReset(endpointId: string): void {
    this.lastSnapshots.delete(endpointId);
  }

  // ---- internals ------------------------------------------------------------

  /** After a read of the tree that follows a boot: reconciling moves the
   * instance map's TR-098 paths to the renumbered rows (saved for every
   * instance), then the boot is marked read. */
  private async noteTreeRead(st: SessionState): Promise<void> {
    if (st.unreadBoot === undefined) return;
    try {
      await this.view(st);
    } catch (err) {
      // A bug in a rule, not bad input: the boot stays unread, translations answer 9002.
      this.deps.logger.error({ err, endpointId: st.endpointId }, "TR-098 view of the tree read after a boot failed");
      return;
    }
    await this.deps.store.putAgentRows(st.endpointId, BOOT_TABLE, [{ instance: 1, values: { id: st.unreadBoot, read: "true" } }]);
    st.unreadBoot = undefined;
  }

  /** Drops the last snapshot and cached instance map of a device that booted,
   * since they were made, in a session another instance served. */
  private async forgetIfRebootedElsewhere(endpointId: string): Promise<void> {
    const boot = (await this.deps.store.getAgentRows(endpointId, BOOT_TABLE))[0]?.values.id ?? "";
    if (this.knownBoot.get(endpointId) === boot) return;
    this.knownBoot.set(endpointId, boot);
    this.lastSnapshots.delete(endpointId);
    this.instanceMaps.delete(endpointId);
  }

  private async translate(st: SessionState, rpc: AcsRequest): Promise<{ kind: "send"; rpc: AcsRequest } | { kind: "answer"; outcome: RpcOutcome }> {
    if (!carriesPaths(rpc)) {
      const mapped = mapPathless(rpc);
      if (mapped.kind === "answer") return mapped;
      st.inFlight = { rpc, back: mapped.back };
      return { kind: "send", rpc: mapped.rpc };
    }
    if (st.snapshot === undefined || this.deps.now() - st.snapshotAt > SNAPSHOT_MAX_AGE_MS) {
      st.reader = new SnapshotReader(await this.deps.profileFor(st.endpointId));
      st.waiting = rpc;
      return { kind: "send", rpc: st.reader.first() };
    }
    let mapped: ReturnType<typeof mapRpc>;
    try {
      const view = await this.view(st);
      const profile = await this.deps.profileFor(st.endpointId);
      mapped = mapRpc(rpc, view, st.snapshot as Tr098Snapshot, { booleanLiteral: profile.booleanLiteral });
    } catch (err) {
      // A bug, not bad input: the request still gets its one answer (7002-class).
      this.deps.logger.error({ err, endpointId: st.endpointId, method: rpc.method }, "TR-098 translation failed");
      return { kind: "answer", outcome: { ok: false, fault: { faultCode: 9002, faultString: "Internal error translating to TR-098", setParameterValuesFaults: [] } } };
    }
    if (mapped.kind === "answer") return mapped;
    st.inFlight = { rpc, back: mapped.back };
    return { kind: "send", rpc: mapped.rpc };
  }

  private async view(st: SessionState): Promise<View> {
    if (st.view !== undefined) return st.view;
    const rules = await this.deps.rulesFor(st.endpointId);
    const state = await this.instanceMap(st.endpointId);
    const view = buildView(st.snapshot as Tr098Snapshot, rules, state);
    if (view.instanceMapChanged) await this.saveInstanceMap(st.endpointId, state);
    st.view = view;
    return view;
  }

  private async comeBack(st: SessionState, back: NonNullable<SessionState["inFlight"]>["back"], outcome: RpcOutcome): Promise<RpcOutcome> {
    const state = await this.instanceMap(st.endpointId);
    let changed = false;
    const ops: InstanceOps = {
      allocate: (table, rule, path) => {
        changed = true;
        return allocate(state, table, rule.id, path);
      },
      release: (table, n) => {
        changed = true;
        release(state, table, n);
      },
    };
    const result = back(outcome, ops);
    if (changed) await this.saveInstanceMap(st.endpointId, state);
    this.apply(st, result.effect);
    return result.outcome;
  }

  private apply(st: SessionState, effect: Effect): void {
    if (effect.kind !== "none") st.view = undefined;
    if (effect.kind === "structure") {
      st.snapshot = undefined;
    } else if (effect.kind === "values" && st.snapshot !== undefined) {
      const values = new Map(st.snapshot.values);
      for (const p of effect.values) values.set(p.name, { value: p.value, type: values.get(p.name)?.type ?? p.type });
      st.snapshot = { values, writable: st.snapshot.writable };
      this.lastSnapshots.set(st.endpointId, st.snapshot);
    }
  }

  private async instanceMap(endpointId: string): Promise<InstanceMapState> {
    const cached = this.instanceMaps.get(endpointId);
    if (cached !== undefined) return cached;
    const rows = await this.deps.store.getAgentRows(endpointId, INSTANCE_MAP_TABLE);
    let state: InstanceMapState = {};
    const json = rows[0]?.values.json;
    if (json !== undefined) {
      try {
        state = JSON.parse(json) as InstanceMapState;
      } catch (err) {
        // Losing the map renumbers rows: loud, but the CPE stays manageable.
        this.deps.logger.error({ err, endpointId }, "TR-098 instance map unreadable; numbering starts again");
      }
    }
    this.instanceMaps.set(endpointId, state);
    return state;
  }

  private async saveInstanceMap(endpointId: string, state: InstanceMapState): Promise<void> {
    this.instanceMaps.set(endpointId, state);
    await this.deps.store.putAgentRows(endpointId, INSTANCE_MAP_TABLE, [{ instance: 1, values: { json: JSON.stringify(state) } }]);
  }
}

/** RPCs whose arguments name parameters or objects (the rest pass unchanged). */
function carriesPaths(rpc: AcsRequest): boolean {
  switch (rpc.method) {
    case "GetParameterNames":
    case "GetParameterValues":
    case "SetParameterValues":
    case "AddObject":
    case "DeleteObject":
    case "SetParameterAttributes":
    case "GetParameterAttributes":
      return true;
    default:
      return false;
  }
}
