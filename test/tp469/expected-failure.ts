// Runs a TP-469 case that test/tp469/expected.ts lists as "expected-fail":
// its body checks what the spec requires, but through a recorder instead of
// tap's assertions, and the test passes only while at least one check still
// fails. A listed case that starts to pass therefore fails the run, and is
// moved to "pass" (STYLE.md §3 rule 10).
import { isDeepStrictEqual } from "node:util";
import type { Test } from "tap";
import { EXPECTED } from "./expected.js";

/** The assertions a case body may use; tap's Test has the same shape. */
export interface Check {
  equal(found: unknown, wanted: unknown, message?: string): void;
  same(found: unknown, wanted: unknown, message?: string): void;
  ok(value: unknown, message?: string): void;
  notOk(value: unknown, message?: string): void;
  match(found: unknown, pattern: RegExp, message?: string): void;
}

class Recorder implements Check {
  readonly failures: string[] = [];
  readonly passes: string[] = [];

  private record(ok: boolean, message: string | undefined, detail: () => string): void {
    if (ok) this.passes.push(message ?? "ok");
    else this.failures.push(`${message ?? "check"}: ${detail()}`);
  }

  equal(found: unknown, wanted: unknown, message?: string): void {
    this.record(found === wanted, message, () => `${JSON.stringify(found)} !== ${JSON.stringify(wanted)}`);
  }

  same(found: unknown, wanted: unknown, message?: string): void {
    // JSON round trip: tap's same() ignores undefined-valued keys, so do we.
    const norm = (v: unknown): unknown => (v === undefined ? undefined : JSON.parse(JSON.stringify(v)));
    this.record(isDeepStrictEqual(norm(found), norm(wanted)), message, () => `got ${JSON.stringify(found)}, wanted ${JSON.stringify(wanted)}`);
  }

  ok(value: unknown, message?: string): void {
    this.record(Boolean(value), message, () => `${JSON.stringify(value)} is not truthy`);
  }

  notOk(value: unknown, message?: string): void {
    this.record(!value, message, () => `${JSON.stringify(value)} is truthy`);
  }

  match(found: unknown, pattern: RegExp, message?: string): void {
    this.record(typeof found === "string" && pattern.test(found), message, () => `${JSON.stringify(found)} does not match ${String(pattern)}`);
  }
}

/** `title` is the case's full TP-469 title, literally (the meta-test reads it from the source). */
export function expectedFailure(t: Test, title: string, body: (check: Check) => Promise<void>): void {
  const id = /^TP-469 (\d+\.\d+) /.exec(title)?.[1] ?? "";
  const entry = EXPECTED.get(id);
  t.test(title, async (t) => {
    if (entry?.status !== "expected-fail") {
      t.fail(`TP-469 ${id} is run as an expected failure but expected.ts lists it as ${entry?.status ?? "nothing"}`);
      return;
    }
    const recorder = new Recorder();
    try {
      await body(recorder);
    } catch (err) {
      recorder.failures.push(`threw: ${err instanceof Error ? err.message : String(err)}`);
    }
    t.comment(`expected to fail (${entry.reason})`);
    for (const failure of recorder.failures) t.comment(`still failing: ${failure}`);
    t.ok(recorder.failures.length > 0, `TP-469 ${id} still fails as expected.ts says; if it passes now, mark it "pass" there`);
  });
}
