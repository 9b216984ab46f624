import { execFileSync } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseRecoveryRecord } from "../ops/recoveryRecord";
import { type ProgramRun, runProgram } from "./harness";
import { hostArgvLog, installHostShims, makeRunnerShims, runnerArgvLog } from "./lab/argvLog";
import { type Lab, startLab } from "./lab/lab";
import { LE_LIVE } from "./lab/tls";
import { type CommandLog, labHooks, labSyncConfig } from "./labEngine";

/**
 * The HTTPS blog (startLab({ tls: true })): a lab CA made for this run, a certificate for the blog's
 * name in Let's Encrypt's layout, home/siteurl https, HSTS, port 80 redirecting to https. The http
 * blog of test/syncLab.test.ts covers everything else; this file covers what TLS changes.
 */
let lab: Lab;
const log: CommandLog[] = [];
let runnerShims: { binDir: string; log: string };
let runs = 0;
const freshRun = (what: string) => `${what}-${++runs}`;
const hooks = () => labHooks(lab, log, { pathPrefix: runnerShims.binDir });
const sync = (run: string, more: Record<string, string> = {}): Promise<ProgramRun> =>
  runProgram({ ...labSyncConfig(lab, run), ...more }, { hooks: hooks(), secretKeys: ["primarySshPrivateKey"] });
const record = (run: ProgramRun) => JSON.parse(String(run.outputs.recoveryPoint));

/** A verifying client outside the standby (the lab CA only, never -k), as a visitor whose DNS points at it. */
const visit = (scheme: "http" | "https", address = lab.standby.address) =>
  execFileSync(
    "curl",
    [
      "-sS",
      "-D",
      "-",
      "--max-time",
      "20",
      "--cacert",
      lab.tls?.caFile ?? "",
      "--resolve",
      `${lab.blogHost}:${scheme === "https" ? 443 : 80}:${address}`,
      `${scheme}://${lab.blogHost}/`,
    ],
    { encoding: "utf8" },
  );

const newestTitle = async () =>
  (
    await lab.primary.sql(
      "SELECT post_title FROM wp_posts WHERE post_type='post' AND post_status='publish' ORDER BY post_date DESC, ID DESC LIMIT 1",
      "wordpress",
    )
  ).trim();

// The timeout leaves room to wait for another run's lab to release the machine-wide lock (600 s) first.
beforeAll(async () => {
  lab = await startLab({ tls: true });
  runnerShims = await makeRunnerShims(lab.dir);
  await Promise.all([installHostShims(lab.primary), installHostShims(lab.standby)]);
}, 900_000);

afterAll(async () => {
  await lab?.stop();
});

describe("an HTTPS blog (lab CA, Let's Encrypt layout, HSTS, http→https redirect)", () => {
  it("the primary serves it as the standby must: verified https with HSTS, http redirects", () => {
    expect(visit("https", lab.primary.address)).toMatch(/strict-transport-security: max-age=31536000/i);
    expect(visit("http", lab.primary.address)).toMatch(
      /^HTTP\/1\.1 301[\s\S]*^location: https:\/\/blog\.example\.test\//im,
    );
  });

  it("a sync carries the certificate and key root-only, links kept, and the standby's check is over verified https", async () => {
    const title = `Over TLS ${Date.now()}`;
    await lab.primary.addPost(title, "body");
    const run = freshRun("tls-sync");
    const rec = record(await sync(run));
    expect(rec.run).toBe(run);
    // The certificate in the record (what `status` and the nightly's expiry warning read).
    const parsed = parseRecoveryRecord(JSON.stringify(rec));
    expect(parsed?.certificate?.names).toEqual([lab.blogHost]);
    expect(Date.parse(parsed?.certificate?.notAfter ?? "")).toBe(Date.parse(lab.tls?.notAfter ?? "x"));
    const tls = `/srv/pra/generations/${run}/tls`;
    const listing = (
      await lab.standby.exec(
        `cd ${tls} && stat -c '%a %U %F %n' . etc/letsencrypt/archive/${lab.blogHost}/privkey1.pem && readlink .${LE_LIVE}/privkey.pem && ls etc/letsencrypt/renewal etc/letsencrypt/options-ssl-apache.conf`,
      )
    ).stdout;
    expect(listing).toMatch(/^700 root directory \.$/m);
    expect(listing).toMatch(/^600 root regular file etc\/letsencrypt\/archive\/.*\/privkey1\.pem$/m);
    expect(listing).toContain(`../../archive/${lab.blogHost}/privkey1.pem`);
    expect(listing).toContain(`${lab.blogHost}.conf`);
    // The standby's site names the volume's copies, never the primary's paths.
    const site = (await lab.standby.exec("cat /etc/apache2/sites-available/pra-site.conf")).stdout;
    expect(site).toContain(`SSLCertificateKeyFile "/srv/pra/current/tls${LE_LIVE}/privkey.pem"`);
    expect(site).not.toMatch(/^\s*SSLCertificateFile \/etc/m);
    // certbot's HTTPS virtual host, in a file of its own on the primary, came along with blog.conf.
    expect(site).toMatch(
      /^# PRA: from \/etc\/apache2\/sites-enabled\/blog-le-ssl\.conf \(also serves blog\.example\.test\)$/m,
    );
    const verify = log.filter((l) => l.name === "pra-sync-verify").pop();
    expect(verify?.stderr).toContain("WordPress serves the newest post");
    // From inside the standby's namespace, as pra-verify asks: verified https, HSTS kept, redirect kept.
    const inside = (
      await lab.standby.exec(
        `curl -sS -D - --cacert /srv/pra/current/tls/pra/ca.pem --resolve ${lab.blogHost}:443:127.0.0.1 https://${lab.blogHost}/`,
      )
    ).stdout;
    expect(inside).toMatch(/^HTTP\/1\.1 200/);
    expect(inside).toContain(title);
    expect(inside).toMatch(/strict-transport-security: max-age=31536000/i);
  }, 600_000);

  it("the private key never appears on a command line, in a step's output or in the outputs", async () => {
    const key = (await lab.primary.exec(`cat ${LE_LIVE}/privkey.pem`)).stdout;
    const keyLine = key.split("\n")[1];
    expect(keyLine.length).toBeGreaterThan(20);
    const before = await Promise.all([
      runnerArgvLog(runnerShims.log),
      hostArgvLog(lab.primary),
      hostArgvLog(lab.standby),
    ]);
    const result = await sync(freshRun("tls-secrets"));
    const after = await Promise.all([
      runnerArgvLog(runnerShims.log),
      hostArgvLog(lab.primary),
      hostArgvLog(lab.standby),
    ]);
    const argv = after.map((text, i) => text.slice(before[i].length)).join("");
    expect(argv).toContain("rsync");
    expect(argv).not.toContain(keyLine);
    const logged = log.map((l) => `${l.create}${l.stdout}${l.stderr}`).join("");
    expect(logged).not.toContain(keyLine);
    expect(JSON.stringify(result.outputs)).not.toContain(keyLine);
  }, 600_000);

  it("a live drill passes: the standby serves the newest post over verified https (web closed to the public)", async () => {
    const result = await runProgram(
      { ...labSyncConfig(lab, ""), drillRun: freshRun("drill") },
      { hooks: hooks(), secretKeys: ["primarySshPrivateKey"] },
    );
    expect(result.outputs.mode).toBe("drill");
    expect(String(result.outputs.standbyCheck)).toMatch(/^newest-post \d+$/m);
  }, 600_000);

  it("fails over: a certificate-verifying client gets the newest post from the standby on 443, with HSTS and the redirect", async () => {
    await sync(freshRun("before-failover"));
    // What a new instance booted from the image looks like: no site, no web root link, no ssl module.
    await lab.standby.exec(
      "a2dissite -q pra-site; a2dismod -q -f ssl; rm -f /etc/apache2/sites-available/pra-site.conf /var/www/blog; apache2ctl graceful",
    );
    const result = await runProgram(
      { ...labSyncConfig(lab, ""), praActive: "true" },
      { hooks: hooks(), secretKeys: ["primarySshPrivateKey"] },
    );
    expect(result.outputs.mode).toBe("active");
    const health = log.filter((l) => l.name === "pra-activation-health").pop();
    expect(health?.stdout).toContain(`(https://${lab.blogHost}/, after`);
    const page = visit("https");
    expect(page).toMatch(/^HTTP\/1\.1 200/);
    expect(page).toMatch(/strict-transport-security: max-age=31536000/i);
    expect(page).toContain((await newestTitle()).split(" ")[0]);
    expect(visit("http")).toMatch(/^HTTP\/1\.1 301[\s\S]*^location: https:\/\/blog\.example\.test\//im);
    // The same certificate as the primary's.
    const served = execFileSync(
      "bash",
      [
        "-c",
        `openssl s_client -connect ${lab.standby.address}:443 -servername ${lab.blogHost} </dev/null 2>/dev/null | openssl x509 -noout -fingerprint -sha256`,
      ],
      { encoding: "utf8" },
    );
    const primaryCert = (await lab.primary.exec(`openssl x509 -in ${LE_LIVE}/cert.pem -noout -fingerprint -sha256`))
      .stdout;
    expect(served).toBe(primaryCert);
  }, 600_000);
});

describe("a primary whose site names a key file that is not there", () => {
  it("is refused before anything is sent, naming the file", async () => {
    await lab.primary.exec(`mv ${LE_LIVE}/privkey.pem /root/privkey.pem`);
    try {
      await expect(sync(freshRun("no-key"))).rejects.toThrow(
        new RegExp(`${LE_LIVE}/privkey\\.pem is missing \\(named by SSLCertificateKeyFile`),
      );
    } finally {
      await lab.primary.exec(`mv /root/privkey.pem ${LE_LIVE}/privkey.pem`);
    }
  }, 600_000);
});
