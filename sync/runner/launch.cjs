"use strict";
/**
 * `node sync/runner/launch.cjs <step>`: runs sync/runner/cli.ts from a bundle of it, built once per
 * content of sync/ and kept in .pra/runner/ (git-ignored, never committed). tsx would transform the
 * TypeScript again at every start (about 0.9 s per step, on the sync's critical path); plain node on a
 * bundle starts in a tenth of that. The bundle's name is the sha256 of everything it is built from (the
 * sources under sync/, where they are, esbuild's version and options), so a changed source can never
 * run stale code, and the steps' command text stays the same from one run to the next.
 * esbuild is the one tsx ships with (no dependency of our own). npm packages stay outside the bundle,
 * loaded from node_modules as under tsx. The shell and PHP scripts are read at run time from
 * sync/scripts/, as under tsx: each bundled module keeps its own __dirname.
 */
const { createHash } = require("node:crypto");
const { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, existsSync } = require("node:fs");
const { dirname, join, relative, sep } = require("node:path");

const SYNC_DIR = join(__dirname, "..");
const PROJECT = join(SYNC_DIR, "..");
const ENTRY = join(__dirname, "cli.ts");
const BUNDLES = join(PROJECT, ".pra", "runner");

function esbuild() {
  return require(require.resolve("esbuild", { paths: [dirname(require.resolve("tsx/package.json"))] }));
}

/** Every TypeScript source under sync/ (tests aside), sorted: what the bundle can be made of. */
function sources(dir = SYNC_DIR) {
  const found = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) found.push(...sources(path));
    else if (entry.name.endsWith(".ts") && !entry.name.endsWith(".test.ts")) found.push(path);
  }
  return found.sort();
}

const OPTIONS = { bundle: true, platform: "node", format: "cjs", target: "node20", packages: "external" };

function bundleName(version) {
  const hash = createHash("sha256");
  hash.update(JSON.stringify({ version, OPTIONS, project: PROJECT }));
  for (const path of sources()) hash.update(`\0${relative(SYNC_DIR, path)}\0`).update(readFileSync(path));
  return `cli-${hash.digest("hex").slice(0, 32)}.cjs`;
}

/** Each bundled source sees its own directory as __dirname (sync/scripts.ts finds the scripts by it). */
const ownDirname = {
  name: "own-dirname",
  setup(build) {
    build.onLoad({ filter: /\.ts$/ }, (args) => {
      if (args.path.split(sep).includes("node_modules")) return undefined;
      const source = readFileSync(args.path, "utf8");
      if (!/\b__(dirname|filename)\b/.test(source)) return undefined;
      const own = `const __dirname = ${JSON.stringify(dirname(args.path))}, __filename = ${JSON.stringify(args.path)};\n`;
      return { contents: own + source, loader: "ts" };
    });
  },
};

/** The bundle's path, built first if this content has none yet (written aside, then renamed: steps start together). */
async function bundle() {
  const build = esbuild();
  const path = join(BUNDLES, bundleName(build.version));
  if (existsSync(path)) return path;
  mkdirSync(BUNDLES, { recursive: true, mode: 0o700 });
  const partial = `${path}.${process.pid}.partial`;
  try {
    await build.build({ ...OPTIONS, entryPoints: [ENTRY], outfile: partial, plugins: [ownDirname], logLevel: "error" });
    renameSync(partial, path);
  } finally {
    rmSync(partial, { force: true });
  }
  // Bundles of older sources are of no further use.
  for (const name of readdirSync(BUNDLES)) {
    if (name !== relative(BUNDLES, path) && /^cli-[0-9a-f]{32}\.cjs$/.test(name))
      rmSync(join(BUNDLES, name), { force: true });
  }
  return path;
}

bundle().then(
  (path) => require(path),
  (error) => {
    console.error(
      `pra-runner: cannot build the runner bundle in ${BUNDLES}: ${error instanceof Error ? error.message : error}`,
    );
    process.exit(1);
  },
);
