import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { type DoctorDeps, runDoctor } from "../ops/doctorJob";
import { CheckExitCode } from "../ops/exitCodes";
import { runStatus, type StatusDeps } from "../ops/statusJob";
import { checkPrimary } from "../sync/runner/primaryCheck";
import { runProgram } from "./harness";
import { type Lab, startLab } from "./lab/lab";
import { type CommandLog, labHooks, labSyncConfig } from "./labEngine";
import { type Fixture, makeFixture } from "./ops/fixture";

/**
 * `npm run status` and `npm run doctor` against the lab: the state (played by the fake pulumi CLI) holds
 * the recovery point a real sync of the lab blog recorded, and doctor reads the lab primary over SSH
 * exactly as the sync does. Both outputs go to the test log: they are what an operator would see.
 */
let lab: Lab;
let fx: Fixture;
const log: CommandLog[] = [];
let recoveryPoint: string;

/** The lab's stack as a stack file: the primary's key as a (fake-encrypted) secret, as `pulumi config set --secret` keeps it. */
function labStackFile(): Record<string, unknown> {
  const config: Record<string, unknown> = {};
  // The operator's own values where the program tests use the example's (doctor flags those as placeholders).
  const own = { adminCidrs: JSON.stringify(["100.64.10.7/32"]), operatorSshKeys: "[]" };
  for (const [k, v] of Object.entries({ ...labSyncConfig(lab, ""), ...own })) {
    if (k === "syncRun") continue;
    config[`pra:${k}`] = k === "primarySshPrivateKey" ? { secure: `fake:${Buffer.from(v).toString("base64")}` } : v;
  }
  return config;
}

function configuredEnv(): NodeJS.ProcessEnv {
  writeFileSync(join(fx.workDir, "clouds.yaml"), stringify({ clouds: { lab: { auth: { auth_url: "https://x" } } } }));
  const passphrase = join(fx.root, "passphrase");
  writeFileSync(passphrase, "lab passphrase", { mode: 0o600 });
  return {
    HOME: join(fx.root, "home"),
    PATH: process.env.PATH,
    OS_CLOUD: "lab",
    PULUMI_CONFIG_PASSPHRASE_FILE: passphrase,
    PULUMI_BACKEND_URL: "s3://pra-state?endpoint=http://swift.lab.test:8080&s3ForcePathStyle=true&region=RegionOne",
  };
}

async function doctor(argv: string[] = []) {
  let text = "";
  const deps: DoctorDeps = {
    now: () => new Date(),
    out: (t) => {
      text += t;
    },
    pulumiRoot: fx.root,
    env: configuredEnv(),
    checkPrimary,
  };
  const code = await runDoctor(["--stack", "dev", "--work-dir", fx.workDir, ...argv], deps);
  return { code, text };
}

beforeAll(async () => {
  lab = await startLab();
  // Two real syncs (a new post between them): the record pra-verify printed, with its list of restorable
  // points, and the program's own cost estimate become the state's outputs.
  const sync = (run: string) =>
    runProgram(labSyncConfig(lab, run), { hooks: labHooks(lab, log), secretKeys: ["primarySshPrivateKey"] });
  await sync("status-1");
  await lab.primary.addPost("Status lab post", "a second recovery point");
  const run = await sync("status-2");
  recoveryPoint = String(run.outputs.recoveryPoint);
  fx = makeFixture({ config: {}, outputs: { recoveryPoint, mode: "standby", monthlyCost: run.outputs.monthlyCost } });
  // makeFixture writes its own config: replace it with the lab stack's.
  const head = readFileSync(fx.stackFile, "utf8").replace(/config:[\s\S]*$/, "");
  writeFileSync(fx.stackFile, `${head}${stringify({ config: labStackFile() })}`);
}, 900_000);

afterAll(async () => {
  fx?.dispose();
  await lab?.stop();
});

describe("status and doctor against the lab", () => {
  it("status: the lab's newest recovery point, its restorePoint names, data age; exit 0", async () => {
    let text = "";
    const deps: StatusDeps = {
      now: () => new Date(),
      out: (t) => {
        text += t;
      },
      pulumiRoot: fx.root,
      env: configuredEnv(),
    };
    const code = await runStatus(["--stack", "dev", "--work-dir", fx.workDir], deps);
    console.log(`npm run status (lab):\n${text}`);
    expect(JSON.parse(recoveryPoint).recoveryPoints).toEqual(["status-2", "status-1"]);
    expect(text).toMatch(/newest point +status-2/);
    expect(text).toContain("recovery points  status-2 status-1 (restorePoint names, newest first)");
    expect(text).toMatch(/monthly cost +€\d+\.\d\d \(estimate\)/);
    expect(text).toMatch(/data age \(RPO\) +0\.\dh/);
    expect(code).toBe(CheckExitCode.Ok);
  }, 120_000);

  it("doctor: the lab primary is readable over SSH (web root, wp-config.php, site file, database); exit 0", async () => {
    const { code, text } = await doctor();
    console.log(`npm run doctor (lab):\n${text}`);
    expect(text).toMatch(
      new RegExp(
        `ok +primary: readable on ${lab.primary.address} over SSH: /var/www/blog \\(wp-config\\.php\\), .*blog\\.conf; database \\S+ at .* \\(\\d+ tables\\)`,
      ),
    );
    expect(text).not.toContain(labSyncConfig(lab, "").primarySshPrivateKey.split("\n")[1]);
    expect(code).toBe(CheckExitCode.Ok);
  }, 120_000);

  it("doctor: an unreadable primary (wp-config.php gone, a certificate the site file names missing): each problem; exit 1", async () => {
    const site = "/etc/apache2/sites-available/blog.conf";
    await lab.primary.exec(
      `mv /var/www/blog/wp-config.php /var/www/blog/wp-config.php.doctor-test
cp -p ${site} ${site}.doctor-test
printf '# a TLS site this primary lost its key for\\nSSLCertificateKeyFile /etc/ssl/private/pra-doctor-missing.key\\n' >> ${site}`,
    );
    try {
      const { code, text } = await doctor();
      console.log(`npm run doctor (lab, unreadable primary):\n${text}`);
      expect(text).toMatch(
        /PROBLEM +primary: on .* over SSH: \/var\/www\/blog\/wp-config\.php is missing or unreadable\n +fix: set webRoot/,
      );
      expect(text).toMatch(
        /PROBLEM +primary: .*SSLCertificateKeyFile \/etc\/ssl\/private\/pra-doctor-missing\.key \(in .*blog\.conf\) does not exist/,
      );
      expect(code).toBe(CheckExitCode.Attention);
    } finally {
      await lab.primary.exec(
        `mv /var/www/blog/wp-config.php.doctor-test /var/www/blog/wp-config.php; mv ${site}.doctor-test ${site}`,
      );
    }
  }, 120_000);

  it("doctor: a database the site's credentials cannot read: named with its fix; exit 1", async () => {
    await lab.primary.exec(
      "cp -p /var/www/blog/wp-config.php /var/www/blog/wp-config.php.doctor-test && " +
        "sed -i -E \"s/(define\\(\\s*'DB_PASSWORD'\\s*,\\s*')[^']*'/\\1wrong-password'/\" /var/www/blog/wp-config.php",
    );
    try {
      const { code, text } = await doctor();
      console.log(`npm run doctor (lab, wrong database password):\n${text}`);
      expect(text).toMatch(
        /PROBLEM +primary: on .* over SSH: the database \S+ at .* cannot be read with wp-config\.php's credentials: Access denied/,
      );
      expect(text).not.toContain("wrong-password");
      expect(code).toBe(CheckExitCode.Attention);
    } finally {
      await lab.primary.exec("mv /var/www/blog/wp-config.php.doctor-test /var/www/blog/wp-config.php");
    }
  }, 120_000);
});
