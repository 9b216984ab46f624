import { createHash } from "node:crypto";
import { chmodSync, copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { isMap, parseDocument } from "yaml";

/**
 * A throw-away copy of Pulumi.<stack>.yaml with the failover switched on. The real file is never
 * written: `pulumi preview -c praActive=true` and the Automation API's setConfig both SAVE the value,
 * which would arm a real failover on the next `up`. The copy keeps secretsprovider/encryptionsalt, so
 * the stack's secrets still decrypt with the same passphrase.
 */
export interface FailoverConfigCopy {
  /** The copy, in a private temp directory. */
  file: string;
  /** Run keys that were set in the real file and are left out of the copy (a failover clears them). */
  cleared: string[];
  dispose(): void;
}

export function sha256File(file: string): string {
  return createHash("sha256").update(readFileSync(file)).digest("hex");
}

export function failoverConfigCopy(realFile: string, project = "pra"): FailoverConfigCopy {
  const dir = mkdtempSync(join(tmpdir(), "pra-drill-"));
  const file = join(dir, basename(realFile));
  try {
    copyFileSync(realFile, file);
    chmodSync(file, 0o600);
    const doc = parseDocument(readFileSync(file, "utf8"));
    if (doc.errors.length > 0) throw new Error(`${realFile} is not valid YAML: ${doc.errors[0].message}`);
    // A stack file without config (or with an empty `config:`) gets a map to put praActive in.
    if (!isMap(doc.get("config"))) doc.set("config", doc.createNode({}));
    const cleared: string[] = [];
    // Only one mode may be set at a time (config.ts): a failover plan is made without run keys.
    for (const key of ["syncRun", "drillRun"]) {
      const path = ["config", `${project}:${key}`];
      const value = doc.getIn(path);
      if (value !== undefined && value !== null && String(value) !== "") cleared.push(key);
      doc.deleteIn(path);
    }
    doc.setIn(["config", `${project}:praActive`], true);
    writeFileSync(file, String(doc), { mode: 0o600 });
    return { file, cleared, dispose: () => rmSync(dir, { recursive: true, force: true }) };
  } catch (e) {
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
}
