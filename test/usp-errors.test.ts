import t from "tap";
import { USP_ERR, USP_ERR_NAMES, uspError } from "../src/usp/errors.js";

// Fixture: TR-369 1.4 "Error Codes" (7000–7031) and "USP Record Errors"
// (7100–7106), transcribed by hand from the spec tables. Kept inline because
// CI has no access to the reference documents.
const SPEC: ReadonlyArray<readonly [number, string]> = [
  [7000, "Message failed"],
  [7001, "Message not supported"],
  [7002, "Request denied (no reason specified)"],
  [7003, "Internal error"],
  [7004, "Invalid arguments"],
  [7005, "Resources exceeded"],
  [7006, "Permission denied"],
  [7007, "Invalid configuration"],
  [7008, "Invalid path syntax"],
  [7009, "Parameter action failed"],
  [7010, "Unsupported parameter"],
  [7011, "Invalid type"],
  [7012, "Invalid value"],
  [7013, "Attempt to update non-writeable parameter"],
  [7014, "Value conflict"],
  [7015, "Operation error"],
  [7016, "Object does not exist"],
  [7017, "Object could not be created"],
  [7018, "Object is not a table"],
  [7019, "Attempt to create non-creatable object"],
  [7020, "Object could not be updated"],
  [7021, "Required parameter failed"],
  [7022, "Command failure"],
  [7023, "Command canceled"],
  [7024, "Delete failure"],
  [7025, "Object exists with duplicate key"],
  [7026, "Invalid path"],
  [7027, "Invalid command arguments"],
  [7028, "Register failure"],
  [7029, "Already in use"],
  [7030, "Deregister failure"],
  [7031, "Path already registered"],
  [7100, "Record could not be parsed"],
  [7101, "Secure session required"],
  [7102, "Secure session not supported"],
  [7103, "Segmentation and reassembly not supported"],
  [7104, "Invalid Record value"],
  [7105, "Session Context terminated"],
  [7106, "Session Context not allowed"],
];

t.test("every spec error code has its spec name in USP_ERR_NAMES", async (t) => {
  for (const [code, name] of SPEC) t.equal(USP_ERR_NAMES[code], name, String(code));
});

t.test("USP_ERR_NAMES holds no code the spec does not define", async (t) => {
  const spec = new Map(SPEC);
  for (const [code, name] of Object.entries(USP_ERR_NAMES)) {
    t.equal(spec.get(Number(code)), name, `${code} is in the spec table`);
  }
  t.equal(Object.keys(USP_ERR_NAMES).length, SPEC.length);
});

t.test("USP_ERR constants are exactly the spec codes, each once", async (t) => {
  const values = Object.values(USP_ERR).map(Number);
  t.equal(new Set(values).size, values.length, "no two constants share a code");
  t.strictSame([...values].sort((x, y) => x - y), SPEC.map(([code]) => code));
});

t.test("uspError builds a message-level Error value", async (t) => {
  t.strictSame(uspError(USP_ERR.INVALID_ARGUMENTS, "bad"), { errCode: 7004, errMsg: "bad", paramErrs: [] });
  const paramErrs = [{ paramPath: "Device.X", errCode: 7012, errMsg: "range" }];
  t.strictSame(uspError(7021, "required", paramErrs), { errCode: 7021, errMsg: "required", paramErrs });
});
