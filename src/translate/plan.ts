// The contract between the pure translation core and the session engine.
//
// A USP request is translated by calling its planner repeatedly:
//   plan = planX(request, ctx)
//   - { kind: "rpcs" }    the engine runs these CWMP RPCs in order in the CPE's
//                         session, feeds every outcome to recordOutcomes(ctx.model,
//                         rpcs, outcomes) and calls planX again;
//   - { kind: "respond" } the translation is finished; send this reply.
// Planners never do I/O: everything they know about the CPE is in ctx.model,
// which only recordOutcomes() (and the engine, from Informs) writes.
import type { AcsRequest } from "../cwmp/rpc.js";
import type { Response, UspError } from "../usp/messages.js";
import type { OperateEffects } from "./commands.js";

export type UspReply = { kind: "response"; response: Response } | { kind: "error"; error: UspError };

/** `effects`: what an Operate changed besides its reply (commands started or
 * canceled, reboots), for the engine to apply before it sends the reply. */
export type Plan = { kind: "rpcs"; rpcs: AcsRequest[] } | { kind: "respond"; reply: UspReply; effects?: OperateEffects };

/** CPE quirks that change how requests are planned (DESIGN decision 6). They
 * are flags on a per-device profile, read here and nowhere else. */
export interface DeviceProfile {
  /** The CPE answers GetParameterValues on a partial path ("Device.DeviceInfo.").
   * When false, names are expanded with GetParameterNames first. */
  partialPathGpv: boolean;
  /** Most names per GetParameterValues (genieacs#150). SetParameterValues is
   * never split: one SPV is what makes a Set atomic on the CPE. */
  gpvBatchSize: number;
  /** Literal used for xsd:boolean values in SetParameterValues (genieacs#228). */
  booleanLiteral: "true" | "1";
}

export const DEFAULT_PROFILE: DeviceProfile = {
  partialPathGpv: true,
  gpvBatchSize: 64,
  booleanLiteral: "true",
};

/** Upper bound on planner rounds for one USP request; a planner that has not
 * answered by then is a bug, and the engine answers 7003 instead of looping. */
export const MAX_PLAN_ROUNDS = 16;
