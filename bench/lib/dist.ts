// The bench measures the code users run: the compiled dist/ that `npm ci`
// builds (prepare script), not a second compilation of src/. Modules are
// loaded by path at run time and typed from their sources, so the bench keeps
// strict types without needing declaration files in dist/.
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

function findRepoRoot(): string {
  // Compiled bench files live in bench/.build/bench/…; walk up to the checkout.
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, "package.json")) && existsSync(join(dir, "src"))) return dir;
    const up = dirname(dir);
    if (up === dir) throw new Error("bench: repository root not found above " + fileURLToPath(import.meta.url));
    dir = up;
  }
}

export const REPO_ROOT = findRepoRoot();

export async function fromDist<T>(relativePath: string): Promise<T> {
  const file = join(REPO_ROOT, "dist", relativePath);
  if (!existsSync(file)) throw new Error(`bench: ${file} missing; run npm run build first`);
  return (await import(pathToFileURL(file).href)) as T;
}

/** Path of a compiled bench entry point, for child processes. */
export function benchScript(relativePath: string): string {
  return join(dirname(fileURLToPath(import.meta.url)), "..", relativePath);
}
