// Turns the Wants of one planning round into CWMP RPCs: deduplicated, never
// repeating an RPC already run in this transaction, GPVs batched by the
// profile's gpvBatchSize (genieacs#150: some CPEs choke on big batches).
import type { AcsRequest } from "../cwmp/rpc.js";
import type { TranslationContext, Want } from "./context.js";
import { splitPath } from "./device-model.js";

export function wantsToRpcs(wants: Want[], ctx: TranslationContext): AcsRequest[] {
  const { model } = ctx;
  const rpcs: AcsRequest[] = [];
  const gpnSeen = new Set<string>();
  const names: string[] = [];
  const nameSeen = new Set<string>();
  for (const w of wants) {
    if (w.kind === "gpn") {
      const key = `${w.nextLevel ? 1 : 0}${w.path}`;
      if (gpnSeen.has(key)) continue;
      gpnSeen.add(key);
      const req: AcsRequest = { method: "GetParameterNames", parameterPath: w.path, nextLevel: w.nextLevel };
      if (!model.attempted(req)) rpcs.push(req);
    } else if (!nameSeen.has(w.name)) {
      nameSeen.add(w.name);
      names.push(w.name);
    }
  }
  // A name under a partial path asked in the same round comes with it.
  const partials = new Set(names.filter((n) => n.endsWith(".") && !model.mustAskAlone(n)));
  const needed = names.filter((n) => !coveredBy(n, partials));
  rpcs.push(...batchGpv(needed, ctx));
  return rpcs;
}

function coveredBy(name: string, partials: Set<string>): boolean {
  for (let p = splitPath(name)[0]; p !== ""; p = splitPath(p)[0]) if (partials.has(p)) return true;
  return false;
}

function batchGpv(names: string[], ctx: TranslationContext): AcsRequest[] {
  const { model, profile } = ctx;
  const size = Math.max(1, Math.floor(profile.gpvBatchSize));
  const out: AcsRequest[] = [];
  const push = (parameterNames: string[]): void => {
    const req: AcsRequest = { method: "GetParameterValues", parameterNames };
    if (!model.attempted(req)) out.push(req);
  };
  const batchable: string[] = [];
  for (const n of names) {
    // After a batch fault, each of its names goes alone to find the bad one(s).
    if (model.mustAskAlone(n)) push([n]);
    else batchable.push(n);
  }
  for (let i = 0; i < batchable.length; i += size) push(batchable.slice(i, i + size));
  return out;
}
