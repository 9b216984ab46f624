import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { EXAMPLE_SSH_KEY } from "../../ops/doctorChecks";
import { type DoctorDeps, type DoctorReport, runDoctor } from "../../ops/doctorJob";
import { CheckExitCode } from "../../ops/exitCodes";
import type { PrimaryCheck, PrimaryCheckOptions } from "../../sync/runner/primaryCheck";
import { baseConfig, type Fixture, makeFixture } from "./fixture";

const fixtures: Fixture[] = [];
afterAll(() => {
  for (const fx of fixtures.splice(0)) fx.dispose();
});

/** A stack file with the user's own values (none of the example's reserved names or addresses). */
const ownConfig = {
  ...baseConfig,
  "pra:siteHostname": "blog.lab.test",
  "pra:adminCidrs": ["100.64.10.7/32"],
};

function setup(opts: Parameters<typeof makeFixture>[0] = {}): Fixture {
  const fx = makeFixture({ config: ownConfig, ...opts });
  fixtures.push(fx);
  return fx;
}

/** Credentials, passphrase and an S3 state, as a configured machine has them; PATH without an openstack CLI. */
function configuredEnv(fx: Fixture): NodeJS.ProcessEnv {
  writeFileSync(join(fx.workDir, "clouds.yaml"), stringify({ clouds: { lab: { auth: { auth_url: "https://x" } } } }));
  const passphrase = join(fx.root, "passphrase");
  writeFileSync(passphrase, "correct horse", { mode: 0o600 });
  return {
    HOME: join(fx.root, "home"),
    PATH: "/usr/bin:/bin",
    OS_CLOUD: "lab",
    PULUMI_CONFIG_PASSPHRASE_FILE: passphrase,
    PULUMI_BACKEND_URL: "s3://pra-state?endpoint=http://swift.lab.test:8080&s3ForcePathStyle=true&region=RegionOne",
  };
}

const readable: PrimaryCheck = {
  problems: [],
  found: ["/var/www/wordpress (wp-config.php)", "database wp (12 tables)"],
};

async function doctor(fx: Fixture, env: NodeJS.ProcessEnv, primary: PrimaryCheck = readable, argv: string[] = []) {
  let text = "";
  const asked: PrimaryCheckOptions[] = [];
  const deps: DoctorDeps = {
    now: () => new Date(),
    out: (t) => {
      text += t;
    },
    pulumiRoot: fx.root,
    env,
    checkPrimary: async (opts) => {
      asked.push(opts);
      return primary;
    },
  };
  const code = await runDoctor(["--stack", "dev", "--work-dir", fx.workDir, ...argv], deps);
  return { code, text, asked };
}

const changing = (fx: Fixture) =>
  fx
    .commands()
    .filter((c) => c[0] === "up" || c[0] === "destroy" || (c[0] === "config" && ["set", "rm"].includes(c[1])));

describe.concurrent("npm run doctor", () => {
  it("healthy: every check passes or says why it was not checked; exit 0; only a preview ran", async () => {
    const fx = setup();
    const { code, text, asked } = await doctor(fx, configuredEnv(fx));
    expect(text).toMatch(/ok +OpenStack credentials: OS_CLOUD=lab, entry found in .*clouds\.yaml/);
    expect(text).toMatch(/ok +passphrase: .*passphrase readable/);
    expect(text).toMatch(/ok +state backend: stack dev found and its state read/);
    expect(text).toMatch(/ok +credentials accepted: pulumi preview/);
    expect(text).toMatch(/not checked +cloud names: no openstack CLI here/);
    expect(text).toMatch(/ok +primary: readable on this machine \(source: local\)/);
    expect(text.trim().split("\n").at(-1)).toBe("pra doctor: ok, every check passed");
    expect(code).toBe(CheckExitCode.Ok);
    expect(asked[0]).toMatchObject({ webRoot: "/var/www/wordpress", source: { kind: "local" } });
    expect(fx.commands().some((c) => c[0] === "preview")).toBe(true);
    expect(changing(fx)).toEqual([]);
  });

  it("a fresh clone with nothing configured: every problem at once with its fix, exit 2, nothing run", async () => {
    const fx = setup();
    const { code, text } = await doctor(fx, { HOME: join(fx.root, "home"), PATH: "/usr/bin:/bin" }, readable, [
      "--stack",
      "prod",
      "--json",
    ]);
    const report = JSON.parse(text) as DoctorReport;
    const problems = report.checks.filter((c) => c.status === "problem");
    expect(problems.map((c) => c.name)).toEqual([
      "stack file",
      "OpenStack credentials",
      "passphrase",
      "state location",
    ]);
    for (const p of problems) expect(p.fix).toMatch(/\w/);
    expect(problems[0].fix).toBe(
      "cp Pulumi.dev.yaml Pulumi.prod.yaml, edit it (every key is commented), then scripts/up prod",
    );
    expect(report.checks.filter((c) => c.status === "not checked").map((c) => c.name)).toEqual([
      "credentials accepted",
      "cloud names",
      "primary",
    ]);
    expect(report.exitCode).toBe(CheckExitCode.NotConfigured);
    expect(code).toBe(CheckExitCode.NotConfigured);
    expect(fx.commands()).toEqual([]);
  });

  it("credentials kept as openstack: keys in the stack file (no OS_CLOUD, no openrc) count as present", async () => {
    const fx = setup({
      config: {
        ...ownConfig,
        "openstack:authUrl": "https://keystone.example.net:5000/v3",
        "openstack:userName": "blog",
        "openstack:password": { secure: "v1:AAAA:BBBB" },
      },
    });
    const env = configuredEnv(fx);
    delete env.OS_CLOUD;
    const { text } = await doctor(fx, env);
    expect(text).toMatch(/ok +OpenStack credentials: openstack: provider keys in the stack file/);
    expect(text).not.toMatch(/PROBLEM +OpenStack credentials/);
  });

  it("knows the example's SSH key by its material (the one in the shipped Pulumi.dev.yaml), not by reading that file: your own keys pass", async () => {
    expect(readFileSync(join(__dirname, "../../Pulumi.dev.yaml"), "utf8")).toContain(EXAMPLE_SSH_KEY);
    const fx = setup({
      config: { ...baseConfig, "pra:operatorSshKeys": ["ssh-ed25519 AAAAC3Nza-own-key me@laptop"] },
    });
    const { text } = await doctor(fx, configuredEnv(fx));
    expect(text).toMatch(/placeholder values: /);
    expect(text).not.toMatch(/operatorSshKeys=.* still hold the example's values/);
  });

  it("rejected credentials, a missing passphrase file and the example's values: each a problem, exit 1", async () => {
    const exampleKey = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIK0wmN/Cr3JXqmLW7u+g9pTh+wyqDHpSQEIQczXkVx9q me@laptop";
    const fx = setup({
      config: { ...baseConfig, "pra:operatorSshKeys": ["ssh-ed25519 AAAAC3Nza-own-key me@home", exampleKey] },
      behaviour: { rejectCredentials: true },
    });
    const env = configuredEnv(fx);
    const first = await doctor(fx, env);
    expect(first.text).toMatch(/PROBLEM +credentials accepted: pulumi preview failed: .*HTTP 401/);
    expect(first.text).toMatch(/fix: Check the OpenStack credentials/);
    expect(first.text).toMatch(
      /PROBLEM +placeholder values: siteHostname=blog\.example\.org, adminCidrs=\["198\.51\.100\.7\/32"\], operatorSshKeys=.*me@laptop"\] in .*Pulumi\.dev\.yaml still hold the example's values/,
    );
    expect(first.code).toBe(CheckExitCode.Attention);
    const second = await doctor(fx, { ...env, PULUMI_CONFIG_PASSPHRASE_FILE: join(fx.root, "missing") });
    expect(second.text).toMatch(/PROBLEM +passphrase: PULUMI_CONFIG_PASSPHRASE_FILE=.*missing does not exist/);
    expect(second.text).toMatch(/not checked +credentials accepted: needs passphrase/);
    expect(changing(fx)).toEqual([]);
  });

  it("an unreadable primary: each finding with its fix, exit 1", async () => {
    const fx = setup();
    const { code, text } = await doctor(fx, configuredEnv(fx), {
      problems: [
        {
          finding: "/var/www/wordpress/wp-config.php is missing or unreadable",
          fix: "set webRoot to the WordPress root",
        },
        {
          finding: "SSLCertificateKeyFile /etc/letsencrypt/live/blog/privkey.pem (in site.conf) does not exist",
          fix: "fix the site file or restore the file: the standby could not serve HTTPS without it",
        },
      ],
      found: [],
    });
    expect(text).toContain(
      "PROBLEM      primary: on this machine (source: local): /var/www/wordpress/wp-config.php is missing or unreadable\n" +
        "               fix: set webRoot to the WordPress root",
    );
    expect(text).toMatch(
      /PROBLEM +primary: .*privkey\.pem \(in site\.conf\) does not exist\n +fix: fix the site file or restore the file/,
    );
    expect(text).toMatch(/pra doctor: 2 problems \(exit 1\)/);
    expect(code).toBe(CheckExitCode.Attention);
  });

  it("state in a local file with source local is a problem: it would burn with the primary", async () => {
    const fx = setup();
    const env = { ...configuredEnv(fx), PULUMI_BACKEND_URL: `file://${join(fx.root, "state")}` };
    mkdirSync(join(fx.root, "state"));
    const { code, text } = await doctor(fx, env);
    expect(text).toMatch(/PROBLEM +state location: WARNING: the Pulumi state is a local file on the primary/);
    expect(text).toMatch(/fix: npm run state:setup -- --migrate/);
    expect(code).toBe(CheckExitCode.Attention);
  });
});
