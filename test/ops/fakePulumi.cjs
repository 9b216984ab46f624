#!/usr/bin/env node
// A fake `pulumi` CLI for the orchestration tests (fakePulumi.sh answers version and stack select/output/
// history itself): it records every argv and cwd, keeps the stack config in the real Pulumi.<stack>.yaml
// of its cwd (or in the --config-file it is given, as the real CLI does), and answers config (--json,
// get/set/rm), up and preview as the Automation API expects. Its behaviour (fail, hang) and the stack
// outputs come from FAKE_PULUMI_DIR/state.json. What it answers follows the real CLI 3.248.0 as
// test/engine/opsJobs.test.ts and the notes below saw it: errors exit 1 with "error: …" on stderr,
// `config --json` includes Pulumi.yaml's defaults and refuses while a key without default is unset,
// secret values are {"secret": true} without --show-secrets, and history records the whole config.
"use strict";
const fs = require("node:fs");
const path = require("node:path");
const YAML = require("yaml");

const dir = process.env.FAKE_PULUMI_DIR;
if (!dir) {
  process.stderr.write("fake pulumi: FAKE_PULUMI_DIR is not set\n");
  process.exit(2);
}
const stateFile = path.join(dir, "state.json");
const logFile = path.join(dir, "log.jsonl");
const argv = process.argv.slice(2);

const VALUE_FLAGS = new Set([
  "--stack",
  "-s",
  "--config-file",
  "--save-plan",
  "--plan",
  "--event-log",
  "--exec-kind",
  "--page-size",
  "--page",
  "--message",
  "--client",
  "--secrets-provider",
]);

function parse(args) {
  const flags = {};
  const words = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === "--") {
      words.push(...args.slice(i + 1));
      break;
    }
    if (a.startsWith("-")) {
      const eq = a.indexOf("=");
      if (eq > 0) flags[a.slice(0, eq)] = a.slice(eq + 1);
      else if (VALUE_FLAGS.has(a)) flags[a] = args[++i];
      else flags[a] = true;
    } else {
      words.push(a);
    }
  }
  return { flags, words };
}

const { flags, words } = parse(argv);
const readState = () => JSON.parse(fs.readFileSync(stateFile, "utf8"));
// fakePulumi.sh answers `stack select` and `stack output` from these derived files.
function writeState(s) {
  fs.writeFileSync(stateFile, JSON.stringify(s, null, 2));
  fs.writeFileSync(path.join(dir, "stacks"), `${(s.stacks || ["dev"]).join("\n")}\n`);
  const masked = { ...s.outputs };
  for (const k of s.secretOutputs || []) if (k in masked) masked[k] = "[secret]";
  fs.writeFileSync(path.join(dir, "outputs.plain.json"), JSON.stringify(s.outputs, null, 2));
  fs.writeFileSync(path.join(dir, "outputs.masked.json"), JSON.stringify(masked, null, 2));
  fs.writeFileSync(path.join(dir, "history.json"), JSON.stringify((s.history || []).slice(0, 1)));
}

// What `stack history --json` records of an update: the config it ran with, and its result.
function recordUpdate(result) {
  // the whole config the update ran with, defaults included, secrets as {"secret": true}
  const config = {};
  for (const [k, v] of Object.entries(effectiveConfig())) config[k] = asConfigValue(v, false);
  state.history = [
    {
      version: (state.history || []).length + 1,
      kind: "update",
      startTime: new Date().toISOString(),
      message: "",
      environment: {},
      config,
      result,
      endTime: new Date().toISOString(),
    },
    ...(state.history || []),
  ];
  writeState(state);
}
const state = readState();
const stackName = flags["--stack"] || flags["-s"] || "dev";
const configFile = flags["--config-file"]
  ? path.resolve(flags["--config-file"])
  : path.join(process.cwd(), `Pulumi.${stackName}.yaml`);

function loadConfigDoc() {
  return YAML.parseDocument(fs.existsSync(configFile) ? fs.readFileSync(configFile, "utf8") : "config: {}\n");
}
function configMap() {
  const cfg = loadConfigDoc().toJS()?.config;
  return cfg && typeof cfg === "object" ? cfg : {};
}
const fullKey = (k) => (k.includes(":") ? k : `pra:${k}`);

// The project's config declarations (the fixture copies the real Pulumi.yaml into the work directory).
function declarations() {
  const file = path.join(process.cwd(), "Pulumi.yaml");
  if (!fs.existsSync(file)) return {};
  const project = YAML.parse(fs.readFileSync(file, "utf8"));
  const out = {};
  for (const [k, d] of Object.entries(project.config || {})) out[fullKey(k)] = d && typeof d === "object" ? d : {};
  return out;
}

// The stack's config as the real CLI reports it: the stack file over the project's defaults, and the
// real error (exit 1) while a key that has no default is unset.
function effectiveConfig() {
  const decl = declarations();
  const set = configMap();
  const missing = Object.keys(decl)
    .filter((k) => !("default" in decl[k]) && !(k in set))
    .map((k) => `'${k.replace(/^pra:/, "")}'`)
    .sort();
  if (missing.length > 0) {
    const list = missing.length === 1 ? missing[0] : `${missing.slice(0, -1).join(", ")} and ${missing.at(-1)}`;
    fail(`Stack '${stackName}' is missing configuration value${missing.length === 1 ? "" : "s"} ${list}`);
  }
  const all = {};
  for (const [k, d] of Object.entries(decl)) if ("default" in d) all[k] = d.default;
  return { ...all, ...set };
}
// The fake's "encryption": secure: fake:<base64 of the plaintext>.
function asConfigValue(v, showSecrets = true) {
  if (v && typeof v === "object" && !Array.isArray(v) && typeof v.secure === "string") {
    if (!showSecrets) return { secret: true };
    return { value: Buffer.from(v.secure.replace(/^fake:/, ""), "base64").toString("utf8"), secret: true };
  }
  if (v !== null && typeof v === "object") return { value: JSON.stringify(v), objectValue: v, secret: false };
  return { value: v === null || v === undefined ? "" : String(v), secret: false };
}
const seen = () => {
  const c = configMap();
  return {
    praActive: String(c["pra:praActive"] ?? ""),
    syncRun: c["pra:syncRun"] ?? "",
    drillRun: c["pra:drillRun"] ?? "",
    // Only when set, so the other jobs' records stay as they were.
    ...(c["pra:runnerCidr"] ? { runnerCidr: c["pra:runnerCidr"] } : {}),
  };
};

fs.appendFileSync(
  logFile,
  `${JSON.stringify({ argv, cwd: process.cwd(), configFile, config: ["up", "preview"].includes(words[0]) ? seen() : undefined })}\n`,
);

const out = (s) => process.stdout.write(`${s}\n`);
const fail = (msg, code = 1) => {
  process.stderr.write(`error: ${msg}\n`);
  process.exit(code);
};

// What the engine prints when OpenStack rejects the credentials: the program's first lookup through the
// provider (the image, the network) fails, in a preview and in every up alike, teardowns included.
const REJECTED =
  "openstack:images/getImage:getImage returned an error: Authentication failed: " +
  "The request you have made requires authentication. (HTTP 401)";

// What the real CLI 3.248.0 answers (exit 1, nothing on stdout, no history entry) to an up while another
// update holds the lock of a file or S3 backend: the engine refuses before the program runs.
function refuseLocked(holder) {
  const lock = `file:///var/lib/pra-state/.pulumi/locks/organization/pra/${stackName}/6dcd4c62-54e7-4e57-83ff-cca0e89383b6.json?no_tmp_dir=true`;
  fail(
    "the stack is currently locked by 1 lock(s). Either wait for the other process(es) to end or delete the lock " +
      `file with \`pulumi cancel\`.\n  ${lock}: created by ${holder}`,
  );
}

function up() {
  const c = seen();
  const wanted = c.praActive === "true" || c.syncRun !== "" || c.drillRun !== "";
  const b = state.behaviour || {};
  // upsBeforeLock: that many ups go through, then another update holds the lock (lockHolder) for good.
  if (b.upsBeforeLock !== undefined) {
    if (b.upsBeforeLock <= 0) refuseLocked(b.lockHolder || "ops@ci-runner (pid 4242) at 2026-11-25T02:00:00Z");
    b.upsBeforeLock -= 1;
    writeState(state);
  }
  out(`Updating (${stackName}):`);
  if (b.rejectCredentials) {
    recordUpdate("failed");
    fail(REJECTED);
  }
  const hangKey = b.hangUp && c[b.hangUp];
  if (hangKey) {
    state.instance = true;
    writeState(state);
    out("  + openstack:compute:Instance pra-standby creating...");
    fs.appendFileSync(logFile, `${JSON.stringify({ event: "hang", key: b.hangUp })}\n`);
    const stop = (sig) => {
      fs.appendFileSync(logFile, `${JSON.stringify({ event: "cancelled", signal: sig })}\n`);
      out("^C received; cancelling. If you would like to terminate immediately, press ^C again.");
      recordUpdate("failed");
      fail("update canceled");
    };
    process.on("SIGINT", () => stop("SIGINT"));
    process.on("SIGTERM", () => stop("SIGTERM"));
    setTimeout(
      () => {
        recordUpdate("failed");
        fail("fake hang timed out");
      },
      (b.hangSeconds || 20) * 1000,
    );
    return;
  }
  if (c.praActive === "true" && !c.runnerCidr && b.failRunnerCloses > 0) {
    b.failRunnerCloses -= 1;
    recordUpdate("failed");
    fail(
      "updating openstack:networking:SecGroupRule pra-net-ssh-runner: Expected HTTP response code [204] but got 503",
    );
  }
  if (c.praActive === "true" && b.failActiveUps > 0) {
    b.failActiveUps -= 1;
    state.instance = true;
    recordUpdate("failed");
    out("  + command:local:Command pra-failover-outside-check creating failed");
    fail("update failed: pra-outside-check: the floating IP does not answer for blog.example.org");
  }
  if (wanted) {
    state.instance = true;
    state.outputs.instanceId = "0d5e-fake-instance";
    state.outputs.mode = c.praActive === "true" ? "active" : c.syncRun ? "syncing" : "drill";
    out("  + openstack:compute:Instance pra-standby created (12s)");
    if ((c.syncRun && b.failSyncUp) || (c.drillRun && b.failDrillUp)) {
      recordUpdate("failed"); // the instance exists: the failure came after the boot, as a failed sync does
      out("  + command:remote:Command pra-sync-import creating failed");
      fail("update failed: pra-import: dump checksum mismatch");
    }
    if (c.syncRun && b.rolledBackTo !== undefined) {
      // The new generation failed after its flip: the keeper keeps what really serves, then the run fails.
      state.outputs.recoveryPoint = b.rolledBackTo;
      recordUpdate("failed");
      out("  + command:local:Command pra-recovery-outcome creating failed");
      fail(`update failed: pra: the sync failed: ${c.syncRun} failed its check through the real site; rolled back`);
    }
    if (c.syncRun && b.recordAfterSync) {
      state.outputs.recoveryPoint = JSON.stringify({ ...b.recordAfterSync, run: c.syncRun });
    }
  } else {
    if (b.failTeardowns > 0) {
      b.failTeardowns -= 1;
      recordUpdate("failed");
      fail("deleting openstack:compute:Instance pra-standby: Expected HTTP response code [204] but got 429");
    }
    if (state.instance) out("  - openstack:compute:Instance pra-standby deleted (5s)");
    state.instance = false;
    delete state.outputs.instanceId;
    state.outputs.mode = "standby";
  }
  state.ups = (state.ups || 0) + 1;
  recordUpdate("succeeded");
  out("Resources: 1 changed");
}

function preview() {
  const c = seen();
  const b = state.behaviour || {};
  out(`Previewing update (${stackName}):`);
  if (b.rejectCredentials) fail(REJECTED);
  if (b.failPreview) {
    // as the engine ends a preview whose program fails: no plan is written
    out("  pulumi:pulumi:Stack pra-dev running error: a failover preview failure");
    fail("preview failed: the failover's program failed");
  }
  if (c.praActive === "true") out("  + openstack:compute:Instance pra-standby create");
  if (flags["--save-plan"]) {
    fs.writeFileSync(flags["--save-plan"], JSON.stringify({ fake: true, config: configMap() }));
  }
  out("Resources: + 3 to create");
}

function configCommand() {
  const sub = words[1];
  if (sub === undefined) {
    const all = {};
    for (const [k, v] of Object.entries(effectiveConfig())) all[k] = asConfigValue(v, !!flags["--show-secrets"]);
    return out(JSON.stringify(all));
  }
  const key = fullKey(words[2] || "");
  if (sub === "get") {
    const cfg = effectiveConfig();
    // the key as it was asked for: the real CLI does not add the project's namespace to the message
    if (!(key in cfg)) fail(`configuration key '${words[2] || ""}' not found for stack '${stackName}'`);
    return out(JSON.stringify(asConfigValue(cfg[key], !!flags["--show-secrets"])));
  }
  if (sub === "set" || sub === "rm") {
    const doc = loadConfigDoc();
    if (sub === "set") {
      const value = words[3];
      doc.setIn(
        ["config", key],
        flags["--secret"] ? { secure: `fake:${Buffer.from(value).toString("base64")}` } : value,
      );
    } else {
      doc.deleteIn(["config", key]);
    }
    fs.writeFileSync(configFile, String(doc));
    return;
  }
  fail(`fake pulumi: unsupported config subcommand ${sub}`, 2);
}

switch (words[0]) {
  case "whoami":
    out("fake-user");
    break;
  case "config":
    configCommand();
    break;
  case "up":
    up();
    break;
  case "preview":
    preview();
    break;
  default:
    fail(`fake pulumi: unsupported command ${JSON.stringify(argv)}`, 2);
}
