import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { describe, expect, it } from "vitest";

/**
 * The layers point one way: ops → the program (index.ts, config.ts and its helpers) → components → sync.
 * A module may import its own layer and the layers below it, never one above.
 */
const root = resolve(__dirname, "..");
const RANK: Record<string, number> = { ops: 3, program: 2, components: 1, sync: 0 };

function layerOf(file: string): string | undefined {
  const top = relative(root, file).split("/")[0];
  if (top === "ops" || top === "components" || top === "sync") return top;
  if (!top.includes("/") && top.endsWith(".ts") && !top.startsWith("vitest")) return "program";
  return undefined;
}

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sources(path);
    return path.endsWith(".ts") ? [path] : [];
  });
}

function imports(file: string): string[] {
  const text = readFileSync(file, "utf8");
  return [...text.matchAll(/(?:from|import)\s*\(?\s*"(\.{1,2}\/[^"]+)"/g)].map((m) => resolve(dirname(file), m[1]));
}

const files = [
  ...["ops", "components", "sync"].flatMap((d) => sources(join(root, d))),
  ...readdirSync(root)
    .filter((f) => f.endsWith(".ts") && !f.startsWith("vitest"))
    .map((f) => join(root, f)),
];

describe("layers", () => {
  it("finds the modules of every layer", () => {
    const counts = Object.fromEntries(Object.keys(RANK).map((l) => [l, files.filter((f) => layerOf(f) === l).length]));
    for (const layer of Object.keys(RANK)) expect(counts[layer], layer).toBeGreaterThan(0);
  });

  it("no module imports a layer above its own", () => {
    const upward: string[] = [];
    for (const file of files) {
      const from = layerOf(file) as string;
      for (const target of imports(file)) {
        const to = layerOf(`${target}.ts`) ?? layerOf(target);
        if (to && RANK[to] > RANK[from])
          upward.push(`${relative(root, file)} (${from}) imports ${relative(root, target)} (${to})`);
      }
    }
    expect(upward).toEqual([]);
  });
});
