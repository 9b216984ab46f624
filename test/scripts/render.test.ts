import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { renderBootScript } from "../../components/bootScript";
import { renderImportBack, renderPullFiles, renderSafetyCopy } from "../../sync/failback/primarySide";
import {
  renderChangesReport,
  renderColumnList,
  renderDumpStandby,
  renderMaintenance,
  renderRunHashes,
} from "../../sync/failback/standbySide";
import { renderDumpDb, renderReadDbCredentials } from "../../sync/primary/dumpDb";
import { renderPushFiles } from "../../sync/primary/pushFiles";
import { READY_CHECK } from "../../sync/runner/ready";
import { renderScript, shellAssignments } from "../../sync/scripts";
import { renderInstaller, standbyScripts } from "../../sync/standby/install";
import { fakeKey, standbyParams as params, standby } from "./fixtures";
import { runScript, workDir } from "./run";

const work = workDir("render");
const REPO = resolve(__dirname, "../..");

/** Values a parameter must carry verbatim: a quote, spaces, $, backticks, command substitutions, newlines. */
const hostile = [
  "it's",
  "a b  c",
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a bash expansion, on purpose
  "$HOME ${PATH} $(touch PWNED) `touch PWNED`",
  "line one\nline two\n",
  "'; touch PWNED; echo '",
  "\\' \\\\ \" \t end",
  "",
];

describe("the generated header", () => {
  it("carries every value verbatim, scalars and lists, and runs none of it", async () => {
    const header = shellAssignments({ ONE: hostile[2], LIST: hostile, NUMBER: 42 });
    const r = await runScript(`${header}printf '%s\\0' "$ONE" "$NUMBER" "\${LIST[@]}"`, [], { dir: work });
    expect(r.code).toBe(0);
    expect(r.stdout.split("\0").slice(0, -1)).toEqual([hostile[2], "42", ...hostile]);
    expect(existsSync(join(work, "PWNED"))).toBe(false);
  });

  it("refuses names that are not NAME_IN_CAPITALS and values bash cannot carry", () => {
    expect(() => shellAssignments({ "X; rm -rf /": "1" })).toThrow(/is not NAME_IN_CAPITALS/);
    expect(() => shellAssignments({ lower: "1" })).toThrow(/is not NAME_IN_CAPITALS/);
    expect(() => shellAssignments({ X: "a\0b" })).toThrow(/NUL byte/);
  });

  it("a hostile web root reaches push-files as data: named in the refusal, never run", async () => {
    for (const webRoot of hostile.filter(Boolean)) {
      const script = renderPushFiles({
        run: "run-1",
        standby,
        standbyPrivateKey: fakeKey,
        webRoot,
        apacheSiteConfig: "/nonexistent",
        ioTimeoutSeconds: 300,
        digestCache: join(work, "web-root.digests"),
      });
      const r = await runScript(script, [], { dir: work, env: { HOME: work } });
      expect(r.code).toBe(3);
      expect(r.stderr).toContain(`pra-push-files: ${webRoot}/wp-config.php is missing: ${webRoot} does not look like`);
      expect(existsSync(join(work, "PWNED"))).toBe(false);
    }
  });

  it("names the script's parameters and refuses a missing or unknown one", () => {
    expect(() =>
      renderScript("standby/pra-switch", {
        DATA_MOUNT: "/srv/pra",
        SITE_HOST: "b",
        PREVIEW_ADDRESS: "127.0.0.2",
        PREVIEW_CONFIG: "/etc/apache2/sites-available/pra-preview.conf",
      }),
    ).toThrow(/pra-switch\.sh: missing parameters MAX_DELETE_PERCENT$/);
    expect(() => renderScript("standby/pra-receive", { DATA_MOUNT: "/srv/pra", KEEP: 7 })).toThrow(
      /pra-receive\.sh: unknown parameters KEEP/,
    );
    const verify = standbyScripts(params)["pra-verify"];
    expect(verify).toContain("\nNEWEST_POST_TAG='newest-post'\n");
    expect(verify).toContain("\nPRA_TAG='pra-verify'\n");
  });
});

describe("every script that runs on a host", () => {
  const rendered: Record<string, string> = {
    ...standbyScripts(params),
    installer: renderInstaller(params),
    "push-files": renderPushFiles({
      run: "run-1",
      standby,
      standbyPrivateKey: fakeKey,
      webRoot: "/var/www/blog",
      apacheSiteConfig: "/etc/apache2/sites-available/blog.conf",
      ioTimeoutSeconds: 300,
      digestCache: join(work, "web-root.digests"),
    }),
    "dump-db": renderDumpDb({
      run: "run-1",
      standby,
      standbyPrivateKey: fakeKey,
      webRoot: "/var/www/blog",
      db: { kind: "socket", path: "/run/mysqld/mysqld.sock" },
      ioTimeoutSeconds: 300,
    }),
    "read-db-credentials": renderReadDbCredentials("/var/www/blog"),
    "ready-check": READY_CHECK,
    "pra-data-volume": renderBootScript(),
    "safety-copy": renderSafetyCopy({
      webRoot: "/var/www/blog",
      stamp: "20260101T000000Z",
      db: { kind: "tcp", host: "127.0.0.1", port: 13306 },
    }),
    "pull-files": renderPullFiles({ standby, standbyPrivateKey: fakeKey, webRoot: "/var/www/blog" }),
    "import-back": renderImportBack({
      webRoot: "/var/www/blog",
      hashSql: "SELECT 1;",
      expectedTsv: "t\t1\n",
      db: { kind: "socket", path: "/run/mysqld/mysqld.sock" },
    }),
    "changes-report": renderChangesReport(),
    "maintenance-on": renderMaintenance(true),
    "column-list": renderColumnList(),
    "run-hashes": renderRunHashes(),
    "dump-standby": renderDumpStandby(),
  };
  const bash = Object.keys(rendered).filter((n) => !n.endsWith(".php"));

  it.each(bash)("%s is self-contained valid bash (its libs inlined)", (name) => {
    expect(rendered[name]).not.toContain("PRA_LIB");
    const r = spawnSync("bash", ["-n"], { input: rendered[name], encoding: "utf8" });
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
  });

  it("never disables host key checking", () => {
    for (const text of Object.values(rendered))
      expect(text).not.toMatch(/StrictHostKeyChecking=no|UserKnownHostsFile=\/dev\/null/);
  });

  it("the boot script is the file itself, as cloud-init receives it", () => {
    expect(rendered["pra-data-volume"]).toBe(readFileSync(join(REPO, "sync/scripts/boot/pra-data-volume.sh"), "utf8"));
  });
});

describe("PHP", () => {
  const files = execFileSync("find", [REPO, "-name", "node_modules", "-prune", "-o", "-name", "*.php", "-print"], {
    encoding: "utf8",
  })
    .trim()
    .split("\n");

  it("finds the PHP helper and the lab's files", () => {
    expect(files).toContain(join(REPO, "sync/scripts/pra-wpconfig.php"));
    expect(files.length).toBeGreaterThan(3);
  });

  it.each(files.map((f) => f.slice(REPO.length + 1)))("%s passes php -l", (file) => {
    const r = spawnSync("php", ["-l", join(REPO, file)], { encoding: "utf8" });
    expect(r.stdout).toMatch(/No syntax errors/);
    expect(r.status).toBe(0);
  });

  it("php -l really fails on broken PHP (so the check above means something)", () => {
    const broken = join(work, "broken.php");
    writeFileSync(broken, "<?php echo 'x'\n$y = ;\n");
    expect(spawnSync("php", ["-l", broken]).status).not.toBe(0);
  });
});
