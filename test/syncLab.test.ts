import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { parseSyncConfig } from "../config";
import { changesSince, parseRecoveryRecord, type RecoveryRecord } from "../ops/recoveryRecord";
import { buildPlan, primarySide, type StepInput } from "../sync/plan";
import { renderReadDbCredentials } from "../sync/primary/dumpDb";
import { failbackData } from "../sync/runner/failback";
import { primaryFingerprint } from "../sync/runner/fingerprint";
import { sshKit } from "../sync/runner/keys";
import { makeEd25519Key, type ProgramRun, runProgram } from "./harness";
import { hostArgvLog, installHostShims, makeRunnerShims, runnerArgvLog } from "./lab/argvLog";
import { type Lab, startLab } from "./lab/lab";
import { type CommandLog, labHooks, labSyncConfig } from "./labEngine";

let lab: Lab;
const log: CommandLog[] = [];
/** The machine-side shims: every command Pulumi's local steps run is logged (test/lab/argvLog.ts). */
let runnerShims: { binDir: string; log: string };

const syncConfig = (run: string) => labSyncConfig(lab, run);
/** The lab's sync keys as the program parses them, for the steps run here directly. */
const labSync = (more: Record<string, string> = {}) => parseSyncConfig((key) => ({ ...syncConfig(""), ...more })[key]);
const hooks = (opts: Parameters<typeof labHooks>[2] = {}) =>
  labHooks(lab, log, { pathPrefix: runnerShims.binDir, ...opts });

async function sync(run: string, h = hooks()): Promise<ProgramRun> {
  return runProgram(syncConfig(run), { hooks: h, secretKeys: ["primarySshPrivateKey"] });
}

let runs = 0;
/** A run id no other test uses. */
const freshRun = (what: string) => `${what}-${++runs}`;

const liveRun = async () => (await lab.standby.exec("readlink /srv/pra/current", { allowFail: true })).stdout.trim();

/**
 * Each test states what it needs instead of relying on what earlier tests left: a live recovery point
 * on the standby (synced now when there is none).
 */
async function ensureLive(): Promise<string> {
  const current = await lab.standby.exec("cat /srv/pra/current/record.json", { allowFail: true });
  if (current.code === 0) return (JSON.parse(current.stdout) as { run: string }).run;
  return record(await sync(freshRun("setup"))).run;
}

/** At least `n` kept recovery points. */
async function ensureGenerations(n: number): Promise<string[]> {
  const list = async () =>
    (await lab.standby.exec("ls -1t /srv/pra/generations", { allowFail: true })).stdout
      .trim()
      .split("\n")
      .filter((g) => g && !g.startsWith("failover-"));
  while ((await list()).length < n) await sync(freshRun("setup"));
  return list();
}

/**
 * Deterministic fault injection (sync/scripts/lib/fault-point.sh): the named script kills its own
 * process group at the named point, exactly as kill -9 or a power cut would there.
 */
async function withFault<T>(host: Lab["primary"] | Lab["standby"], point: string, body: () => Promise<T>): Promise<T> {
  await host.exec(`mkdir -p /run/pra && echo ${point} > /run/pra/fault`);
  try {
    return await body();
  } finally {
    await host.exec("rm -f /run/pra/fault");
  }
}

/** The shims' logs: where Pulumi runs, on the primary, on the standby. */
const argvLogs = () =>
  Promise.all([runnerArgvLog(runnerShims.log), hostArgvLog(lab.primary), hostArgvLog(lab.standby)]);

/** Runs `body` and returns every command line the shims logged meanwhile, on all three machines. */
async function argvDuring<T>(body: () => Promise<T>): Promise<{ result: T; argv: string }> {
  const before = await argvLogs();
  const result = await body();
  const after = await argvLogs();
  return { result, argv: after.map((text, i) => text.slice(before[i].length)).join("") };
}

const record = (run: ProgramRun) =>
  JSON.parse(String(run.outputs.recoveryPoint)) as {
    run: string;
    snapshotTime: string;
    fileDigest: string;
    bytesSent: number;
    tables: Record<string, { rows: number; crc32: string; md5: string }>;
  };

/** The standby's live schema, as a shell expression: each generation has its own, named by its wp-config.php. */
const LIVE_SCHEMA = "$(php /srv/pra/bin/pra-wpconfig.php /srv/pra/current/www/wp-config.php name)";
const liveSchema = async () => (await lab.standby.exec(`echo ${LIVE_SCHEMA}`)).stdout.trim();

/**
 * An independent comparison: mariadb-dump of the live schema, data only, ordered by primary key, one
 * row per line; the big corpus row is hashed so that a mismatch reports the differing rows, not 34 MB.
 * Transients and the cron option are left out: WordPress rewrites them whenever a page is served,
 * on either side, after the sync.
 */
const dumpOf = (host: Lab["primary"] | Lab["standby"]) =>
  host
    .exec(
      `mariadb-dump --max-allowed-packet=1G --skip-comments --skip-dump-date --hex-blob --order-by-primary --no-create-info --skip-extended-insert ${host === lab.standby ? LIVE_SCHEMA : "wordpress"} | perl -MDigest::MD5=md5_hex -ne 'next if /^INSERT INTO \`wp_options\` VALUES \\(\\d+,\\x27(_site)?_transient_|^INSERT INTO \`wp_options\` VALUES \\(\\d+,\\x27cron\\x27/; print length($_) > 4096 ? "long row " . md5_hex($_) . "\\n" : $_'`,
      { timeoutMs: 300_000 },
    )
    .then((r) => r.stdout);

/** sha256 of every file of the web root except those the standby clean-up changes on purpose. */
const filesOf = (host: Lab["primary"] | Lab["standby"]) =>
  host
    .exec(
      "cd -P /var/www/blog && find . -path ./wp-content/cache -prune -o -type f ! -name .htaccess ! -name wp-config.php ! -name advanced-cache.php ! -name object-cache.php -print0 | LC_ALL=C sort -z | xargs -0 sha256sum | sha256sum",
    )
    .then((r) => r.stdout.trim());

const home = async () =>
  (await lab.standby.exec(`curl -sS -D - --resolve ${lab.blogHost}:80:127.0.0.1 http://${lab.blogHost}/`)).stdout;

beforeAll(async () => {
  lab = await startLab();
  runnerShims = await makeRunnerShims(lab.dir);
  await Promise.all([installHostShims(lab.primary), installHostShims(lab.standby)]);
  // The round-trip corpus: what breaks naive dump/restore pipelines.
  await lab.primary.sql(
    `SET SESSION sql_mode = '';
     CREATE TABLE pra_corpus (
       id BIGINT UNSIGNED PRIMARY KEY, big BIGINT, bytes BLOB, emoji VARCHAR(32) CHARACTER SET utf8mb4,
       zero_dt DATETIME, zero_d DATE, micro DATETIME(6), doc JSON, huge LONGBLOB
     ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
     INSERT INTO pra_corpus VALUES
       (1, 9007199254740993, (SELECT UNHEX(GROUP_CONCAT(LPAD(HEX(seq), 2, '0') SEPARATOR '')) FROM seq_0_to_255),
        '🦊 naïve ✓', '0000-00-00 00:00:00', '0000-00-00', '2026-11-25 03:04:05.123456',
        '{"a": [1, 2.50, "x"], "b": {"c": null}}', NULL),
       (2, -9223372036854775808, '', '𝄞', NULL, NULL, NULL, NULL, REPEAT('z', 17 * 1024 * 1024));`,
    "wordpress",
  );
}, 300_000);

afterAll(async () => {
  await lab?.stop();
  // PRA_LAB_TRANSCRIPT=file keeps what every step printed (for reading, not asserted).
  if (process.env.PRA_LAB_TRANSCRIPT) {
    const text = log
      .map((l) => `## ${l.name} (${l.kind}, exit ${l.code}, ${l.ms} ms)\n${l.stdout}${l.stderr}`)
      .join("\n");
    writeFileSync(process.env.PRA_LAB_TRANSCRIPT, text);
  }
});

describe("data sync against the lab (real sshd, rsync, MariaDB, Apache, WordPress)", () => {
  it("a sync: database and files identical, WordPress serves the newest post, no Super Cache", async () => {
    const title = `Fresh from the primary ${Date.now()}`;
    await lab.primary.addPost(title, "body");
    const run = freshRun("sync");
    const rec = record(await sync(run));
    expect(rec.run).toBe(run);
    expect(Object.keys(rec.tables)).toContain("pra_corpus");
    expect(rec.tables.wp_posts.rows).toBeGreaterThan(0);
    // All 64 bits of the MD5 part carry information (a DOUBLE on the way would zero the low ones).
    const md5s = Object.values(rec.tables)
      .filter((t) => t.rows > 0)
      .map((t) => t.md5);
    expect(md5s.length).toBeGreaterThan(5);
    expect(md5s.filter((m) => !m.endsWith("00")).length).toBeGreaterThan(0);
    expect(await dumpOf(lab.standby)).toBe(await dumpOf(lab.primary));
    expect(await filesOf(lab.standby)).toBe(await filesOf(lab.primary));
    const page = await home();
    expect(page).toMatch(/^HTTP\/1\.1 200/);
    expect(page).toContain(title);
    expect(page.toLowerCase()).not.toContain("supercache");
    const htaccess = (await lab.standby.exec("cat /var/www/blog/.htaccess")).stdout;
    expect(htaccess).not.toContain("WPSuperCache");
    expect(htaccess).toContain("# BEGIN WordPress");
    const leftovers = await lab.standby.exec(
      "cd /var/www/blog/wp-content && ls advanced-cache.php object-cache.php 2>&1; find cache -type f 2>/dev/null | wc -l; grep -c WP_CACHE ../wp-config.php",
      { allowFail: true },
    );
    expect(leftovers.stdout).toMatch(/No such file[\s\S]*No such file[\s\S]*^0\n0/m);
  }, 600_000);

  it("the corpus survives byte for byte (256 byte values, emoji, zero dates, DATETIME(6), BIGINT, JSON, 17 MB row)", async () => {
    await ensureLive();
    const q =
      "SELECT id, big, HEX(bytes), HEX(emoji), zero_dt, zero_d, micro, doc, LENGTH(huge), MD5(huge) FROM pra_corpus ORDER BY id";
    const standby = await lab.standby.sql(q, await liveSchema());
    expect(standby).toBe(await lab.primary.sql(q, "wordpress"));
    expect(standby).toContain("9007199254740993");
    expect(standby).toContain("0000-00-00 00:00:00");
    expect(standby).toContain("2026-11-25 03:04:05.123456");
    expect(standby).toContain(String(17 * 1024 * 1024));
  }, 600_000);

  it("a sync with nothing changed since the last one sends almost nothing and keeps every hash", async () => {
    const a = record(await sync(freshRun("sync")));
    const second = freshRun("unchanged");
    const b = record(await sync(second));
    expect(b.tables).toEqual(a.tables);
    expect(b.fileDigest).toBe(a.fileDigest);
    const filesSent = log.filter((l) => l.name === "pra-sync-files").map((l) => l.stdout);
    const sent = Number(/sent (\d+) bytes/.exec(filesSent[filesSent.length - 1])?.[1]);
    expect(sent).toBeLessThan(200_000);
    // Unchanged files are hard links into the previous generation: no new space.
    const links = await lab.standby.exec(`stat -c %h /srv/pra/generations/${second}/www/wp-includes/version.php`);
    expect(Number(links.stdout.trim())).toBeGreaterThanOrEqual(2);
  }, 600_000);

  it("a sync after one new comment sends only a delta of the database dump (well under 50 kB)", async () => {
    await ensureLive();
    await lab.primary.addComment(1, `one new comment ${Date.now()}`);
    const rec = record(await sync(freshRun("comment")));
    const database = log.filter((l) => l.name === "pra-sync-database").map((l) => l.stdout);
    const dumpSent = /dump (\d+) bytes sent \((\d+) bytes uncompressed\)/.exec(database[database.length - 1]);
    expect(Number(dumpSent?.[1])).toBeGreaterThan(0);
    expect(Number(dumpSent?.[1])).toBeLessThan(50_000);
    // The whole dump arrived all the same: the generation verified, kept uncompressed as the next basis.
    const kept = await lab.standby.exec(`stat -c %s /srv/pra/generations/${rec.run}/dump.sql`);
    expect(Number(kept.stdout.trim())).toBe(Number(dumpSent?.[2]));
  }, 600_000);

  it("keeps secrets off every command line, out of logs and out of outputs", async () => {
    const logged = log.length;
    const { result, argv } = await argvDuring(() => sync(freshRun("secrets")));
    const creds = (
      JSON.parse((await lab.primary.exec(renderReadDbCredentials("/var/www/blog"))).stdout) as { password: string }
    ).password;
    expect(creds.length).toBeGreaterThan(5);
    // Line 3 of an OpenSSH key holds private material (the first lines are the same for every ed25519 key).
    const keyLine = lab.primary.ssh.privateKey.split("\n")[3];
    const standbyKeyLine = lab.standby.ssh.privateKey.split("\n")[3];
    expect(keyLine.length).toBeGreaterThan(40);
    // The shims saw the whole run: the runner's ssh, rsync and the dump on the primary, the import on the standby.
    for (const command of ["ssh ", "rsync ", "mariadb-dump ", "mariadb ", "sudo ", "php "]) {
      expect(argv, command).toMatch(new RegExp(`^${command}`, "m"));
    }
    // The sync key is exported on purpose, as a secret output (failback and rescue need it).
    expect(result.secretOutputs).toEqual(["syncPrivateKey"]);
    const { syncPrivateKey: _, ...plainOutputs } = result.outputs;
    const everything = JSON.stringify({
      log: log.slice(logged),
      outputs: plainOutputs,
      creates: result.resources.map((r) => r.inputs.create),
    });
    for (const secret of [creds, keyLine, standbyKeyLine]) {
      expect(argv).not.toContain(secret);
      expect(everything).not.toContain(secret);
    }
    // The runner steps get their keys on stdin, as secrets; the keeper and the outcome get none.
    const runnerSteps = result.byType("command:local:Command").filter((r) => r.name.startsWith("pra-sync-"));
    expect(runnerSteps.length).toBe(3);
    for (const r of runnerSteps) expect(r.secretInputs).toContain("stdin");
    expect(result.named("pra-recovery-outcome").inputs.stdin).toBeUndefined();
    for (const r of result.byType("command:remote:Command")) {
      expect(r.secretInputs.some((p) => p === "connection" || p === "connection.privateKey")).toBe(true);
      expect(r.inputs.create).toMatch(/^sudo -n timeout \d+ /);
      expect((r.inputs.connection as { user: string }).user).toBe("pra");
      expect((r.inputs.connection as { hostKey: string }).hostKey).toBe(lab.standby.ssh.hostPublicKey);
    }
  }, 600_000);
});

describe("a failed or interrupted sync leaves the last good copy serving", () => {
  const standbyDb = () => dumpOf(lab.standby);

  it("killed right after rsync (before the files are recorded): the run fails, the previous generation still serves", async () => {
    await ensureLive();
    const before = { run: await liveRun(), db: await standbyDb(), page: await home() };
    await lab.primary.addPost(`Not yet on the standby ${Date.now()}`, "x");
    await withFault(lab.primary, "push-files:after-rsync", async () => {
      await expect(sync(freshRun("killed-rsync"))).rejects.toThrow(/pra-sync-files/);
    });
    expect(await liveRun()).toBe(before.run);
    expect(await standbyDb()).toBe(before.db);
    const page = await home();
    expect(page).toMatch(/^HTTP\/1\.1 200/);
    expect(page).not.toContain("Not yet on the standby");
  }, 600_000);

  it("killed during the import (staging loaded, not yet compared): the run fails, the previous database still serves", async () => {
    await ensureLive();
    const before = { run: await liveRun(), db: await standbyDb() };
    await withFault(lab.standby, "pra-import:after-staging-load", async () => {
      await expect(sync(freshRun("killed-import"))).rejects.toThrow(/fault injected at after-staging-load/);
    });
    expect(await liveRun()).toBe(before.run);
    expect(await standbyDb()).toBe(before.db);
    expect(await home()).toMatch(/^HTTP\/1\.1 200/);
  }, 600_000);

  it("an empty source is refused before anything is sent", async () => {
    await ensureLive();
    const before = await liveRun();
    await lab.primary.exec("mv /var/www/blog /var/www/blog.away && mkdir /var/www/blog");
    try {
      // Files and database run side by side; whichever notices first names the missing WordPress root.
      await expect(sync(freshRun("empty"))).rejects.toThrow(
        /does not look like the WordPress root|cannot read \/var\/www\/blog\/wp-config\.php/,
      );
    } finally {
      await lab.primary.exec("rmdir /var/www/blog && mv /var/www/blog.away /var/www/blog");
    }
    expect(await liveRun()).toBe(before);
  }, 600_000);

  it("after a failed run, the next run catches up and clears the failed run's leftovers", async () => {
    await ensureLive();
    await withFault(lab.standby, "pra-import:after-staging-load", async () => {
      await expect(sync(freshRun("failed"))).rejects.toThrow(/pra-sync-import/);
    });
    expect((await lab.standby.exec("ls -A /srv/pra/incoming")).stdout).not.toBe("");
    const title = `Caught up ${Date.now()}`;
    await lab.primary.addPost(title, "y");
    const run = freshRun("catch-up");
    expect(record(await sync(run)).run).toBe(run);
    expect(await dumpOf(lab.standby)).toBe(await dumpOf(lab.primary));
    expect(await filesOf(lab.standby)).toBe(await filesOf(lab.primary));
    expect(await home()).toContain(title);
    expect((await lab.standby.exec("ls -A /srv/pra/incoming")).stdout).toBe("");
  }, 600_000);

  it.each(["after-checks", "after-preview", "after-flip", "after-activate"])(
    "killed in the switch %s: the same run, run again, completes",
    async (point) => {
      await ensureLive();
      const title = `Across a switch killed ${point} ${Date.now()}`;
      await lab.primary.addPost(title, "s");
      const run = freshRun(`killed-switch-${point}`);
      await withFault(lab.standby, `pra-switch:${point}`, async () => {
        await expect(sync(run)).rejects.toThrow(new RegExp(`fault injected at ${point}`));
      });
      const again = await sync(run);
      expect(record(again).run).toBe(run);
      expect(await dumpOf(lab.standby)).toBe(await dumpOf(lab.primary));
      expect(await home()).toContain(title);
    },
    600_000,
  );

  it("a generation that would lose too many files is refused", async () => {
    await lab.primary.exec(
      "echo doomed > /var/www/blog/wp-content/uploads/doomed.txt && chown www-data: /var/www/blog/wp-content/uploads/doomed.txt",
    );
    try {
      await sync(freshRun("with-doomed"));
      const before = await liveRun();
      await lab.primary.exec("mv /var/www/blog/wp-content/uploads/doomed.txt /root/doomed.txt");
      try {
        await expect(
          runProgram(
            { ...syncConfig(freshRun("shrink")), maxDeletePercent: "0" },
            { hooks: hooks(), secretKeys: ["primarySshPrivateKey"] },
          ),
        ).rejects.toThrow(/refusing: 1 of \d+ files of the live copy would disappear/);
      } finally {
        await lab.primary.exec("mv /root/doomed.txt /var/www/blog/wp-content/uploads/doomed.txt");
      }
      expect(await liveRun()).toBe(before);
    } finally {
      await lab.primary.exec("rm -f /var/www/blog/wp-content/uploads/doomed.txt");
    }
  }, 600_000);
});

describe("never worse: a new generation is proved before it goes live, and rolled back after", () => {
  /** Each test starts from a verified live generation, made here when none is there yet. */
  const snapshot = async () => {
    const verified = await lab.standby.exec("readlink /srv/pra/verified", { allowFail: true });
    if (
      verified.stdout.trim() === "" ||
      !(await liveRun()).startsWith("generations/") ||
      (await liveRun()).includes("failover-")
    )
      await sync(freshRun("base"));
    return current();
  };
  const current = async () => ({
    run: await liveRun(),
    schema: await liveSchema(),
    db: await dumpOf(lab.standby),
    files: await filesOf(lab.standby),
  });
  /** The lab's hooks, also catching what the recovery point's keeper is given to keep. */
  const keeping = () => {
    const base = hooks();
    const kept: string[] = [];
    const local = base["command:local:Command"];
    return {
      kept,
      hooks: {
        ...base,
        "command:local:Command": async (args: Parameters<typeof local>[0], inputs: Record<string, unknown>) => {
          if (inputs.create === "cat") kept.push(String(inputs.stdin ?? ""));
          return local(args, inputs);
        },
      },
    };
  };

  it("a generation WordPress cannot serve never goes live: the previous one keeps serving, unchanged", async () => {
    const before = await snapshot();
    const title = `Never served ${Date.now()}`;
    await lab.primary.addPost(title, "x");
    // Broken code in the candidate only: the primary's Apache has it loaded already, the standby's not.
    await lab.primary.exec(
      "mkdir -p /var/www/blog/wp-content/mu-plugins && printf '%s\\n' '<?php http_response_code(500); exit(\"broken on purpose\");' > /var/www/blog/wp-content/mu-plugins/pra-broken.php",
    );
    try {
      await expect(sync("run-broken")).rejects.toThrow(
        /pra-sync-switch[\s\S]*run run-broken does not serve before going live: WordPress answered HTTP 500 .*127\.0\.0\.2/,
      );
    } finally {
      await lab.primary.exec("rm -rf /var/www/blog/wp-content/mu-plugins");
    }
    expect(await current()).toEqual(before);
    expect((await lab.standby.exec("ls /srv/pra/generations")).stdout).not.toContain("run-broken");
    expect((await lab.standby.exec("readlink /srv/pra/verified")).stdout.trim()).toBe(before.run);
    const page = await home();
    expect(page).toMatch(/^HTTP\/1\.1 200/);
    expect(page).not.toContain(title);
  }, 600_000);

  it("killed right after the flip: pra-activate (as at boot) puts the previous files, tables and `current` back", async () => {
    const before = await snapshot();
    await lab.primary.addPost(`Flipped, never verified ${Date.now()}`, "x");
    await withFault(lab.standby, "pra-switch:after-flip", async () => {
      await expect(sync("run-killed-after-flip")).rejects.toThrow(/pra-sync-switch/);
    });
    expect(await liveRun()).toBe("generations/run-killed-after-flip");
    expect((await lab.standby.exec("readlink /srv/pra/pending")).stdout.trim()).toBe(
      "generations/run-killed-after-flip",
    );
    const activated = await lab.standby.exec("/srv/pra/bin/pra-activate");
    expect(activated.stderr).toMatch(/rolled back: generations\/run-killed-after-flip was live but never verified/);
    expect(await current()).toEqual(before);
    expect((await lab.standby.exec("ls -A /srv/pra")).stdout).not.toMatch(/^pending$/m);
    expect(await home()).toMatch(/^HTTP\/1\.1 200/);
  }, 600_000);

  it("a generation that fails through the real site after the flip is rolled back; the record kept is what serves, and the nightly's change check sees the difference", async () => {
    const before = await snapshot();
    const title = `Fails after the flip ${Date.now()}`;
    await lab.primary.addPost(title, "x");
    // The primary's site denies every request: Apache accepts it, the preview site is another one, the
    // real site uses it once it is live. The primary's own Apache is not reloaded, so it keeps serving.
    const conf = "/etc/apache2/sites-available/blog.conf";
    await lab.primary.exec(
      `cp ${conf} /root/blog.conf && sed -i 's#</VirtualHost>#<Location "/">\\nRequire all denied\\n</Location>\\n</VirtualHost>#' ${conf}`,
    );
    const { hooks: keepingHooks, kept } = keeping();
    try {
      await expect(sync("run-fails-live", keepingHooks)).rejects.toThrow(
        /the sync failed: run-fails-live failed its check through the real site \(WordPress answered HTTP 403 .*\); rolled back: .* serves again/,
      );
    } finally {
      await lab.primary.exec(`mv /root/blog.conf ${conf}`);
    }
    expect(await current()).toEqual(before);
    expect(await home()).not.toContain(title);
    // The run's record claims what really serves: the previous point, not the failed run.
    const claimed = parseRecoveryRecord(kept.at(-1));
    expect(claimed?.run).toBe(before.run.replace(/^generations\//, ""));
    const fingerprint = await primaryFingerprint({
      ...primarySide(labSync()),
      primaryPrivateKey: lab.primary.ssh.privateKey,
    });
    expect(changesSince(claimed as RecoveryRecord, fingerprint)).toContain("wp_posts");

    // The next night repairs it.
    const next = await sync("run-repair");
    expect(record(next).run).toBe("run-repair");
    expect(await liveRun()).toBe("generations/run-repair");
    expect((await lab.standby.exec("readlink /srv/pra/verified")).stdout.trim()).toBe("generations/run-repair");
    expect(await dumpOf(lab.standby)).toBe(await dumpOf(lab.primary));
    expect(await home()).toContain(title);
    // Only the live generation's schema is left.
    const schemas = (
      await lab.standby.sql("SELECT SCHEMA_NAME FROM information_schema.SCHEMATA WHERE SCHEMA_NAME LIKE 'pra%'")
    ).trim();
    expect(schemas).toBe("pra_run-repair");
  }, 900_000);
});

describe("Apache site config", () => {
  it("a site config Apache rejects is refused, and the live site keeps serving", async () => {
    await ensureLive();
    const before = await liveRun();
    const conf = "/etc/apache2/sites-available/blog.conf";
    await lab.primary.exec(`cp ${conf} /root/blog.conf && echo 'NoSuchDirective on' >> ${conf}`);
    try {
      await expect(sync(freshRun("bad-apache"))).rejects.toThrow(/Apache rejects the primary's site config/);
    } finally {
      await lab.primary.exec(`mv /root/blog.conf ${conf}`);
    }
    expect(await liveRun()).toBe(before);
    expect(await home()).toMatch(/^HTTP\/1\.1 200/);
  }, 600_000);
});

describe("source=local: the sync runs on the primary itself", () => {
  it("syncs from the primary's own web root and socket", async () => {
    const title = `Local source ${Date.now()}`;
    await lab.primary.addPost(title, "z");
    const run = freshRun("local");
    const config = { ...syncConfig(run), source: "local" };
    let result: ProgramRun;
    try {
      result = await runProgram(config, { hooks: hooks({ localOnPrimary: true }) });
    } catch (e) {
      // Keep the report small: the error may carry a whole command's output.
      throw new Error(String(e instanceof Error ? e.message : e).slice(0, 4000));
    }
    expect(record(result).run).toBe(run);
    expect(await dumpOf(lab.standby)).toBe(await dumpOf(lab.primary));
    expect(await home()).toContain(title);
  }, 600_000);
});

describe("pinning", () => {
  it("a standby presenting another host key is refused at once, before any data moves", async () => {
    const before = log.length;
    const wrong = makeEd25519Key().publicKey;
    // Refused at once: the readiness gate does not retry a wrong key until its deadline.
    await expect(sync(freshRun("wrong-key"), hooks({ pinnedHostKey: wrong }))).rejects.toThrow(
      /presents a host key that is not the pinned one/,
    );
    expect(log.slice(before).map((l) => l.name)).toEqual(["pra-sync-ready"]);
    expect(log[log.length - 1].stdout).not.toMatch(/waiting/);
  }, 600_000);
});

describe("recovery points", () => {
  it("keeps records of the newest generations, each with snapshot time, hashes, digest and bytes", async () => {
    await ensureGenerations(2);
    const run = freshRun("newest");
    await sync(run);
    const listing = (await lab.standby.exec("ls -1t /srv/pra/generations")).stdout.trim().split("\n");
    expect(listing[0]).toBe(run);
    expect(listing.length).toBeLessThanOrEqual(7);
    const rec = JSON.parse((await lab.standby.exec("cat /srv/pra/current/record.json")).stdout);
    expect(rec).toMatchObject({ run, fileDigest: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect(Date.parse(rec.snapshotTime)).toBeGreaterThan(Date.now() - 3600_000);
    expect(rec.bytesSent).toBeGreaterThan(0);
    // The live generation keeps its dump as received (the next delta basis), the older ones compressed.
    expect((await lab.standby.exec("ls /srv/pra/current/")).stdout).toMatch(/^dump\.sql$/m);
    expect((await lab.standby.exec(`ls /srv/pra/generations/${listing[1]}/`)).stdout).toMatch(/^dump\.sql\.gz$/m);
  }, 600_000);

  const primaryOverSsh = () => ({ ...primarySide(labSync()), primaryPrivateKey: lab.primary.ssh.privateKey });

  it("the primary's fingerprint equals the newest record while nothing changed (what lets the nightly job skip)", async () => {
    const rec = record(await sync(freshRun("before-fingerprint")));
    const fingerprint = await primaryFingerprint(primaryOverSsh());
    expect(fingerprint.fileDigest).toBe(rec.fileDigest);
    expect(fingerprint.tables).toEqual(rec.tables);
    await lab.primary.addComment(1, `changed ${Date.now()}`);
    const after = await primaryFingerprint(primaryOverSsh());
    expect(after.tables.wp_comments).not.toEqual(rec.tables.wp_comments);
  }, 120_000);
});

describe("failover onto the standby", () => {
  it("a fresh instance serves the newest recovery point from outside, and DNS is switched by the hook", async () => {
    // The newest recovery point holds the primary's newest post.
    await sync(freshRun("before-failover"));
    // What a new instance booted from the image looks like: no site, no web root link, no site DB user.
    await lab.standby.exec(
      "a2dissite -q pra-site; rm -f /etc/apache2/sites-available/pra-site.conf /var/www/blog; apache2ctl graceful; mariadb -e \"DROP USER IF EXISTS 'wp'@'localhost'\"",
    );
    const dnsFile = join(tmpdir(), `pra-dns-${Date.now()}`);
    const result = await runProgram(
      {
        ...syncConfig(""),
        praActive: "true",
        dnsHookCommand: `echo "$PRA_DNS_NAME $PRA_DNS_ADDRESS" > ${dnsFile}`,
        dnsPrimaryAddress: lab.primary.address,
      },
      { hooks: hooks(), secretKeys: ["primarySshPrivateKey"] },
    );
    expect(result.outputs.mode).toBe("active");
    expect(String(result.outputs.standbyCheck)).toMatch(/^newest-post \d+$/m);
    const health = log.filter((l) => l.name === "pra-activation-health").pop();
    expect(health?.stdout).toMatch(/WordPress answers for blog\.example\.test on 10\.231\.7\.20 with the newest post/);
    expect(readFileSync(dnsFile, "utf8")).toBe(`blog.example.test ${lab.standby.address}\n`);
    // From outside the standby, as a visitor whose DNS now points at it.
    const page = execFileSync(
      "curl",
      ["-sS", "--resolve", `blog.example.test:80:${lab.standby.address}`, "http://blog.example.test/"],
      {
        encoding: "utf8",
      },
    );
    const newest = (
      await lab.primary.sql(
        "SELECT post_title FROM wp_posts WHERE post_type='post' AND post_status='publish' ORDER BY post_date DESC, ID DESC LIMIT 1",
        "wordpress",
      )
    ).trim();
    expect(page).toContain(newest.split(" ")[0]);
  }, 600_000);

  it("onto a chosen older recovery point: its database comes back, verified", async () => {
    const points = await ensureGenerations(2);
    const older = points[points.length - 1];
    const rec = JSON.parse((await lab.standby.exec(`cat /srv/pra/generations/${older}/record.json`)).stdout);
    await runProgram(
      { ...syncConfig(""), praActive: "true", restorePoint: older },
      { hooks: hooks(), secretKeys: ["primarySshPrivateKey"] },
    );
    // The failover serves its own copy of that point, so the recovery point itself stays untouched.
    expect((await lab.standby.exec("readlink /srv/pra/current")).stdout.trim()).toMatch(/^generations\/failover-/);
    expect(JSON.parse((await lab.standby.exec("cat /srv/pra/current/record.json")).stdout).run).toBe(older);
    const rows = (await lab.standby.sql("SELECT COUNT(*) FROM wp_posts", await liveSchema())).trim();
    expect(Number(rows)).toBe(rec.tables.wp_posts.rows);
  }, 600_000);
});

describe("failback", () => {
  const failbackInput = (primaryPort = 22): StepInput => ({
    plan: buildPlan(
      labSync({ primarySshPort: String(primaryPort) }),
      {
        host: lab.standby.address,
        user: "pra",
        hostPublicKey: lab.standby.ssh.hostPublicKey,
        hostKeyAlias: "pra-standby",
      },
      "failback",
    ),
    secrets: { standbyPrivateKey: lab.standby.ssh.privateKey, primaryPrivateKey: lab.primary.ssh.privateKey },
  });

  async function failback(input: StepInput): Promise<string[]> {
    const kit = sshKit(input);
    const lines: string[] = [];
    try {
      await failbackData(input, kit, (l) => lines.push(l));
      return lines;
    } finally {
      await kit.dispose();
    }
  }

  // A finished failback leaves the standby in maintenance; tests after it expect a serving standby.
  afterEach(() => lab.standby.exec("rm -f /srv/pra/current/www/.maintenance"));

  /** Failed over: the standby serves its own copy of the newest recovery point. */
  async function ensureFailedOver(): Promise<void> {
    await ensureLive();
    if ((await liveRun()).startsWith("generations/failover-")) return;
    await runProgram(
      { ...syncConfig(""), praActive: "true" },
      { hooks: hooks(), secretKeys: ["primarySshPrivateKey"] },
    );
  }

  it("refuses while the primary is unreachable, and the standby keeps serving", async () => {
    await ensureFailedOver();
    await expect(failback(failbackInput(2))).rejects.toThrow(/the primary does not answer.*staying failed over/s);
    expect(await home()).toMatch(/^HTTP\/1\.1 200/);
  }, 120_000);

  it("brings a post, a comment and an upload written on the standby back to the primary, verified", async () => {
    await ensureFailedOver();
    const title = `Written during the failover ${Date.now()}`;
    // What WordPress writes for a new post and an approved comment.
    const postId = Number(
      (
        await lab.standby.sql(
          `INSERT INTO wp_posts (post_author, post_date, post_date_gmt, post_content, post_title, post_excerpt, post_status,
             comment_status, ping_status, post_name, to_ping, pinged, post_modified, post_modified_gmt, post_content_filtered,
             post_parent, guid, post_type)
           VALUES (1, NOW(), UTC_TIMESTAMP(), 'written on the standby', '${title}', '', 'publish', 'open', 'open',
             'written-during-the-failover', '', '', NOW(), UTC_TIMESTAMP(), '', 0, '', 'post');
           SELECT LAST_INSERT_ID();`,
          await liveSchema(),
        )
      ).trim(),
    );
    await lab.standby.sql(
      `INSERT INTO wp_comments (comment_post_ID, comment_author, comment_author_email, comment_author_url, comment_author_IP,
         comment_date, comment_date_gmt, comment_content, comment_approved, comment_agent, comment_type, comment_parent, user_id)
       VALUES (${postId}, 'Reader', '', '', '', NOW(), UTC_TIMESTAMP(), 'a reader commented on the standby', '1', '', 'comment', 0, 0)`,
      await liveSchema(),
    );
    await lab.standby.exec(
      "echo from-standby > /var/www/blog/wp-content/uploads/2026/11/from-standby.txt && chown www-data: /var/www/blog/wp-content/uploads/2026/11/from-standby.txt",
    );
    const lines = await failback(failbackInput());
    const report = lines.join("\n");
    expect(report).toContain(title);
    expect(report).toContain("a reader commented on the standby");
    expect(report).toContain("2026/11/from-standby.txt");
    expect(report).toMatch(/safety copy of the primary in \/var\/backups\/pra\/failback-/);
    expect(report).toMatch(/database back on the primary \(\d+ tables verified\)/);

    expect((await lab.primary.sql(`SELECT post_title FROM wp_posts WHERE ID = ${postId}`, "wordpress")).trim()).toBe(
      title,
    );
    expect(
      await lab.primary.sql(`SELECT COUNT(*) FROM wp_comments WHERE comment_post_ID = ${postId}`, "wordpress"),
    ).toMatch(/^1/);
    expect((await lab.primary.exec("cat /var/www/blog/wp-content/uploads/2026/11/from-standby.txt")).stdout).toBe(
      "from-standby\n",
    );
    expect(await dumpOf(lab.primary)).toBe(await dumpOf(lab.standby));
    // The primary keeps its own configuration: Super Cache stays on there.
    expect((await lab.primary.exec("grep -c WP_CACHE /var/www/blog/wp-config.php")).stdout.trim()).toBe("1");
    expect((await lab.primary.exec("ls /var/backups/pra/failback-*/db.sql.gz")).stdout).toMatch(/db\.sql\.gz/);
    // No write may land on the standby any more.
    expect(await home()).toMatch(/^HTTP\/1\.1 503/);
  }, 600_000);
});
