// `node bench/.build/bench/profile.js FILE.cpuprofile [N]`: the N functions
// with the most self time, and the share of time spent under each module
// (dist/ file or npm package). Profiles come from BENCH_CPU_PROF=1, which
// profiles the server process of each case (lib/child.ts).
import { readFileSync } from "node:fs";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** "node_modules/<package>" or "dist/<file>"; undefined for node internals. */
function moduleOf(url: string): string | undefined {
  const nm = url.lastIndexOf("node_modules/");
  if (nm >= 0) {
    const parts = url.slice(nm + "node_modules/".length).split("/");
    return "node_modules/" + (parts[0]?.startsWith("@") === true ? parts.slice(0, 2).join("/") : (parts[0] ?? ""));
  }
  const dist = url.lastIndexOf("/dist/");
  return dist >= 0 ? url.slice(dist + 1) : undefined;
}

function shortUrl(url: string): string {
  const nm = url.lastIndexOf("node_modules/");
  if (nm >= 0) return url.slice(nm + "node_modules/".length);
  return moduleOf(url) ?? url;
}

function share(map: Map<string, number>, total: number, n: number): string[] {
  return [...map].sort((a, b) => b[1] - a[1]).slice(0, n).map(([k, v]) => `${((v / total) * 100).toFixed(1).padStart(5)}%  ${k}`);
}

function main(): void {
  const [file, top = "25"] = process.argv.slice(2);
  if (file === undefined) throw new Error("usage: profile.js FILE.cpuprofile [N]");
  const profile = JSON.parse(readFileSync(file, "utf8")) as CpuProfile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const self = new Map<string, number>();
  const inclusive = new Map<string, number>();
  let total = 0;
  profile.samples.forEach((sample, i) => {
    const dt = profile.timeDeltas[i] ?? 0;
    total += dt;
    const leaf = byId.get(sample);
    if (leaf === undefined) return;
    const { functionName, url, lineNumber } = leaf.callFrame;
    const key = `${functionName || "(anonymous)"} ${shortUrl(url)}:${lineNumber + 1}`;
    self.set(key, (self.get(key) ?? 0) + dt);
    // A module counts once per sample however deep its frames recurse.
    const seen = new Set<string>();
    for (let id: number | undefined = sample; id !== undefined; id = parent.get(id)) {
      const mod = moduleOf(byId.get(id)?.callFrame.url ?? "");
      if (mod !== undefined && !seen.has(mod)) {
        seen.add(mod);
        inclusive.set(mod, (inclusive.get(mod) ?? 0) + dt);
      }
    }
  });
  console.log(`self time, top ${top}:\n${share(self, total, Number(top)).join("\n")}`);
  console.log(`\ntime under each module (inclusive):\n${share(inclusive, total, Number(top)).join("\n")}`);
}

main();
