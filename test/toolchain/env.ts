import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";

const INSTALL = resolve(__dirname, "install.sh");
const NODE_MODULES = resolve(__dirname, "../../node_modules");

export type Component =
  | "cli"
  | "language-nodejs"
  | "plugin-command"
  | "plugin-tls"
  | "plugin-random"
  | "plugin-openstack";

export interface ComponentState {
  version: string;
  /** found, downloaded, built, bridged (the openstack plugin built by PRA through the Terraform bridge: test/toolchain/openstack-bridge) or missing. */
  how: string;
  /** Where it came from, or why it is missing. */
  detail: string;
}

/** The real Pulumi toolchain that test/toolchain/install.sh made, for tests that run the real engine. */
export interface Toolchain {
  dir: string;
  /** Holds bin/pulumi: what PulumiCommand.get({ root }) wants. */
  root: string;
  pulumiHome: string;
  components: Record<Component, ComponentState>;
}

/**
 * Reads what install.sh provided. Throws, naming the script, when it never ran for the pinned versions:
 * a missing toolchain is a broken test setup, not a reason to skip.
 */
export function toolchain(): Toolchain {
  const dir = execFileSync("bash", [INSTALL, "--print-dir"], { encoding: "utf8" }).trim();
  const manifest = join(dir, "toolchain.tsv");
  if (!existsSync(manifest)) {
    throw new Error(`no Pulumi toolchain in ${dir}: run test/toolchain/install.sh (scripts/test-all runs it)`);
  }
  const components = {} as Record<Component, ComponentState>;
  for (const line of readFileSync(manifest, "utf8").split("\n")) {
    const [name, version, how, , detail] = line.split("\t");
    if (name && version && how) components[name as Component] = { version, how, detail: detail ?? "" };
  }
  return { dir, root: dir, pulumiHome: join(dir, "pulumi-home"), components };
}

/** Why a test that needs these components cannot run, or undefined when all are there. */
export function missing(tc: Toolchain, ...needed: Component[]): string | undefined {
  const absent = needed.filter(
    (c) => !["found", "downloaded", "built", "bridged"].includes(tc.components[c]?.how ?? ""),
  );
  if (absent.length === 0) return undefined;
  return absent
    .map(
      (c) =>
        `${c} ${tc.components[c]?.version ?? "?"} unavailable (${tc.components[c]?.detail ?? "not in the manifest"})`,
    )
    .join("; ");
}

/**
 * The environment for running the real CLI: our binaries first on PATH (the engine finds the language
 * host there), the private PULUMI_HOME with the plugins, no update check, no plugin downloads, and
 * nothing read from or written to the user's ~/.pulumi. The dynamic provider's plugin is the script
 * @pulumi/pulumi ships (the release tarball has a copy beside the CLI); it finds the SDK through NODE_PATH.
 */
export function engineEnv(tc: Toolchain): Record<string, string> {
  return {
    PATH: [join(tc.dir, "bin"), join(NODE_MODULES, "@pulumi", "pulumi"), process.env.PATH ?? "/usr/bin:/bin"].join(":"),
    NODE_PATH: NODE_MODULES,
    PULUMI_HOME: tc.pulumiHome,
    PULUMI_SKIP_UPDATE_CHECK: "true",
    PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
    PULUMI_AUTOMATION_API_SKIP_VERSION_CHECK: "true",
  };
}
