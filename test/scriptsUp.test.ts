import { spawnSync } from "node:child_process";
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";

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
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
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
    expect(readFileSync(argvLog, "utf8")).toBe(
      [
        "whoami [backend=s3://bucket/pra]",
        "stack select --create dev --secrets-provider passphrase [backend=s3://bucket/pra]",
        "up --stack dev [backend=s3://bucket/pra]",
        "",
      ].join("\n"),
    );
  });
});
