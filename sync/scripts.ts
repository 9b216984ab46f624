import { readFileSync } from "node:fs";
import { basename, join } from "node:path";
import { shq } from "./layout";

/**
 * The scripts that run on hosts are real files under sync/scripts/ (checked by shellcheck and php -l);
 * shared bash functions live in sync/scripts/lib/. A script is rendered into one self-contained text
 * (it travels on stdin over SSH, or is installed onto the standby's data volume):
 *   - each `source "$PRA_LIB/x.sh"` line is replaced by lib/x.sh itself (once per lib);
 *   - a generated header of shell variable assignments carries the parameters, every value quoted by
 *     shq: the script body is never interpolated, so no value can become code.
 * A script declares the parameters it needs on lines of the form `: "${NAME:?}" ...` (checked again at
 * run time); rendering refuses a missing or an unknown one. PRA_SCRIPT (the script's name, e.g.
 * pra-switch, push-files) and PRA_TAG (what its messages start with) are filled in here.
 */
const SCRIPTS_DIR = join(__dirname, "scripts");

export type ScriptValue = string | number | readonly string[];
export type ScriptParams = Record<string, ScriptValue>;

const SOURCE_LINE = /^source "\$PRA_LIB\/([a-z0-9-]+\.sh)"$/;
const ANY_SOURCE = /^\s*(source|\.)\s/;
const SOURCE_DIRECTIVE = /^# shellcheck source=/;
const LIB_SHELL_DIRECTIVE = "# shellcheck shell=bash";
const DECLARATION = /^: "\$\{[A-Za-z_]/;
const PARAMETER = /\$\{([A-Z][A-Z0-9_]*):\?\}/g;
const NAME = /^[A-Z][A-Z0-9_]*$/;

/** A file under sync/scripts/ as it is (e.g. the PHP helper). */
export function scriptText(path: string): string {
  return readFileSync(join(SCRIPTS_DIR, path), "utf8");
}

function quoted(name: string, value: string | number): string {
  const text = String(value);
  if (text.includes("\0")) throw new Error(`script parameter ${name} holds a NUL byte, which bash cannot carry`);
  return shq(text);
}

/** `NAME='value'` (or `NAME=('a' 'b')` for a list) lines, one per parameter. */
export function shellAssignments(params: ScriptParams): string {
  return Object.entries(params)
    .map(([name, value]) => {
      if (!NAME.test(name)) throw new Error(`script parameter name ${JSON.stringify(name)} is not NAME_IN_CAPITALS`);
      const rhs =
        typeof value === "string" || typeof value === "number"
          ? quoted(name, value)
          : `(${value.map((v) => quoted(name, v)).join(" ")})`;
      return `${name}=${rhs}\n`;
    })
    .join("");
}

/** The script's lines with every `source "$PRA_LIB/x.sh"` replaced by the lib's own lines. */
function inlineLibs(lines: string[], where: string, seen: Set<string>): string[] {
  const out: string[] = [];
  for (const line of lines) {
    if (SOURCE_DIRECTIVE.test(line)) continue;
    const lib = SOURCE_LINE.exec(line)?.[1];
    if (lib) {
      if (seen.has(lib)) continue;
      seen.add(lib);
      const libLines = scriptText(`lib/${lib}`).replace(/\n$/, "").split("\n");
      out.push(
        ...inlineLibs(
          libLines.filter((l) => l !== LIB_SHELL_DIRECTIVE),
          `lib/${lib}`,
          seen,
        ),
      );
    } else if (ANY_SOURCE.test(line)) {
      throw new Error(`${where}: only lines of the form source "$PRA_LIB/name.sh" can be inlined: ${line}`);
    } else {
      out.push(line);
    }
  }
  return out;
}

/** The parameters a rendered script declares with `: "${NAME:?}"` lines. */
function declaredParameters(lines: string[]): Set<string> {
  const names = new Set<string>();
  for (const line of lines.filter((l) => DECLARATION.test(l))) {
    for (const m of line.matchAll(PARAMETER)) names.add(m[1]);
  }
  return names;
}

/**
 * Renders sync/scripts/<name>.sh (e.g. "standby/pra-switch") with its libs inlined and its parameters
 * in a header after the shebang and the script's opening comment. `tag` overrides what its messages start with (default
 * pra-<name>, e.g. pra-switch, pra-push-files).
 */
export function renderScript(name: string, params: ScriptParams = {}, opts: { tag?: string } = {}): string {
  const file = `${name}.sh`;
  const lines = scriptText(file).replace(/\n$/, "").split("\n");
  if (!lines[0].startsWith("#!")) throw new Error(`sync/scripts/${file} does not start with a #! line`);
  // The header goes after the shebang and the script's own opening comment.
  let top = 1;
  while (top < lines.length && lines[top].startsWith("#")) top++;
  const body = inlineLibs(lines.slice(top), file, new Set());
  const declared = declaredParameters(body);
  const script = basename(name);
  const given: ScriptParams = {
    ...(declared.has("PRA_SCRIPT") ? { PRA_SCRIPT: script } : {}),
    ...(declared.has("PRA_TAG") ? { PRA_TAG: opts.tag ?? `pra-${script.replace(/^pra-/, "")}` } : {}),
    ...params,
  };
  const missing = [...declared].filter((p) => !(p in given));
  const unknown = Object.keys(given).filter((p) => !declared.has(p));
  if (missing.length > 0 || unknown.length > 0) {
    throw new Error(
      `sync/scripts/${file}: ${[
        missing.length > 0 ? `missing parameters ${missing.join(", ")}` : "",
        unknown.length > 0 ? `unknown parameters ${unknown.join(", ")}` : "",
      ]
        .filter(Boolean)
        .join("; ")}`,
    );
  }
  const header =
    declared.size === 0 ? [] : [`# Rendered by PRA (sync/scripts.ts) from sync/scripts/${file}; its parameters:`];
  const assignments = declared.size === 0 ? [] : [shellAssignments(given).replace(/\n$/, "")];
  return `${[...lines.slice(0, top), ...header, ...assignments, ...body].join("\n")}\n`;
}
