import { createHash } from "node:crypto";
import { renderWpConfigPhp } from "../wpConfigPhp";
import { renderActivate } from "./activate";
import { renderImport } from "./importDb";
import type { StandbyParams } from "./params";
import { renderReceive } from "./receive";
import { renderRestore } from "./restore";
import { renderSwitch } from "./switchLive";
import { renderVerify } from "./verify";

/** Every standby script by its file name in the volume's bin directory. */
export function standbyScripts(p: StandbyParams): Record<string, string> {
  return {
    "pra-wpconfig.php": renderWpConfigPhp(),
    "pra-receive": renderReceive(),
    "pra-import": renderImport(),
    "pra-switch": renderSwitch(p),
    "pra-restore": renderRestore(),
    "pra-activate": renderActivate(p),
    "pra-verify": renderVerify(p),
  };
}

/**
 * A bash script (sent on stdin to `sudo bash -s`) that writes the scripts onto the data volume, each
 * through a temp file and a rename, so a cut connection never leaves a half-written script.
 * The volume carries them, so a replaced instance finds pra-activate at boot.
 */
export function renderInstaller(p: StandbyParams): string {
  const scripts = standbyScripts(p);
  const parts = Object.entries(scripts).map(([name, body]) => {
    const tag = `PRA_${createHash("sha256").update(body).digest("hex").slice(0, 16)}`;
    return `cat > "$BIN/${name}.new" <<'${tag}'\n${body}${body.endsWith("\n") ? "" : "\n"}${tag}\nchmod 0755 "$BIN/${name}.new"\nmv -f "$BIN/${name}.new" "$BIN/${name}"`;
  });
  return `set -euo pipefail
DATA="\${PRA_DATA:-/srv/pra}"
BIN="$DATA/bin"
mountpoint -q "$DATA" || [ -n "\${PRA_DATA:-}" ] || { echo "pra-install: $DATA is not mounted" >&2; exit 1; }
mkdir -p "$BIN" "$DATA/incoming" "$DATA/generations"
${parts.join("\n")}
echo "pra-install: ${Object.keys(scripts).length} scripts in $BIN" >&2
`;
}
