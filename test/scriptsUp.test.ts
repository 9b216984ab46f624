import { spawnSync } from "node:child_process";
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { PINNED_PULUMI_VERSION } from "../ops/workspace";

const root = resolve(__dirname, "..");
const bin = mkdtempSync(join(tmpdir(), "pra-up-"));
const argvLog = join(bin, "argv.log");
// A stand-in for the Pulumi CLI that only records how it was called.
// `whoami` fails (logged in nowhere) unless told otherwise.
writeFileSync(
  join(bin, "pulumi"),
  `#!/bin/bash\necho "$* [backend=$PULUMI_BACKEND_URL]" >> ${argvLog}\n[ "$1" != whoami ] || [ -n "$FAKE_LOGGED_IN" ]\n`,
);
chmodSync(join(bin, "pulumi"), 0o755);
afterAll(() => rmSync(bin, { recursive: true, force: true }));

const up = (env: Record<string, string>, ...args: string[]) =>
  spawnSync(join(root, "scripts/up"), args, {
    encoding: "utf8",
    env: { PATH: `${bin}:${process.env.PATH}`, HOME: bin, ...env },
  });

/**
 * A PATH holding only the named tools (links to the real ones) and the given fake scripts: no pulumi,
 * and node/npm only when asked, whatever the machine has installed.
 */
function onlyPath(tools: string[], fakes: Record<string, string> = {}): string {
  const dir = mkdtempSync(join(bin, "path-"));
  for (const tool of tools) {
    const real = spawnSync("sh", ["-c", `command -v ${tool}`], { encoding: "utf8" }).stdout.trim();
    if (!real.startsWith("/")) throw new Error(`${tool} is not installed`);
    symlinkSync(real, join(dir, tool));
  }
  for (const [name, text] of Object.entries(fakes)) {
    writeFileSync(join(dir, name), text);
    chmodSync(join(dir, name), 0o755);
  }
  return dir;
}
const scriptTools = ["bash", "dirname", "sh", "uname"];

describe("scripts/up (the README's main command)", () => {
  it("names the missing passphrase", () => {
    const r = up({ OS_CLOUD: "mycloud" });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/set PULUMI_CONFIG_PASSPHRASE_FILE/);
  });

  it("names missing OpenStack credentials", () => {
    const r = up({ PULUMI_CONFIG_PASSPHRASE: "x" });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/export OS_CLOUD=/);
  });

  it("names a missing stack file", () => {
    const r = up({ PULUMI_CONFIG_PASSPHRASE: "x", OS_CLOUD: "c" }, "prod");
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/no Pulumi\.prod\.yaml/);
  });

  it("logs in to the local file backend, selects (or creates) the stack with a passphrase provider, runs up", () => {
    rmSync(argvLog, { force: true });
    const r = up({ PULUMI_CONFIG_PASSPHRASE: "x", OS_CLOUD: "c" }, "dev", "--yes");
    expect(r.status).toBe(0);
    // Pulumi.dev.yaml leaves pra:source at its default, local: the state would be a file on the primary.
    expect(r.stderr.trim()).toBe(
      `WARNING: the Pulumi state is a local file on the primary (${bin}/.pulumi-pra, pra:source is local). ` +
        "When the primary dies, the failover has no state to run on. Move it off this machine before you rely " +
        "on the standby: `npm run state:setup` (an S3 bucket in your cloud's object storage, docs/RUNBOOK.md \"Where " +
        'state and secrets live"), or `pulumi login` to Pulumi Cloud.',
    );
    const backend = `[backend=file://${bin}/.pulumi-pra]`;
    expect(readFileSync(argvLog, "utf8")).toBe(
      [
        `whoami ${backend}`,
        `login file://${bin}/.pulumi-pra ${backend}`,
        `stack select --create dev --secrets-provider passphrase ${backend}`,
        `up --stack dev --yes ${backend}`,
        "",
      ].join("\n"),
    );
  });

  it("keeps a backend the caller chose (e.g. a bucket) and an existing login", () => {
    rmSync(argvLog, { force: true });
    const r = up({
      PULUMI_CONFIG_PASSPHRASE: "x",
      OS_CLOUD: "c",
      PULUMI_BACKEND_URL: "s3://bucket/pra",
      FAKE_LOGGED_IN: "1",
    });
    expect(r.status).toBe(0);
    expect(r.stderr).toBe("");
    expect(readFileSync(argvLog, "utf8")).toBe(
      [
        "whoami [backend=s3://bucket/pra]",
        "stack select --create dev --secrets-provider passphrase [backend=s3://bucket/pra]",
        "up --stack dev [backend=s3://bucket/pra]",
        "",
      ].join("\n"),
    );
  });

  it("reports every missing prerequisite at once, before downloading or running anything", () => {
    rmSync(argvLog, { force: true });
    const r = up({ PATH: onlyPath(scriptTools) }, "prod");
    expect(r.status).toBe(2);
    const lines = r.stderr.trim().split("\n");
    expect(lines).toEqual([
      expect.stringMatching(/^scripts\/up: no Pulumi\.prod\.yaml: copy Pulumi\.dev\.yaml/),
      expect.stringMatching(/^scripts\/up: set PULUMI_CONFIG_PASSPHRASE_FILE=/),
      expect.stringMatching(/^scripts\/up: no OpenStack credentials: export OS_CLOUD=/),
      expect.stringMatching(/^scripts\/up: no node\/npm on the PATH: install Node\.js 20/),
    ]);
    expect(existsSync(argvLog)).toBe(false);
  });

  it("rejects a passphrase file that does not exist, naming the path", () => {
    const r = up({ OS_CLOUD: "c", PULUMI_CONFIG_PASSPHRASE_FILE: join(bin, "no-such-passphrase") });
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(
      `scripts/up: PULUMI_CONFIG_PASSPHRASE_FILE=${join(bin, "no-such-passphrase")} does not exist: ` +
        "create it (chmod 600) with the stack's passphrase, or fix the path\n",
    );
  });

  it("rejects a passphrase file that is not a readable file (a directory)", () => {
    const dir = join(bin, "passphrase-dir");
    mkdirSync(dir, { recursive: true });
    const r = up({ OS_CLOUD: "c", PULUMI_CONFIG_PASSPHRASE_FILE: dir });
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(`scripts/up: PULUMI_CONFIG_PASSPHRASE_FILE=${dir} is not a readable file\n`);
  });

  it("accepts a readable passphrase file", () => {
    const file = join(bin, "passphrase");
    writeFileSync(file, "x", { mode: 0o600 });
    const r = up({ OS_CLOUD: "c", PULUMI_CONFIG_PASSPHRASE_FILE: file, FAKE_LOGGED_IN: "1" });
    expect(r.stderr).not.toMatch(/PULUMI_CONFIG_PASSPHRASE/);
    expect(r.status).toBe(0);
  });

  it("without network: says the Pulumi CLI could not be downloaded and how to install the pinned one by hand", () => {
    const curlLog = join(bin, "curl.log");
    const path = onlyPath([...scriptTools, "node", "npm"], {
      // What curl prints when the name does not resolve (no network).
      curl: `#!/bin/sh\necho "$*" >> ${curlLog}\necho "curl: (6) Could not resolve host: get.pulumi.com" >&2\nexit 6\n`,
    });
    const r = up({ PATH: path, PULUMI_CONFIG_PASSPHRASE: "x", OS_CLOUD: "c" });
    expect(r.status).toBe(2);
    expect(readFileSync(curlLog, "utf8")).toBe("-fsSL https://get.pulumi.com\n");
    expect(r.stderr).toContain("curl: (6) Could not resolve host");
    expect(r.stderr).toContain(
      `scripts/up: could not download the Pulumi CLI ${PINNED_PULUMI_VERSION} from get.pulumi.com`,
    );
    expect(r.stderr).toMatch(
      new RegExp(
        `https://get\\.pulumi\\.com/releases/sdk/pulumi-v${PINNED_PULUMI_VERSION}-linux-(x64|arm64)\\.tar\\.gz`,
      ),
    );
    expect(r.stderr).toContain("tar -xzf");
    expect(existsSync(join(bin, ".pulumi", "bin", "pulumi"))).toBe(false);
  });

  it("installs the Pulumi CLI version the operations are tested with", () => {
    expect(readFileSync(join(root, "scripts/up"), "utf8")).toContain(`pulumi_version=${PINNED_PULUMI_VERSION}\n`);
  });
});
