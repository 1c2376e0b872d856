// What an object path is on the CPE, for the messages that care (Add,
// Delete, GetInstances): a table, a single-instance object, or nothing; and
// whether an instance path names an existing instance. CWMP has no "is this a
// table" query, so both are read off GetParameterNames listings.
import { USP_ERR } from "../usp/errors.js";
import { type Step, type TranslationContext, fail, need, ok } from "./context.js";
import { splitPath } from "./device-model.js";
import { mapFault } from "./faults.js";
import { isInstanceRel } from "./unique-keys.js";

export type ObjectKind = "table" | "single" | "absent";

/** Kind of the object `obj` ("X.Y."), from a GPN of it in this transaction
 * (NextLevel as given; a subtree listing of an ancestor also counts). A
 * table's children are all instances ("1.", "2."…); an empty object is taken
 * for an empty table, since TR-181 single-instance objects always have
 * parameters. */
export function classifyObject(obj: string, nextLevel: boolean, ctx: TranslationContext): Step<ObjectKind> {
  const { model } = ctx;
  if (knownSingle(obj, ctx)) return ok("single");
  const st = model.listState(obj, nextLevel);
  switch (st.kind) {
    case "unknown":
      return need([{ kind: "gpn", path: obj, nextLevel }]);
    case "absent":
      return ok("absent");
    case "fault": {
      const m = mapFault(st.fault, "get");
      return fail(m.errCode, m.errMsg);
    }
    case "listed":
      return ok((model.children(obj) ?? []).every(isInstanceRel) ? "table" : "single");
  }
}

/** A single-instance object never turns into a table, so persistent knowledge
 * of one of its own parameters (from an Inform or any GPV) or of a named
 * sub-object settles it without an RPC: a table's children are instances. */
export function knownSingle(obj: string, ctx: TranslationContext): boolean {
  const { model } = ctx;
  if (model.children(obj)?.some((rel) => !isInstanceRel(rel)) === true) return true;
  return model.paramsUnder(obj).some((name) => splitPath(name)[0] === obj);
}

export type Existence = "exists" | "missingInstance" | "notInModel";

/** Whether the concrete instance path `path` exists: every table on the way
 * ("Device.IP.Interface." for "…Interface.2.IPv4Address.1.") is listed with
 * GPN NextLevel=true in this transaction, outermost first. A missing table is
 * "notInModel" (7026), a missing instance of a listed table "missingInstance"
 * (7016 / R-DEL.2a). */
export function instanceExistence(path: string, ctx: TranslationContext): Step<Existence> {
  const { model } = ctx;
  let prefix = "";
  for (const seg of path.split(".").filter((s) => s !== "")) {
    const rel = `${seg}.`;
    if (isInstanceRel(rel)) {
      const st = model.listState(prefix, true);
      if (st.kind === "unknown") return need([{ kind: "gpn", path: prefix, nextLevel: true }]);
      if (st.kind === "absent") return ok("notInModel");
      if (st.kind === "fault") {
        const m = mapFault(st.fault, "get");
        return fail(m.errCode, m.errMsg);
      }
      if (!(model.children(prefix) ?? []).includes(rel)) return ok("missingInstance");
    }
    prefix += rel;
  }
  return ok("exists");
}

/** The per-path error for an object path that is not a table where a table is
 * needed (Add's obj_path, GetInstances of a single-instance object:
 * obuspa#156) or that matches nothing. */
export function notATableError(obj: string, kind: ObjectKind): { errCode: number; errMsg: string } {
  return kind === "absent"
    ? { errCode: USP_ERR.INVALID_PATH, errMsg: `${obj} is not in the data model` }
    : { errCode: USP_ERR.NOT_A_TABLE, errMsg: `Object is not a table: ${obj}` };
}
