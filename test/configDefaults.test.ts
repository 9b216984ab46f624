import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { projectDefaults } from "../config";
import { readConfigDefaults } from "../configDefaults";

describe("defaults from Pulumi.yaml", () => {
  const dir = mkdtempSync(join(tmpdir(), "pra-defaults-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const project = (config: string) => {
    const file = join(dir, "Pulumi.yaml");
    writeFileSync(file, `name: pra\nruntime: nodejs\nconfig:\n${config}`);
    return file;
  };

  it("gives each default with its declared type", () => {
    const d = readConfigDefaults(
      project(`  a: {type: integer, default: 7}\n  b: {type: string, default: "0.04"}\n  c: {type: boolean, default: false}
  d: {type: array, items: {type: string}, default: []}\n  e: {type: array, items: {type: string}}\n  openstack:region: {value: RegionOne}\n`),
    );
    expect([d.integer("a"), d.string("b"), d.boolean("c"), d.stringList("d"), d.stringList("e")]).toEqual([
      7,
      "0.04",
      false,
      [],
      undefined,
    ]);
    expect([...d.declared.keys()]).toEqual(["a", "b", "c", "d", "e"]);
  });

  it("throws on a key it does not declare, another type, or no default", () => {
    const d = projectDefaults();
    expect(() => d.integer("keepRecoveryPoint")).toThrow(
      "pra:keepRecoveryPoint is read but not declared in Pulumi.yaml",
    );
    expect(() => d.string("keepRecoveryPoints")).toThrow("declares pra:keepRecoveryPoints as integer, not string");
    expect(() => d.string("siteHostname")).toThrow("declares no default for pra:siteHostname");
  });

  it("refuses a default that does not fit its type", () => {
    expect(() => readConfigDefaults(project('  a: {type: integer, default: "7"}\n'))).toThrow(
      /default of config a is not of type integer/,
    );
    expect(() => readConfigDefaults(project("  a: {type: number, default: 7}\n"))).toThrow(/config a has no type/);
  });
});
