import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { s3Request } from "../../ops/s3";
import { startBackground } from "../../sync/runner/proc";
import { ROOT_ENV, run, sleep, waitUntil } from "./proc";

/**
 * A real OpenStack Swift (Debian's swift-proxy, -object, -container, -account) with tempauth and the
 * s3api middleware, as a public OpenStack cloud's object storage answers S3 clients. It runs in a
 * network namespace of its own, reached from the machine through one veth pair, with its config,
 * rings and data in a temp directory: nothing of the machine's /etc/swift or /srv is read or written
 * (the daemons see the test's config bind-mounted over /etc/swift in a private mount namespace).
 * Names are fixed so that a crashed run's leftovers are found and removed by the next start.
 */
const NETNS = "pra-lab-swift";
const VETH = "prav-swift";
const HOST_SIDE = "10.231.9.1";
export const SWIFT_ADDRESS = "10.231.9.2";
const PROXY_PORT = 8080;
const REGION = "us-east-1";
const STORAGE = { object: 6200, container: 6201, account: 6202 } as const;

export interface SwiftLab {
  /** The S3 endpoint, http (the lab has no TLS in front of the proxy). */
  endpoint: string;
  region: string;
  /** tempauth's `account:user`, which s3api takes as the access key. */
  accessKeyId: string;
  secretAccessKey: string;
  /** The daemons' own logs, for a failing test's message. */
  logs(): string;
  stop(): Promise<void>;
}

const swiftConf = `[swift-hash]
swift_hash_path_suffix = pra-lab-${randomBytes(6).toString("hex")}
swift_hash_path_prefix = pra-lab
[storage-policy:0]
name = Policy-0
default = yes
`;

/** Common to every daemon: root (no swift user needed), one process, no syslog (no such socket: UDP into the namespace). */
function defaults(dir: string, ip: string, port: number): string {
  return `[DEFAULT]
bind_ip = ${ip}
bind_port = ${port}
workers = 0
user = root
swift_dir = /etc/swift
devices = ${dir}/node
mount_check = false
log_address = ${dir}/no-syslog
`;
}

function storageConf(dir: string, kind: keyof typeof STORAGE): string {
  return `${defaults(dir, "127.0.0.1", STORAGE[kind])}
[pipeline:main]
pipeline = ${kind}-server
[app:${kind}-server]
use = egg:swift#${kind}
[${kind}-replicator]
[${kind}-updater]
[${kind}-auditor]
`;
}

/** The pipeline of Swift's own sample for s3api with tempauth; `copy` serves S3's CopyObject. */
function proxyConf(dir: string, account: string, user: string, key: string): string {
  // Filters used as they come; cache, s3api and tempauth get settings below.
  const plain = {
    catch_errors: "catch_errors",
    gatekeeper: "gatekeeper",
    healthcheck: "healthcheck",
    "proxy-logging": "proxy_logging",
    listing_formats: "listing_formats",
    copy: "copy",
    dlo: "dlo",
    slo: "slo",
    versioned_writes: "versioned_writes",
  };
  return `${defaults(dir, SWIFT_ADDRESS, PROXY_PORT)}
[pipeline:main]
pipeline = catch_errors gatekeeper healthcheck proxy-logging cache listing_formats s3api tempauth copy dlo slo versioned_writes proxy-logging proxy-server
[app:proxy-server]
use = egg:swift#proxy
account_autocreate = true
${Object.entries(plain)
  .map(([name, egg]) => `[filter:${name}]\nuse = egg:swift#${egg}\n`)
  .join("")}[filter:cache]
use = egg:swift#memcache
# No memcached in the lab: tempauth's S3 path checks each signature itself.
memcache_servers = 127.0.0.1:11211
[filter:s3api]
use = egg:swift#s3api
location = us-east-1
[filter:tempauth]
use = egg:swift#tempauth
user_${account}_${user} = ${key} .admin
`;
}

const LAUNCH = `
set -euo pipefail
D=$1
mount --bind "$D/etc" /etc/swift
for n in object container account proxy; do
  /usr/bin/swift-$n-server "$D/etc/$n-server.conf" --verbose >"$D/logs/$n.log" 2>&1 &
done
echo started
wait
`;

async function netnsPids(): Promise<number[]> {
  if (!existsSync(`/run/netns/${NETNS}`)) return [];
  const r = await run(["ip", "netns", "pids", NETNS], { allowFail: true });
  return r.stdout
    .split("\n")
    .map((s) => Number.parseInt(s, 10))
    .filter((n) => Number.isInteger(n) && n > 0);
}

/** Removes the namespace, its processes and the veth: this run's or a crashed one's. */
async function removeSwiftNet(): Promise<void> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const pids = await netnsPids();
    if (pids.length === 0) break;
    for (const pid of pids) {
      try {
        process.kill(pid, attempt < 20 ? "SIGTERM" : "SIGKILL");
      } catch {
        // Gone meanwhile.
      }
    }
    await sleep(100);
  }
  if (existsSync(`/run/netns/${NETNS}`)) await run(["ip", "netns", "del", NETNS], { allowFail: true });
  await run(["ip", "link", "del", VETH], { allowFail: true });
}

export async function startSwift(): Promise<SwiftLab> {
  await removeSwiftNet();
  const dir = mkdtempSync(join(tmpdir(), "pra-swift-"));
  for (const sub of ["etc", "node/d1", "logs"]) mkdirSync(join(dir, sub), { recursive: true });
  const account = "pra";
  const user = "state";
  const key = randomBytes(18).toString("base64url");
  writeFileSync(join(dir, "etc/swift.conf"), swiftConf);
  writeFileSync(join(dir, "etc/proxy-server.conf"), proxyConf(dir, account, user, key), { mode: 0o600 });
  for (const kind of Object.keys(STORAGE) as (keyof typeof STORAGE)[]) {
    writeFileSync(join(dir, `etc/${kind}-server.conf`), storageConf(dir, kind));
    const builder = join(dir, `etc/${kind}.builder`);
    // 2^8 partitions, one replica, one device: the smallest ring Swift accepts.
    await run(["/usr/bin/swift-ring-builder", builder, "create", "8", "1", "1"]);
    await run(["/usr/bin/swift-ring-builder", builder, "add", `r1z1-127.0.0.1:${STORAGE[kind]}/d1`, "100"]);
    await run(["/usr/bin/swift-ring-builder", builder, "rebalance"]);
  }
  await run(["ip", "netns", "add", NETNS]);
  await run(["ip", "link", "add", VETH, "type", "veth", "peer", "name", "eth0", "netns", NETNS]);
  await run(["ip", "addr", "add", `${HOST_SIDE}/30`, "dev", VETH]);
  await run(["ip", "link", "set", VETH, "up"]);
  await run(["ip", "-n", NETNS, "addr", "add", `${SWIFT_ADDRESS}/30`, "dev", "eth0"]);
  await run(["ip", "-n", NETNS, "link", "set", "eth0", "up"]);
  await run(["ip", "-n", NETNS, "link", "set", "lo", "up"]);
  const launcher = startBackground(
    [
      "ip",
      "netns",
      "exec",
      NETNS,
      "unshare",
      "--mount",
      "--propagation",
      "private",
      "--",
      "bash",
      "-c",
      LAUNCH,
      "swift",
      dir,
    ],
    { env: ROOT_ENV, cwd: "/" },
  );
  const logs = () =>
    readdirSync(join(dir, "logs"))
      .map((f) => `== ${f}\n${readFileSync(join(dir, "logs", f), "utf8").slice(-3000)}`)
      .join("\n");
  const endpoint = `http://${SWIFT_ADDRESS}:${PROXY_PORT}`;
  try {
    // Four Python daemons on a busy machine: tens of seconds.
    await waitUntil(
      async () => {
        if (!launcher.running) {
          const ended = await launcher.exited;
          throw new Error(`the Swift launcher ended (exit ${ended.code}): ${ended.stderr}\n${logs()}`);
        }
        try {
          const r = await fetch(`${endpoint}/healthcheck`, { signal: AbortSignal.timeout(2000) });
          return r.ok && (await netnsPids()).length >= 5;
        } catch {
          return false;
        }
      },
      180_000,
      "Swift's proxy to answer /healthcheck",
    );
    const ep = { endpoint, region: REGION, accessKeyId: `${account}:${user}`, secretAccessKey: key };
    // The proxy answers /healthcheck before the account, container and object servers listen (503s
    // until then, seen in CI): ready means a bucket and an object really written and removed over S3.
    await waitUntil(
      async () => {
        for (const req of [
          { method: "PUT", bucket: "pra-ready" },
          { method: "PUT", bucket: "pra-ready", key: "probe", body: "x" },
          { method: "DELETE", bucket: "pra-ready", key: "probe" },
          { method: "DELETE", bucket: "pra-ready" },
        ] as const) {
          const r = await s3Request(ep, req).catch(() => undefined);
          if (!r || r.status >= 300) return false;
        }
        return true;
      },
      180_000,
      "the lab's Swift to store and remove an object over S3 (account, container and object servers up)",
    );

    // The daemons live until stop() (found again by namespace); the test runner must not wait for them.
    launcher.disown();
  } catch (e) {
    await removeSwiftNet();
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
  return {
    endpoint,
    region: REGION,
    accessKeyId: `${account}:${user}`,
    secretAccessKey: key,
    logs,
    async stop() {
      await removeSwiftNet();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
