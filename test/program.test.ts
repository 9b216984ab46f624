import { RunError } from "@pulumi/pulumi";
import { describe, expect, it } from "vitest";
import { type ProgramRun, runProgram, validConfig } from "./harness";

const CLOUD_PERMANENT = [
  "openstack:blockstorage/volume:Volume",
  "openstack:networking/floatingIp:FloatingIp",
  "openstack:networking/secGroup:SecGroup",
  "openstack:networking/port:Port",
  "tls:index/privateKey:PrivateKey",
];
/** The cloud resources plus the command that keeps the recovery point's record. */
const PERMANENT = [...CLOUD_PERMANENT, "command:local:Command"];

const typesOf = (run: ProgramRun) =>
  [...new Set(run.resources.map((r) => r.type))].filter((t) => !t.startsWith("pra:components")).sort();

const count = (run: ProgramRun, type: string) => run.byType(type).length;

describe("standby mode (praActive=false, no sync run)", () => {
  it("keeps only what is paid by the GB: no instance, no association, no web rules", async () => {
    const run = await runProgram(validConfig);
    expect(typesOf(run)).toEqual([...PERMANENT, "openstack:networking/secGroupRule:SecGroupRule"].sort());
    expect(count(run, "openstack:networking/secGroupRule:SecGroupRule")).toBe(2);
    expect(run.outputs.mode).toBe("standby");
    expect(run.outputs.instanceId).toBeUndefined();
  });

  it("opens SSH only to the admin CIDRs, with the right ether types", async () => {
    const run = await runProgram(validConfig);
    const rules = run.byType("openstack:networking/secGroupRule:SecGroupRule").map((r) => r.inputs);
    expect(rules.map((r) => [r.remoteIpPrefix, r.ethertype, r.portRangeMin, r.portRangeMax, r.protocol])).toEqual([
      ["198.51.100.7/32", "IPv4", 22, 22, "tcp"],
      ["2001:db8::/64", "IPv6", 22, 22, "tcp"],
    ]);
  });

  it("sizes the data volume and lets it grow online", async () => {
    const run = await runProgram(validConfig);
    const volume = run.one("openstack:blockstorage/volume:Volume");
    expect(volume.inputs.size).toBe(10);
    expect(volume.inputs.enableOnlineResize).toBe(true);
  });

  it("exports the floating IP, a pinned known_hosts line with an alias and a cost estimate", async () => {
    const run = await runProgram(validConfig);
    expect(run.outputs.floatingIp).toBe("203.0.113.10");
    expect(run.outputs.knownHosts).toMatch(/^pra-standby,203\.0\.113\.10 ssh-ed25519 [A-Za-z0-9+/]+=*$/);
    expect(run.outputs.monthlyCost).toEqual({
      // (10 GB volume + 3 GB image looked up at 2.4 GB) * 0.04 + 5 h * 0.01 + 0.089
      monthlyEur: 0.66,
      storageEur: 0.52,
      instanceEur: 0.05,
      trafficEur: 0.089,
      floatingIpEur: 0,
      instanceHours: 5,
    });
    expect(run.outputs.expectedSyncMinutes).toBe(10);
  });
});

describe("instance modes", () => {
  it.each([
    ["active", { praActive: "true" }, 4, ["command:remote:Command"]],
    ["syncing", { syncRun: "nightly-20261125" }, 0, ["command:remote:Command"]],
    ["drill", { drillRun: "drill-20261125" }, 0, ["command:remote:Command"]],
  ])("%s: boots the instance and associates the floating IP", async (mode, extra, webRules, more) => {
    const run = await runProgram({ ...validConfig, ...extra });
    expect(run.outputs.mode).toBe(mode);
    expect(typesOf(run)).toEqual(
      [
        ...PERMANENT,
        ...more,
        "openstack:networking/secGroupRule:SecGroupRule",
        "openstack:compute/instance:Instance",
        "openstack:networking/floatingIpAssociate:FloatingIpAssociate",
      ].sort(),
    );
    expect(count(run, "openstack:networking/secGroupRule:SecGroupRule")).toBe(2 + webRules);
    expect(run.outputs.instanceId).toBe("pra-standby-server-id");
  });

  it("boots from the image with the data volume attached at boot and kept on termination", async () => {
    const run = await runProgram({ ...validConfig, praActive: "true" });
    const server = run.one("openstack:compute/instance:Instance");
    expect(server.inputs.blockDevices).toEqual([
      {
        uuid: "6b1d2f9e-0c7a-4a55-9a35-1f0b2c3d4e5f",
        sourceType: "image",
        destinationType: "local",
        bootIndex: 0,
        deleteOnTermination: true,
      },
      {
        uuid: "0f3c5a1e-pra-data-volume",
        sourceType: "volume",
        destinationType: "volume",
        bootIndex: 1,
        deleteOnTermination: false,
      },
    ]);
    // The real provider needs the image outside the block devices too, for an image booted on a local disk.
    expect(server.inputs.imageId).toBe("6b1d2f9e-0c7a-4a55-9a35-1f0b2c3d4e5f");
    expect(server.inputs.networks).toEqual([{ port: "pra-net-port-id" }]);
    expect(server.inputs.stopBeforeDestroy).toBe(true);
    expect(server.inputs.flavorName).toBe("s1-2");
    const assoc = run.one("openstack:networking/floatingIpAssociate:FloatingIpAssociate");
    expect(assoc.inputs).toEqual({ floatingIp: "203.0.113.10", portId: "pra-net-port-id" });
  });

  it("opens HTTP and HTTPS to everyone only while failed over", async () => {
    const run = await runProgram({ ...validConfig, praActive: "true" });
    const web = run
      .byType("openstack:networking/secGroupRule:SecGroupRule")
      .filter((r) => r.inputs.portRangeMin !== 22)
      .map((r) => `${r.inputs.portRangeMin} ${r.inputs.remoteIpPrefix}`)
      .sort();
    expect(web).toEqual(["443 0.0.0.0/0", "443 ::/0", "80 0.0.0.0/0", "80 ::/0"]);
  });
});

describe("reordering adminCidrs", () => {
  it("keeps every SSH rule under the same name with the same inputs (nothing is replaced)", async () => {
    const cidrs = ["198.51.100.7/32", "2001:db8::/64", "203.0.113.0/24"];
    const rules = async (list: string[]) =>
      Object.fromEntries(
        (await runProgram({ ...validConfig, adminCidrs: JSON.stringify(list) }))
          .byType("openstack:networking/secGroupRule:SecGroupRule")
          .map((r) => [r.name, r.inputs]),
      );
    const before = await rules(cidrs);
    expect(Object.keys(before)).toHaveLength(3);
    expect(await rules([...cidrs].reverse())).toEqual(before);
  });
});

describe("the failover runner's temporary SSH rule (pra:runnerCidr)", () => {
  const sshRules = async (config: Record<string, string>) =>
    (await runProgram(config))
      .byType("openstack:networking/secGroupRule:SecGroupRule")
      .filter((r) => r.inputs.portRangeMin === 22)
      .map((r) => `${r.name} ${r.inputs.remoteIpPrefix}`)
      .sort();

  it("adds one SSH rule for the runner while set, and none once unset; the admin rules stay as they were", async () => {
    const failingOver = { ...validConfig, praActive: "true" };
    const without = await sshRules(failingOver);
    const withRunner = await sshRules({ ...failingOver, runnerCidr: "192.0.2.44/32" });
    expect(withRunner.filter((r) => !without.includes(r))).toEqual(["pra-net-ssh-runner 192.0.2.44/32"]);
    expect(withRunner.filter((r) => without.includes(r))).toEqual(without);
    expect(await sshRules({ ...failingOver, runnerCidr: "" })).toEqual(without);
  });

  it("opens only while failing over: a runnerCidr a killed failover left behind closes with the next sync or drill", async () => {
    expect(await sshRules({ ...validConfig, runnerCidr: "192.0.2.44/32", syncRun: "nightly-x" })).toEqual(
      await sshRules({ ...validConfig, syncRun: "nightly-x" }),
    );
    expect(await sshRules({ ...validConfig, runnerCidr: "192.0.2.44/32" })).toEqual(await sshRules(validConfig));
  });

  it("adds no duplicate of an admin rule (Neutron would refuse it)", async () => {
    const admin = JSON.parse(validConfig.adminCidrs as string)[0] as string;
    expect(await sshRules({ ...validConfig, runnerCidr: admin })).toEqual(await sshRules(validConfig));
  });

  it.each(["192.0.2.0/24", "192.0.2.44", "2001:db8::/64", "nonsense"])("refuses %j: one address only", async (bad) => {
    const error = await runProgram({ ...validConfig, runnerCidr: bad }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(RunError.isInstance(error)).toBe(true);
    expect((error as Error).message).toMatch(/^pra:runnerCidr: .* is not one address in CIDR form \(\/32 or \/128\)/);
  });
});

describe("toggling modes never touches the permanent resources", () => {
  it("keeps image, volume, floating IP, port and security group inputs byte-identical", async () => {
    const runs = [
      await runProgram(validConfig),
      await runProgram({ ...validConfig, praActive: "true" }),
      await runProgram({ ...validConfig, syncRun: "nightly-1" }),
      await runProgram({ ...validConfig, drillRun: "drill-1" }),
    ];
    const snapshot = (run: ProgramRun) =>
      JSON.stringify(
        run.resources
          .filter((r) => CLOUD_PERMANENT.includes(r.type))
          .map((r) => [r.type, r.name, r.inputs])
          .sort(),
      );
    const first = snapshot(runs[0]);
    expect(first).toContain("Volume");
    for (const run of runs.slice(1)) expect(snapshot(run)).toBe(first);
  });
});

describe("secrets", () => {
  it("passes user data (which carries the host private key) as a secret", async () => {
    const run = await runProgram({ ...validConfig, praActive: "true" });
    const server = run.one("openstack:compute/instance:Instance");
    expect(server.secretInputs).toContain("userData");
    expect(String(server.inputs.userData)).toContain("BEGIN OPENSSH PRIVATE KEY");
  });

  it("exports no private key in plain outputs: the sync key only as a secret", async () => {
    const run = await runProgram({ ...validConfig, praActive: "true" });
    expect(run.secretOutputs).toEqual(["syncPrivateKey"]);
    const { syncPrivateKey, ...plain } = run.outputs;
    expect(String(syncPrivateKey)).toContain("PRIVATE KEY");
    expect(JSON.stringify(plain)).not.toContain("PRIVATE KEY");
  });
});

describe("image sources", () => {
  it("looks an existing image up by name, newest first", async () => {
    const run = await runProgram(validConfig);
    expect(run.calls.map((c) => [c.token, c.inputs])).toContainEqual([
      "openstack:images/getImage:getImage",
      { name: "wordpress-standby", mostRecent: true },
    ]);
    expect(count(run, "openstack:images/image:Image")).toBe(0);
  });

  it("uploads from a URL into a protected stack-owned image", async () => {
    const { imageName: _, ...rest } = validConfig;
    const run = await runProgram({ ...rest, imageSourceUrl: "https://images.example.org/wp.qcow2" });
    const image = run.one("openstack:images/image:Image");
    expect(image.inputs).toMatchObject({
      imageSourceUrl: "https://images.example.org/wp.qcow2",
      diskFormat: "qcow2",
      containerFormat: "bare",
      visibility: "private",
    });
  });

  it("uses an image id as given, with no lookup", async () => {
    const { imageName: _, ...rest } = validConfig;
    const run = await runProgram({ ...rest, imageId: "0b5c8a8e-1111-2222-3333-444455556666", praActive: "true" });
    expect(run.calls.filter((c) => c.token.includes("getImage"))).toEqual([]);
    const server = run.one("openstack:compute/instance:Instance");
    expect((server.inputs.blockDevices as { uuid: string }[])[0].uuid).toBe("0b5c8a8e-1111-2222-3333-444455556666");
    expect(server.inputs.imageId).toBe("0b5c8a8e-1111-2222-3333-444455556666");
  });
});

describe("preview", () => {
  it("runs under mocks in preview mode, active or not", async () => {
    const standby = await runProgram(validConfig, { preview: true });
    expect(standby.outputs.mode).toBe("standby");
    const active = await runProgram({ ...validConfig, praActive: "true" }, { preview: true });
    expect(count(active, "openstack:compute/instance:Instance")).toBe(1);
  });
});

describe("bad configuration fails before anything is created", () => {
  const primaryBySsh = {
    source: "ssh",
    primaryHost: "home.example.org",
    primaryHostKey: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIK0wmN/Cr3JXqmLW7u+g9pTh+wyqDHpSQEIQczXkVx9q",
  };

  // A RunError is what the SDK prints as its message alone, without the stack of an unhandled exception.
  it.each([
    [{ praActive: "yes" }, /^pra:praActive: "yes" is not a boolean.*Fix: pulumi config set praActive true/],
    [{ adminCidrs: JSON.stringify(["10.0.0.300/32"]) }, /^pra:adminCidrs: "10.0.0.300\/32" is not a CIDR/],
    [{ adminCidrs: JSON.stringify(["10.0.0.5/8"]) }, /^pra:adminCidrs: .*the network is 10\.0\.0\.0\/8/],
    [{ imageName: "" }, /^pra:imageName: no snapshot image is configured/],
    [{ praActive: "true", syncRun: "n1" }, /^pra:syncRun: is set while praActive is true/],
    [{ webRoot: "var/www" }, /^pra:webRoot: "var\/www" is not an absolute path.*Fix: /],
    [primaryBySsh, /^pra:primarySshPrivateKey: is not set but source is ssh\. Fix: pulumi config set --secret/],
  ])("%j: a RunError naming the key and the fix", async (bad, message) => {
    const error = await runProgram({ ...validConfig, ...bad }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(RunError.isInstance(error)).toBe(true);
    expect((error as Error).message).toMatch(message);
  });
});

describe("data sync wiring (syncing mode)", () => {
  const syncing = { ...validConfig, syncRun: "nightly-20261125T030000Z", webRoot: "/var/www/blog" };

  it("runs the steps in order (by dependency edges), files and database side by side, each re-run by the run id", async () => {
    const run = await runProgram(syncing);
    const steps = run.resources.filter((r) => r.type.startsWith("command:") && r.name.startsWith("pra-sync-"));
    expect(steps.map((r) => r.name).sort()).toEqual(
      ["ready", "install", "files", "database", "import", "switch", "verify"].map((s) => `pra-sync-${s}`).sort(),
    );
    const edge = (later: string, earlier: string) => run.waitsFor(`pra-sync-${later}`, `pra-sync-${earlier}`);
    expect(run.named("pra-sync-ready").dependsOn.filter((d) => d.startsWith("pra-sync-"))).toEqual([]);
    expect(edge("install", "ready")).toBe(true);
    for (const copy of ["files", "database"]) {
      expect(edge(copy, "install")).toBe(true);
      expect(edge("import", copy)).toBe(true);
    }
    expect(edge("files", "database") || edge("database", "files")).toBe(false);
    expect(edge("switch", "import")).toBe(true);
    expect(edge("verify", "switch")).toBe(true);
    // Every step waits for the server and its address: none polls an instance that is not there yet.
    for (const step of steps) expect(run.waitsFor(step.name, "pra-standby-fip-assoc"), step.name).toBe(true);
    for (const step of steps) expect(step.inputs.triggers).toContain("nightly-20261125T030000Z");
  });

  it("runner steps carry keys only on stdin; standby steps pin the host key as a non-root user under timeout", async () => {
    const run = await runProgram(syncing);
    for (const step of run.byType("command:local:Command").filter((r) => r.name.startsWith("pra-sync-"))) {
      expect(step.inputs.create).toMatch(/^node sync\/runner\/launch\.cjs (ready|files|database)$/);
      expect(step.secretInputs).toContain("stdin");
      expect(String(step.inputs.stdin)).toContain("PRIVATE KEY");
    }
    const hostKey = String(run.outputs.knownHosts).split(" ").slice(1).join(" ");
    for (const step of run.byType("command:remote:Command")) {
      expect(step.inputs.create).toMatch(/^sudo -n timeout 3600 /);
      expect(step.inputs.create).not.toMatch(/PRIVATE KEY|password/i);
      const c = step.inputs.connection as Record<string, unknown>;
      expect(c).toMatchObject({ user: "pra", host: "203.0.113.10", hostKey, dialErrorLimit: 3 });
      expect(step.secretInputs.some((p) => p.startsWith("connection"))).toBe(true);
    }
  });

  it("keeps what really serves, then fails the run when the new generation was rolled back", async () => {
    const verifyPrints = (stdout: string) => ({
      "command:remote:Command": async (args: { name: string }) => (args.name === "pra-sync-verify" ? { stdout } : {}),
    });
    const previous = '{"run":"nightly-20261124T030000Z"}';
    const failed = await runProgram(syncing, {
      hooks: verifyPrints(
        `failed-generation nightly-20261125T030000Z failed its check through the real site (HTTP 500); rolled back: nightly-20261124T030000Z serves again\nnewest-post 7\n${previous}\n`,
      ),
    });
    expect(failed.named("pra-recovery-record").inputs.stdin).toBe(previous);
    const outcome = failed.named("pra-recovery-outcome");
    expect(failed.waitsFor("pra-recovery-outcome", "pra-recovery-record")).toBe(true);
    expect(String(outcome.inputs.create)).toMatch(
      /^echo 'pra: the sync failed: nightly-20261125T030000Z failed .*HTTP 500.*' >&2; exit 1$/,
    );

    const verified = await runProgram(syncing, {
      hooks: verifyPrints('newest-post 8\n{"run":"nightly-20261125T030000Z"}\n'),
    });
    expect(verified.named("pra-recovery-record").inputs.stdin).toBe('{"run":"nightly-20261125T030000Z"}');
    expect(verified.named("pra-recovery-outcome").inputs.create).toBe("true");
  });

  it("sends the primary's key (source ssh) as a secret inside stdin, never in the command", async () => {
    const run = await runProgram(
      {
        ...syncing,
        source: "ssh",
        primaryHost: "home.example.org",
        primaryHostKey: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIPrimaryPrimaryPrimaryPrimaryPrimaryPrimaryPr",
        primarySshPrivateKey: "-----BEGIN OPENSSH PRIVATE KEY-----\nPRIMARYSECRET\n-----END OPENSSH PRIVATE KEY-----",
      },
      { secretKeys: ["primarySshPrivateKey"] },
    );
    const ready = run.resources.find((r) => r.name === "pra-sync-ready");
    expect(ready?.secretInputs).toContain("stdin");
    const input = JSON.parse(String(ready?.inputs.stdin));
    expect(input.secrets.primaryPrivateKey).toContain("PRIMARYSECRET");
    expect(input.plan.source).toMatchObject({ kind: "ssh", host: "home.example.org", user: "pra", port: 22 });
    expect(JSON.stringify(run.resources.map((r) => r.inputs.create))).not.toContain("PRIMARYSECRET");
  });

  it("a config error in the sync keys names the key", async () => {
    await expect(runProgram({ ...syncing, source: "ssh", primaryHost: "home.example.org" })).rejects.toThrow(
      /pra:primaryHostKey: is not set/,
    );
    await expect(runProgram({ ...syncing, webRoot: "var/www" })).rejects.toThrow(
      /pra:webRoot: "var\/www" is not an absolute path/,
    );
  });
});

describe("failover and drill activation", () => {
  const steps = (run: ProgramRun) =>
    run.resources.filter((r) => r.type.startsWith("command:") && r.inputs.create !== "cat").map((r) => r.name);
  /** Asserts that each named step waits for the one before it. */
  const expectChain = (run: ProgramRun, chain: string[]) => {
    for (let i = 1; i < chain.length; i++) {
      expect(run.waitsFor(`pra-activation-${chain[i]}`, `pra-activation-${chain[i - 1]}`), chain[i]).toBe(true);
    }
  };

  it("failover: activates, checks inside, then from outside on the floating IP, then switches DNS", async () => {
    const run = await runProgram({
      ...validConfig,
      praActive: "true",
      dnsHookCommand: "./my-dns",
      dnsPrimaryAddress: "198.51.100.7",
    });
    expect(steps(run).sort()).toEqual(
      ["ready", "install", "activate", "verify", "health", "dns"].map((s) => `pra-activation-${s}`).sort(),
    );
    expectChain(run, ["ready", "install", "activate", "verify", "health", "dns"]);
    for (const step of steps(run)) expect(run.waitsFor(step, "pra-standby-fip-assoc"), step).toBe(true);
    // The outside check asks the floating IP on the web ports: only after the rules that open them.
    const webRules = run.resources.filter((r) => /^pra-net-https?-ipv[46]$/.test(r.name)).map((r) => r.name);
    expect(webRules).toHaveLength(4);
    for (const rule of webRules) expect(run.waitsFor("pra-activation-health", rule), rule).toBe(true);
    const dns = run.resources.find((r) => r.name === "pra-activation-dns");
    expect(dns?.inputs).toMatchObject({
      create: 'export PRA_DNS_ADDRESS="$PRA_STANDBY_ADDRESS"; ./my-dns',
      delete: 'export PRA_DNS_ADDRESS="$PRA_PRIMARY_ADDRESS"; ./my-dns',
      environment: {
        PRA_DNS_NAME: "blog.example.org",
        PRA_STANDBY_ADDRESS: "203.0.113.10",
        PRA_PRIMARY_ADDRESS: "198.51.100.7",
      },
    });
    // The activation re-runs for a replaced instance.
    expect(run.resources.find((r) => r.name === "pra-activation-activate")?.inputs.triggers).toContain(
      "pra-standby-server-id",
    );
  });

  it("failover onto a chosen recovery point restores it before activating", async () => {
    const run = await runProgram({ ...validConfig, praActive: "true", restorePoint: "nightly-20261120T030000Z" });
    expect(steps(run)).toContain("pra-activation-restore");
    expectChain(run, ["install", "restore", "activate"]);
    const restore = run.resources.find((r) => r.name === "pra-activation-restore");
    expect(restore?.inputs.create).toMatch(/pra-restore nightly-20261120T030000Z$/);
  });

  it("live drill: checks inside only, with the web closed and no DNS change", async () => {
    const run = await runProgram({
      ...validConfig,
      drillRun: "drill-1",
      dnsHookCommand: "./my-dns",
      dnsPrimaryAddress: "198.51.100.7",
    });
    expect(steps(run).sort()).toEqual(
      ["ready", "install", "activate", "verify"].map((s) => `pra-activation-${s}`).sort(),
    );
    expectChain(run, ["ready", "install", "activate", "verify"]);
  });
});
