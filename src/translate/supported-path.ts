// GetSupportedDM obj_paths (TR-369 "The GetSupportedDM Message"): supported
// form ("Device.WiFi.SSID.{i}."), with the final "{i}." left out
// ("Device.WiFi.SSID."), instantiated ("Device.WiFi.SSID.1."), and since USP
// 1.4 a parameter, command or event path. usp/path.ts parses the
// instantiated grammar only, without "{i}", hence this small parser.
import { USP_ERR } from "../usp/errors.js";

export type Element = { kind: "param" | "command" | "event"; name: string };

export type Target =
  | {
      ok: true;
      /** The object's supported path ("Device.WiFi.SSID.{i}.Stats."), or the
       * table path without its "{i}." when the request left it out. */
      supported: string;
      /** What to list on the CPE: the path up to its first table, so that
       * every instance of that table contributes. */
      cpePath: string;
      /** The concrete path up to the last instance number, which must exist. */
      concrete: string | undefined;
      element: Element | undefined;
    }
  | { ok: false; errCode: number; errMsg: string };

const NAME = /^[A-Za-z_][A-Za-z0-9_-]*$/;
const INSTANCE = /^[1-9][0-9]*$/;

function syntaxError(p: string, why: string): Target {
  return { ok: false, errCode: USP_ERR.INVALID_PATH_SYNTAX, errMsg: `Invalid path syntax: ${p} (${why})` };
}

/** The element a path ends in, when it does not end in "." (USP 1.4). */
function elementOf(last: string): Element | undefined {
  const kind = last.endsWith("()") ? "command" : last.endsWith("!") ? "event" : "param";
  const bare = kind === "command" ? last.slice(0, -2) : kind === "event" ? last.slice(0, -1) : last;
  return NAME.test(bare) ? { kind, name: last } : undefined;
}

export function parseRequestedPath(p: string): Target {
  if (!p.startsWith("Device.")) return { ok: false, errCode: USP_ERR.INVALID_PATH, errMsg: `${p} is not in the Device. data model` };
  const cut = p.lastIndexOf(".") + 1;
  const element = cut === p.length ? undefined : elementOf(p.slice(cut));
  if (cut !== p.length && element === undefined) return syntaxError(p, "not an object, parameter, command or event path");
  let supported = "";
  let concrete = "";
  let lastInstance: string | undefined;
  let cpePath: string | undefined;
  let sawTemplate = false;
  for (const [i, seg] of p.slice(0, cut - 1).split(".").entries()) {
    const template = seg === "{i}" || seg === "*";
    const instance = INSTANCE.test(seg);
    if (!template && !instance && !NAME.test(seg)) return syntaxError(p, `bad segment "${seg}"`);
    if ((template || instance) && i === 0) return syntaxError(p, "starts with an instance");
    // TR-369: "If a {i} is encountered in the Object Path, it cannot be
    // followed by an Instance Identifier."
    if (instance && sawTemplate) return syntaxError(p, "an instance number after {i}");
    sawTemplate ||= template;
    if ((template || instance) && cpePath === undefined) cpePath = supported;
    supported += template || instance ? "{i}." : `${seg}.`;
    concrete += `${seg}.`;
    if (instance) lastInstance = concrete;
  }
  return { ok: true, supported, cpePath: cpePath ?? supported, concrete: lastInstance, element };
}
