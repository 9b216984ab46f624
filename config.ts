import * as net from "node:net";
import { join } from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { addressBits, coverFamily, formatCidr, networkOf, parseCidr } from "./cidr";
import type { Mode, Prices } from "./components/cost";
import type { ImageSource } from "./components/image";
import { type ConfigDefaults, readConfigDefaults } from "./configDefaults";
import type { PrimaryEndpoint } from "./sync/plan";

/** A configuration problem, worded so the user can fix it without reading code. */
export class ConfigError extends Error {
  constructor(
    readonly key: string,
    problem: string,
    fix: string,
  ) {
    super(`pra:${key}: ${problem}. Fix: ${fix}`);
    this.name = "ConfigError";
  }
}

let cachedDefaults: ConfigDefaults | undefined;

/** The defaults Pulumi.yaml declares (the project file beside this one), read once. */
export function projectDefaults(): ConfigDefaults {
  cachedDefaults ??= readConfigDefaults(join(__dirname, "Pulumi.yaml"));
  return cachedDefaults;
}

/** What the standby is doing in this run. */
export interface SiteConfig {
  praActive: boolean;
  syncRun: string;
  drillRun: string;
  mode: Mode;
  siteHostname: string;
  networkName: string;
  floatingIpPool: string;
  flavorName: string;
  availabilityZone?: string;
  adminCidrs: string[];
  /** The failover runner's own address while `npm run failover` runs from outside adminCidrs. */
  runnerCidr?: string;
  image: ImageSource;
  dataVolumeSizeGb: number;
  dataVolumeType?: string;
  sshUser: string;
  operatorSshKeys: string[];
  hostKeyAlias: string;
  prices: Prices;
  expectedSyncMinutes: number;
}

/** Reads one raw config value (what `pulumi config get` prints), undefined when unset. */
export type RawConfig = (key: string) => string | undefined;

const show = (raw: string) => JSON.stringify(raw);

export function parseBoolean(get: RawConfig, defaults: ConfigDefaults, key: string): boolean {
  const raw = get(key);
  if (raw === undefined || raw === "") return defaults.boolean(key);
  if (raw === "true") return true;
  if (raw === "false") return false;
  throw new ConfigError(
    key,
    `${show(raw)} is not a boolean (only true or false are accepted)`,
    `pulumi config set ${key} true   # or false`,
  );
}

export function requireString(get: RawConfig, key: string, example: string): string {
  const raw = get(key)?.trim();
  if (!raw) throw new ConfigError(key, "is not set", `pulumi config set ${key} ${example}`);
  return raw;
}

/** The value, or Pulumi.yaml's default when unset or empty. */
export function stringSetting(get: RawConfig, defaults: ConfigDefaults, key: string): string {
  return get(key)?.trim() || defaults.string(key);
}

/** Like stringSetting, with an empty result (a default of "") as undefined. */
export function optionalString(get: RawConfig, defaults: ConfigDefaults, key: string): string | undefined {
  return stringSetting(get, defaults, key) || undefined;
}

export function parseInteger(get: RawConfig, defaults: ConfigDefaults, key: string, min: number, max: number): number {
  const raw = get(key);
  const fallback = defaults.integer(key);
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (!/^-?\d+$/.test(raw.trim()) || value < min || value > max) {
    throw new ConfigError(
      key,
      `${show(raw)} is not a whole number from ${min} to ${max}`,
      `pulumi config set ${key} ${fallback}`,
    );
  }
  return value;
}

export function parsePrice(get: RawConfig, defaults: ConfigDefaults, key: string): number {
  const raw = get(key);
  // Pulumi.yaml declares prices as strings: Pulumi's config types have no decimal number.
  const fallback = defaults.string(key);
  if (raw === undefined || raw === "") return Number(fallback);
  if (!/^\d+(\.\d+)?$/.test(raw.trim())) {
    throw new ConfigError(key, `${show(raw)} is not a price in € (like 0.04)`, `pulumi config set ${key} ${fallback}`);
  }
  return Number(raw);
}

/** A list of strings; when unset, Pulumi.yaml's default, or "is not set" for a list without one. */
export function parseStringList(get: RawConfig, defaults: ConfigDefaults, key: string): string[] {
  const raw = get(key);
  const fallback = defaults.stringList(key);
  const fix = `pulumi config set --path '${key}[0]' VALUE   # one entry per index`;
  if (raw === undefined || raw === "") {
    if (fallback) return fallback;
    throw new ConfigError(key, "is not set", fix);
  }
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    throw new ConfigError(key, `${show(raw)} is not a list`, fix);
  }
  if (!Array.isArray(value) || !value.every((v) => typeof v === "string")) {
    throw new ConfigError(key, `${show(raw)} is not a list of strings`, fix);
  }
  return value.map((v) => v.trim());
}

/** Shortest prefix an admin CIDR may have: anything wider opens SSH to a sizeable part of the internet. */
export const shortestAdminPrefix = { 4: 8, 6: 16 } as const;

/** An IPv4 or IPv6 CIDR with no host bits set beyond the prefix, at least as narrow as shortestAdminPrefix. */
export function validateCidr(key: string, cidr: string): string {
  const fix = `use a network in CIDR form, e.g. 198.51.100.7/32, with pulumi config set --path '${key}[0]' ...`;
  const parsed = parseCidr(cidr);
  if (!parsed) throw new ConfigError(key, `${show(cidr)} is not a CIDR`, fix);
  if (parsed.prefix === 0) {
    throw new ConfigError(key, `${show(cidr)} opens SSH to the whole internet`, fix);
  }
  const shortest = shortestAdminPrefix[parsed.family];
  if (parsed.prefix < shortest) {
    throw new ConfigError(
      key,
      `${show(cidr)} opens SSH to 1/${2 ** parsed.prefix} of all IPv${parsed.family} addresses; prefixes shorter than /${shortest} are refused`,
      fix,
    );
  }
  const network = networkOf(parsed);
  if (network.address !== parsed.address) {
    const should = formatCidr(network);
    throw new ConfigError(
      key,
      `${show(cidr)} has host bits set beyond /${parsed.prefix}; the network is ${should}`,
      `write ${should}, or ${cidr.split("/")[0]}/${addressBits[parsed.family]} for that one address, with pulumi config set --path '${key}[0]' ...`,
    );
  }
  return cidr;
}

/** Refuses a list of valid CIDRs that together cover every address of IPv4 or of IPv6, however it is cut up. */
export function validateCidrUnion(key: string, cidrs: string[]): string[] {
  const parsed = cidrs.map((c) => parseCidr(c)).filter((c) => c !== undefined);
  for (const family of [4, 6] as const) {
    if (coverFamily(parsed, family)) {
      throw new ConfigError(
        key,
        `its ${cidrs.length} entries together open SSH to the whole IPv${family} internet`,
        `list only the machine that runs the nightly job and your own addresses, e.g. pulumi config set --path '${key}[0]' 198.51.100.7/32`,
      );
    }
  }
  return cidrs;
}

export function validateHostname(key: string, name: string): string {
  const label = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/i;
  if (name.length > 253 || !name.includes(".") || !name.split(".").every((l) => label.test(l))) {
    throw new ConfigError(
      key,
      `${show(name)} is not a fully qualified host name`,
      `pulumi config set ${key} blog.example.org`,
    );
  }
  return name.toLowerCase();
}

/** An OpenSSH public key line: type, base64 blob, optional comment. */
export function validateSshPublicKey(key: string, line: string): string {
  if (
    !/^(ssh-ed25519|ecdsa-sha2-nistp(256|384|521)|ssh-rsa|sk-ssh-ed25519@openssh\.com) [A-Za-z0-9+/]+=*( .*)?$/.test(
      line,
    )
  ) {
    throw new ConfigError(
      key,
      `${show(line.slice(0, 40))} is not an OpenSSH public key`,
      `paste the whole line of ~/.ssh/id_ed25519.pub: pulumi config set --path '${key}[0]' "$(cat ~/.ssh/id_ed25519.pub)"`,
    );
  }
  return line;
}

/** A name the standby can use for a Unix account: lower case, not root. */
export function validateUserName(key: string, user: string): string {
  if (!/^[a-z_][a-z0-9_-]{0,31}$/.test(user) || user === "root") {
    throw new ConfigError(key, `${show(user)} is not a usable non-root user name`, `pulumi config set ${key} pra`);
  }
  return user;
}

export function parseImage(get: RawConfig, defaults: ConfigDefaults): ImageSource {
  const given = (["imageName", "imageId", "imageSourceUrl", "imageFile"] as const).filter((k) =>
    optionalString(get, defaults, k),
  );
  if (given.length !== 1) {
    const problem = given.length === 0 ? "no snapshot image is configured" : `${given.join(" and ")} are all set`;
    throw new ConfigError(
      given[0] ?? "imageName",
      problem,
      "set exactly one of imageName, imageId, imageSourceUrl or imageFile (e.g. pulumi config set imageName wordpress-standby)",
    );
  }
  const diskFormat = stringSetting(get, defaults, "imageDiskFormat");
  if (!/^(qcow2|raw|vmdk|vdi|vhd|vhdx|iso|ami|ari|aki|ploop)$/.test(diskFormat)) {
    throw new ConfigError(
      "imageDiskFormat",
      `${show(diskFormat)} is not a Glance disk format`,
      "pulumi config set imageDiskFormat qcow2",
    );
  }
  const sizeGb = parseInteger(get, defaults, "imageSizeGb", 1, 1000);
  const value = stringSetting(get, defaults, given[0]);
  switch (given[0]) {
    case "imageName":
      return { kind: "name", name: value };
    case "imageId":
      if (!/^[0-9a-f-]{8,64}$/i.test(value)) {
        throw new ConfigError(
          "imageId",
          `${show(value)} is not an image ID`,
          "copy the ID from `openstack image list`",
        );
      }
      return { kind: "id", id: value };
    case "imageSourceUrl":
      if (!/^https?:\/\/\S+$/.test(value)) {
        throw new ConfigError(
          "imageSourceUrl",
          `${show(value)} is not an http(s) URL`,
          "pulumi config set imageSourceUrl https://...",
        );
      }
      return { kind: "url", url: value, diskFormat, sizeGb };
    default:
      return { kind: "file", path: value, diskFormat, sizeGb };
  }
}

function modeOf(praActive: boolean, syncRun: string, drillRun: string): Mode {
  if (praActive && (syncRun || drillRun)) {
    const key = syncRun ? "syncRun" : "drillRun";
    throw new ConfigError(
      key,
      `is set while praActive is true: a sync or drill would overwrite what was written on the standby since the failover`,
      `pulumi config rm ${key}   # and use npm run failback to return to the primary`,
    );
  }
  if (syncRun && drillRun) {
    throw new ConfigError(
      "drillRun",
      "is set together with syncRun; only one job may own the standby at a time",
      "pulumi config rm drillRun",
    );
  }
  if (praActive) return "active";
  if (syncRun) return "syncing";
  if (drillRun) return "drill";
  return "standby";
}

function runId(get: RawConfig, defaults: ConfigDefaults, key: string): string {
  const value = stringSetting(get, defaults, key);
  if (value && !/^[A-Za-z0-9._-]{1,64}$/.test(value)) {
    throw new ConfigError(key, `${show(value)} is not a run id (letters, digits, . _ -)`, `pulumi config rm ${key}`);
  }
  return value;
}

/**
 * Validates every key of the standby site; pure, so tests can drive it with a plain map. Unset keys
 * take Pulumi.yaml's defaults, as they do under `pulumi up`.
 */
export function parseSiteConfig(get: RawConfig, defaults = projectDefaults()): SiteConfig {
  const praActive = parseBoolean(get, defaults, "praActive");
  const syncRun = runId(get, defaults, "syncRun");
  const drillRun = runId(get, defaults, "drillRun");
  const adminCidrs = validateCidrUnion(
    "adminCidrs",
    parseStringList(get, defaults, "adminCidrs").map((c) => validateCidr("adminCidrs", c)),
  );
  if (adminCidrs.length === 0) {
    throw new ConfigError(
      "adminCidrs",
      "is empty, so nothing could reach the standby over SSH",
      `pulumi config set --path 'adminCidrs[0]' 198.51.100.7/32`,
    );
  }
  return {
    praActive,
    syncRun,
    drillRun,
    mode: modeOf(praActive, syncRun, drillRun),
    siteHostname: validateHostname("siteHostname", requireString(get, "siteHostname", "blog.example.org")),
    networkName: requireString(get, "networkName", "my-network"),
    floatingIpPool: requireString(get, "floatingIpPool", "public"),
    flavorName: requireString(get, "flavorName", "s1-2"),
    availabilityZone: optionalString(get, defaults, "availabilityZone"),
    adminCidrs,
    runnerCidr: parseRunnerCidr(get, defaults),
    image: parseImage(get, defaults),
    dataVolumeSizeGb: parseInteger(get, defaults, "dataVolumeSizeGb", 1, 16384),
    dataVolumeType: optionalString(get, defaults, "dataVolumeType"),
    sshUser: validateUserName("sshUser", stringSetting(get, defaults, "sshUser")),
    operatorSshKeys: parseStringList(get, defaults, "operatorSshKeys").map((k) =>
      validateSshPublicKey("operatorSshKeys", k),
    ),
    hostKeyAlias: validateHostKeyAlias(stringSetting(get, defaults, "hostKeyAlias"), defaults),
    prices: {
      storageEurPerGbMonth: parsePrice(get, defaults, "priceStorageEurPerGbMonth"),
      instanceEurPerHour: parsePrice(get, defaults, "priceInstanceEurPerHour"),
      trafficEurPerMonth: parsePrice(get, defaults, "priceTrafficEurPerMonth"),
      floatingIpEurPerMonth: parsePrice(get, defaults, "priceFloatingIpEurPerMonth"),
    },
    expectedSyncMinutes: parseInteger(get, defaults, "expectedSyncMinutes", 1, 1440),
  };
}

/** One address (a /32 or /128): the failover job sets it for the machine it runs on, nothing wider. */
export function parseRunnerCidr(get: RawConfig, defaults: ConfigDefaults): string | undefined {
  const value = optionalString(get, defaults, "runnerCidr");
  if (value === undefined) return undefined;
  const parsed = parseCidr(value);
  if (!parsed || parsed.prefix !== addressBits[parsed.family]) {
    throw new ConfigError(
      "runnerCidr",
      `${show(value)} is not one address in CIDR form (/32 or /128)`,
      "leave it to npm run failover, or remove it: pulumi config rm runnerCidr",
    );
  }
  return value;
}

function validateHostKeyAlias(alias: string, defaults: ConfigDefaults): string {
  if (!/^[A-Za-z0-9._-]+$/.test(alias)) {
    throw new ConfigError(
      "hostKeyAlias",
      `${show(alias)} is not a plain name`,
      `pulumi config set hostKeyAlias ${defaults.string("hostKeyAlias")}`,
    );
  }
  return alias;
}

/**
 * A ConfigError as a RunError, which the Pulumi SDK prints as its message alone: the user reads the
 * key and the fix, not a stack trace of this file.
 */
function asRunError(e: unknown): unknown {
  return e instanceof ConfigError ? new pulumi.RunError(e.message) : e;
}

/** Reads the stack's configuration through Pulumi and validates it. */
export function loadSiteConfig(): SiteConfig {
  const config = new pulumi.Config();
  try {
    return parseSiteConfig((key) => config.get(key));
  } catch (e) {
    throw asRunError(e);
  }
}

export interface SyncConfig {
  source: "local" | "ssh";
  primary?: PrimaryEndpoint;
  /** Secret key for the primary (ssh source only). */
  primaryPrivateKey?: pulumi.Output<string>;
  webRoot: string;
  apacheSiteConfig: string;
  primaryDbSocket: string;
  keepRecoveryPoints: number;
  maxDeletePercent: number;
  readyTimeoutMinutes: number;
  scriptTimeoutMinutes: number;
  /** Failover onto this recovery point (run id) instead of the newest. */
  restorePoint?: string;
  /** DNS switch by hook on failover, and back on failback. */
  dns?: { hookCommand: string; primaryAddress: string };
}

function absolutePath(get: RawConfig, defaults: ConfigDefaults, key: string): string {
  const value = stringSetting(get, defaults, key);
  if (!/^\/[A-Za-z0-9._\-/]+$/.test(value) || value.includes("..")) {
    throw new ConfigError(
      key,
      `${show(value)} is not an absolute path of plain characters`,
      `pulumi config set ${key} ${defaults.string(key)}`,
    );
  }
  return value.replace(/\/+$/, "");
}

function parseDnsHook(get: RawConfig, defaults: ConfigDefaults): SyncConfig["dns"] {
  const hookCommand = optionalString(get, defaults, "dnsHookCommand");
  const primaryAddress = optionalString(get, defaults, "dnsPrimaryAddress");
  if (!hookCommand && !primaryAddress) return undefined;
  if (!hookCommand) {
    throw new ConfigError(
      "dnsHookCommand",
      "is not set but dnsPrimaryAddress is",
      "pulumi config set dnsHookCommand './scripts/my-dns-update'",
    );
  }
  if (!primaryAddress || net.isIP(primaryAddress) === 0) {
    throw new ConfigError(
      "dnsPrimaryAddress",
      `${show(primaryAddress ?? "")} is not an IP address; the hook needs it to point the name back at the primary after a failback`,
      "pulumi config set dnsPrimaryAddress 198.51.100.7",
    );
  }
  return { hookCommand, primaryAddress };
}

/** Validates the keys of the data sync: where the data comes from and how the standby keeps it. */
export function parseSyncConfig(get: RawConfig, defaults = projectDefaults()): Omit<SyncConfig, "primaryPrivateKey"> {
  const source = stringSetting(get, defaults, "source");
  if (source !== "local" && source !== "ssh") {
    throw new ConfigError(
      "source",
      `${show(source)} is neither local nor ssh`,
      "pulumi config set source local   # or ssh",
    );
  }
  const base = {
    source,
    webRoot: absolutePath(get, defaults, "webRoot"),
    apacheSiteConfig: absolutePath(get, defaults, "apacheSiteConfig"),
    primaryDbSocket: absolutePath(get, defaults, "primaryDbSocket"),
    keepRecoveryPoints: parseInteger(get, defaults, "keepRecoveryPoints", 1, 365),
    maxDeletePercent: parseInteger(get, defaults, "maxDeletePercent", 0, 100),
    readyTimeoutMinutes: parseInteger(get, defaults, "readyTimeoutMinutes", 1, 120),
    scriptTimeoutMinutes: parseInteger(get, defaults, "scriptTimeoutMinutes", 1, 1440),
    restorePoint: runId(get, defaults, "restorePoint") || undefined,
    dns: parseDnsHook(get, defaults),
  } as const;
  if (source === "local") return base;
  const host = requireString(get, "primaryHost", "home.example.org");
  if (!/^[A-Za-z0-9.:-]+$/.test(host)) {
    throw new ConfigError(
      "primaryHost",
      `${show(host)} is not a host name or address`,
      "pulumi config set primaryHost home.example.org",
    );
  }
  const hostPublicKey = validateSshPublicKey(
    "primaryHostKey",
    requireString(get, "primaryHostKey", '"$(ssh-keyscan -t ed25519 HOST | cut -d" " -f2-)"'),
  );
  return {
    ...base,
    primary: {
      host,
      port: parseInteger(get, defaults, "primarySshPort", 1, 65535),
      user: validateUserName("primarySshUser", stringSetting(get, defaults, "primarySshUser")),
      hostPublicKey,
    },
  };
}

/** Reads and validates the sync keys through Pulumi; the primary's key stays a secret Output. */
export function loadSyncConfig(): SyncConfig {
  const config = new pulumi.Config();
  try {
    const get: RawConfig = (key) => config.get(key);
    const parsed = parseSyncConfig(get);
    if (parsed.source !== "ssh") return parsed;
    requirePrimaryKey(get);
    return { ...parsed, primaryPrivateKey: config.requireSecret("primarySshPrivateKey") };
  } catch (e) {
    throw asRunError(e);
  }
}

/** The primary's SSH key, which source=ssh cannot do without; the caller keeps it secret. */
export function requirePrimaryKey(get: RawConfig): string {
  const key = get("primarySshPrivateKey");
  if (!key) {
    throw new ConfigError(
      "primarySshPrivateKey",
      "is not set but source is ssh",
      "pulumi config set --secret primarySshPrivateKey < ~/.ssh/pra_primary",
    );
  }
  return key;
}
