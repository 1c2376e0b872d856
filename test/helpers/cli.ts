// Runs the `cwmp2usp` CLI as a child process, the way a user does. From the
// TypeScript sources through tap's loader (what `npm test` checks), or from
// bin/cwmp2usp.js when dist/ is built from the current sources (as in CI,
// where .ci/run builds before testing).
import { spawn } from "node:child_process";
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

const ROOT = new URL("../..", import.meta.url).pathname;

/** tap's TypeScript import hook, as given to this test process. */
function typescriptLoader(): string[] {
  return process.execArgv.filter((a) => a.includes("@tapjs/typescript"));
}

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs);
  }
  return newest;
}

/** dist/ exists and no source is newer than it. */
export function distIsFresh(): boolean {
  try {
    return statSync(join(ROOT, "dist/cli.js")).mtimeMs >= newestMtime(join(ROOT, "src"));
  } catch {
    return false;
  }
}

export function runCli(args: string[], options: { from: "src" | "bin"; timeoutMs: number; env?: NodeJS.ProcessEnv }): Promise<CliRun> {
  const entry = options.from === "bin" ? [join(ROOT, "bin/cwmp2usp.js")] : [...typescriptLoader(), join(ROOT, "src/cli.ts")];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...entry, ...args], { cwd: ROOT, env: { ...process.env, ...options.env }, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs);
    child.once("error", (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.once("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}
