import { execFileSync, spawnSync } from "node:child_process";
import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  truncateSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { renderBootScript } from "../components/bootScript";
import { type CloudConfigParams, cloudConfigObject, renderCloudConfig } from "../components/cloudConfig";
import { layout } from "../sync/layout";
import { makeEd25519Key } from "./harness";

const work = mkdtempSync(join(tmpdir(), "pra-cloudconfig-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const fixedKey = {
  privateKey: "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----\n",
  publicKey: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIFixedFixedFixedFixedFixedFixedFixedFixed host@pra",
};
const params = (over: Partial<CloudConfigParams> = {}): CloudConfigParams => ({
  hostKey: fixedKey,
  user: "pra",
  authorizedKeys: ["ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIClientClientClientClientClientClientClient"],
  dataVolumeId: "0f3c5a1e-7d2b-4c11-9e8f-123456789abc",
  ...over,
});

function schemaCheck(text: string): { code: number; output: string } {
  const file = join(work, `user-data-${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(file, text);
  const r = spawnSync("cloud-init", ["schema", "-c", file], { encoding: "utf8" });
  return { code: r.status ?? -1, output: `${r.stdout}${r.stderr}` };
}

describe("cloud-config user data", () => {
  it("matches its snapshot", () => {
    expect(renderCloudConfig(params())).toMatchSnapshot();
  });

  it("is valid for cloud-init's own schema check, with a real generated key", () => {
    const key = makeEd25519Key();
    const result = schemaCheck(renderCloudConfig(params({ hostKey: key })));
    expect(result.output).toMatch(/Valid cloud-config/);
    expect(result.code).toBe(0);
  });

  it("the schema check really rejects a malformed file (so the check above means something)", () => {
    const broken = renderCloudConfig(params()).replace("ssh_pwauth: false", "ssh_pwauth: [1, 2]");
    expect(schemaCheck(broken).code).not.toBe(0);
  });

  it("reads back under YAML 1.1 exactly as intended (no yes/no/on surprises)", () => {
    const p = params({ user: "on", authorizedKeys: ["no", "yes"] });
    const text = renderCloudConfig(p);
    expect(text.startsWith("#cloud-config\n")).toBe(true);
    expect(parse(text, { version: "1.1" })).toEqual(cloudConfigObject(p));
  });

  it("pins the ed25519 host key and generates no others", () => {
    const doc = parse(renderCloudConfig(params()), { version: "1.1" });
    expect(doc.ssh_genkeytypes).toBeUndefined();
    expect(doc.ssh_deletekeys).toBe(true);
    expect(Object.keys(doc.ssh_keys)).toEqual(["ed25519_private", "ed25519_public"]);
    expect(doc.ssh_keys.ed25519_public).toBe(fixedKey.publicKey.split(" ").slice(0, 2).join(" "));
    expect(doc.disable_root).toBe(true);
    expect(doc.users[0]).toMatchObject({ name: "pra", sudo: "ALL=(ALL) NOPASSWD:ALL", lock_passwd: true });
    expect(doc.locale).toBe("C.UTF-8");
    expect(doc.manage_etc_hosts).toBe("localhost");
    expect(doc.runcmd).toEqual([
      ["/usr/local/sbin/pra-data-volume", "0f3c5a1e-7d2b-4c11-9e8f-123456789abc", "/srv/pra"],
    ]);
  });
});

describe("first-boot data volume script", () => {
  const volumeId = "0f3c5a1e-7d2b-4c11-9e8f-123456789abc";
  const script = join(work, "pra-data-volume");
  writeFileSync(script, renderBootScript(), { mode: 0o755 });

  function disk(name: string): { byId: string; image: string } {
    const byId = join(work, `by-id-${name}`);
    const image = join(work, `${name}.img`);
    execFileSync("mkdir", ["-p", byId]);
    writeFileSync(image, "");
    truncateSync(image, 16 * 1024 * 1024);
    symlinkSync(image, join(byId, `virtio-${volumeId.slice(0, 20)}`));
    return { byId, image };
  }
  /** Where this run leaves boot-done / boot-failed (the ready check reads them). */
  const bootState = (byId: string) => `${byId}-boot-state`;
  const run = (byId: string) =>
    spawnSync(script, [volumeId, join(work, "mnt")], {
      encoding: "utf8",
      env: {
        ...process.env,
        PRA_DISK_BY_ID: byId,
        PRA_BOOT_STATE: bootState(byId),
        PRA_FORMAT_ONLY: "1",
        PRA_DEVICE_WAIT: "1",
      },
    });
  const marks = (byId: string) => readdirSync(bootState(byId));
  const uuidOf = (image: string) =>
    execFileSync("blkid", ["-s", "UUID", "-o", "value", image], { encoding: "utf8" }).trim();

  it("passes bash -n", () => {
    expect(spawnSync("bash", ["-n", script]).status).toBe(0);
  });

  it("formats a blank volume, labelled pra-data", () => {
    const { byId, image } = disk("blank");
    const r = run(byId);
    expect(r.stderr).toMatch(/is blank: formatting it/);
    expect(r.status).toBe(0);
    expect(execFileSync("blkid", ["-s", "LABEL", "-o", "value", image], { encoding: "utf8" }).trim()).toBe("pra-data");
    expect(marks(byId)).toEqual(["boot-done"]);
  });

  it("never reformats a volume that already has a filesystem", () => {
    const { byId, image } = disk("used");
    execFileSync("mkfs.ext4", ["-q", "-L", "mydata", image]);
    const before = uuidOf(image);
    const r = run(byId);
    expect(r.stderr).toMatch(/already has a filesystem: keeping it/);
    expect(r.status).toBe(0);
    expect(uuidOf(image)).toBe(before);
  });

  it("fails clearly when the volume never shows up", () => {
    const r = run(join(work, "no-such-dir"));
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/volume 0f3c5a1e-7d2b-4c11-9e8f-123456789abc never appeared/);
    const noDisk = join(work, "no-such-dir");
    expect(marks(noDisk)).toEqual(["boot-failed"]);
    expect(readFileSync(join(bootState(noDisk), "boot-failed"), "utf8")).toBe(
      "volume 0f3c5a1e-7d2b-4c11-9e8f-123456789abc never appeared under /dev/disk/by-id; see /var/log/cloud-init-output.log\n",
    );
  });

  it("a result left by an earlier boot does not count: a failing run replaces boot-done with boot-failed", () => {
    const byId = join(work, "by-id-missing-again"); // the volume never appears this time
    mkdirSync(bootState(byId), { recursive: true });
    writeFileSync(join(bootState(byId), "boot-done"), "2024-01-01T00:00:00Z\n");
    const r = run(byId);
    expect(r.status).not.toBe(0);
    expect(marks(byId)).toEqual(["boot-failed"]);
  });

  it("leaves its result where the ready check looks (layout.bootState)", () => {
    expect(renderBootScript()).toContain(`boot_state="\${PRA_BOOT_STATE:-${layout.bootState}}"`);
  });

  it("reloads systemd (the MariaDB drop-in written during this boot) before it starts MariaDB", () => {
    const text = renderBootScript();
    const reload = text.indexOf("\nsystemctl daemon-reload\n");
    expect(reload).toBeGreaterThan(text.indexOf("\nsystemctl stop mariadb"));
    expect(reload).toBeLessThan(text.indexOf("\nsystemctl start mariadb\n"));
  });
});
