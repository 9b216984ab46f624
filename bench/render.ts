/** Re-renders docs/benchmarks.md from the stored runs in docs/benchmarks/*.json: `npx tsx bench/render.ts`. */
import { join } from "node:path";
import { renderAll } from "./report";

renderAll(join(__dirname, "../docs"));
