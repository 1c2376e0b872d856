// The single table from CWMP CPE fault codes (TR-069 A.5.1) to USP error codes
// (TR-369 "Error Codes"), following the mapping in usp.md §2. Nothing else in
// the translation core maps fault codes.
//
// Faults RECOVERED FROM rather than reported (the planners re-plan instead):
// - any fault on a GetParameterValues carrying more than one name (9005 above
//   all: GPV fails as a whole call, TR-069 A.3.2.2): the names are asked again
//   one per GPV to find the bad one(s); only the single-name outcome is reported
//   (genieacs rpcFault does the same for 9005);
// - 9005 on a single name or on GetParameterNames of an object: the name
//   becomes absent for the transaction (→ 7026 in Get, 7010/7016 in Set);
// - 9003 on SetParameterValues with per-parameter SetParameterValuesFault
//   entries: the failed parameters become param errors and the SPV is retried
//   without them when the Set's required/allow_partial rules allow it.
import type { CwmpFault } from "../cwmp/rpc.js";
import { USP_ERR } from "../usp/errors.js";

/** Where the fault is reported: a Get path result, a Set parameter/object, or
 * an Operate command's cmd_failure (OperateResp or OperationComplete). */
export type FaultContext = "get" | "set" | "operate";

const COMMON: Readonly<Record<number, number>> = {
  9000: USP_ERR.MESSAGE_NOT_SUPPORTED, // the CPE does not implement the RPC at all
  9001: USP_ERR.REQUEST_DENIED,
  9002: USP_ERR.INTERNAL_ERROR,
  9003: USP_ERR.INVALID_ARGUMENTS,
  9004: USP_ERR.RESOURCES_EXCEEDED,
};

const SET_ONLY: Readonly<Record<number, number>> = {
  // Inside Set param errors a bad name is "Unsupported parameter" (7010); the
  // Supported-DM 7026 is for the requested object path.
  9005: USP_ERR.UNSUPPORTED_PARAMETER,
  9006: USP_ERR.INVALID_TYPE,
  9007: USP_ERR.INVALID_VALUE,
  9008: USP_ERR.PARAM_READ_ONLY,
};

const GET_ONLY: Readonly<Record<number, number>> = {
  // R-GET.0: a path matching nothing in the Instantiated DM is 7026.
  9005: USP_ERR.INVALID_PATH,
};

// A command's CommandFailure may only carry 7002-7008, 7016, 7022, 7023 and
// vendor codes (TR-369 "OperationComplete" CommandFailure fields), so what the
// common table or the 7000 fallback would give becomes 7022 "Command failure"
// with the CPE's text: transfer faults (9010-9020, e.g. 9010 Download failure),
// 9021 (CancelTransfer refused), DU faults (9022-9032), 9000 (the CPE lacks the
// RPC). A bad input value written to a diagnostics parameter is the
// controller's argument error (7027, allowed in OperateResp).
const OPERATE_ONLY: Readonly<Record<number, number>> = {
  9000: USP_ERR.COMMAND_FAILURE,
  9005: USP_ERR.COMMAND_FAILURE,
  9006: USP_ERR.INVALID_COMMAND_ARGS,
  9007: USP_ERR.INVALID_COMMAND_ARGS,
  9008: USP_ERR.COMMAND_FAILURE,
};

const SPECIFIC: Readonly<Record<FaultContext, Readonly<Record<number, number>>>> = { get: GET_ONLY, set: SET_ONLY, operate: OPERATE_ONLY };

/** USP error code for CWMP fault `faultCode` reported in `context`; faults
 * without a better match are 7000 "Message failed" (allowed for Get and Set),
 * or 7022 "Command failure" for a command. */
export function uspCodeForFault(faultCode: number, context: FaultContext): number {
  const fallback = context === "operate" ? USP_ERR.COMMAND_FAILURE : USP_ERR.MESSAGE_FAILED;
  return SPECIFIC[context][faultCode] ?? COMMON[faultCode] ?? fallback;
}

/** err_msg carrying the CPE's own words, e.g. "CPE fault 9007: Value out of range". */
export function faultMessage(fault: { faultCode: number; faultString: string }): string {
  const text = fault.faultString.trim();
  return text === "" ? `CPE fault ${fault.faultCode}` : `CPE fault ${fault.faultCode}: ${text}`;
}

export interface MappedFault {
  errCode: number;
  errMsg: string;
}

export function mapFault(fault: { faultCode: number; faultString: string }, context: FaultContext): MappedFault {
  return { errCode: uspCodeForFault(fault.faultCode, context), errMsg: faultMessage(fault) };
}

/** True when a GPV fault is recovered from by asking each name alone. */
export function isRecoveredGpvFault(fault: CwmpFault, batchSize: number): boolean {
  return batchSize > 1 && fault.faultCode >= 9000;
}

/** 9005 Invalid parameter name: the name is absent, not a CPE failure. */
export const FAULT_INVALID_NAME = 9005;
