import { digestFunction } from "../digest";
import { layout, shq } from "../layout";
import { type StandbyEndpoint, standbySshPrelude } from "./standbySsh";

export interface PushFilesParams {
  run: string;
  standby: StandbyEndpoint;
  standbyPrivateKey: string;
  webRoot: string;
  apacheSiteConfig: string;
  /** rsync --timeout: seconds without progress before giving up. */
  ioTimeoutSeconds: number;
}

/**
 * Runs as root on the primary (locally, or through SSH). Copies the web root into a new generation
 * directory on the standby with --link-dest against the live one (unchanged files become hard links:
 * no bytes, no space), then the Apache site config, then a record of what was sent.
 */
export function renderPushFiles(p: PushFilesParams): string {
  const incoming = `${layout.incoming}/${p.run}`;
  return `#!/bin/bash
set -euo pipefail
${standbySshPrelude(p.standby, p.standbyPrivateKey)}
${digestFunction()}
src=${shq(p.webRoot)}
site_conf=${shq(p.apacheSiteConfig)}
# An empty, unmounted or wrong source must never become the standby's copy.
for f in wp-config.php wp-includes/version.php; do
  [ -f "$src/$f" ] || { echo "pra-push-files: $src/$f is missing: $src does not look like the WordPress root (unmounted disk? wrong webRoot?): nothing sent" >&2; exit 3; }
done
[ -f "$site_conf" ] || { echo "pra-push-files: $site_conf is missing: set apacheSiteConfig to the blog's Apache site file" >&2; exit 3; }

rsync_standby() {
  local rc=0
  rsync "$@" -e "$standby_ssh" --rsync-path="sudo -n rsync" || rc=$?
  case "$rc" in
    0) ;;
    23|24) echo "pra-push-files: rsync exit $rc: partial transfer (files vanished or unreadable): the run is not complete" >&2; exit "$rc" ;;
    30) echo "pra-push-files: rsync exit 30: timeout in data send/receive" >&2; exit 30 ;;
    *) echo "pra-push-files: rsync failed with exit $rc" >&2; exit "$rc" ;;
  esac
}

stats=$(mktemp)
rsync_standby -aH --delete --mkpath --chown=www-data:www-data --timeout=${p.ioTimeoutSeconds} \\
  --link-dest=${layout.current}/www --exclude=/wp-content/cache/ --info=progress2,stats2 --no-inc-recursive \\
  "$src/" "$standby:${incoming}/www/" | tee "$stats"
rsync_standby -a --mkpath --timeout=${p.ioTimeoutSeconds} "$site_conf" "$standby:${incoming}/apache/site.conf"
sent=$(sed -n 's/^Total bytes sent: \\([0-9,.]*\\).*/\\1/p' "$stats" | tr -d ',.')
read -r digest entries < <(tree_digest "$src")
printf '{"digest":"%s","entries":%d,"bytesSent":%d}\\n' "$digest" "$entries" "\${sent:-0}" |
  $standby_ssh "$standby" "sudo -n ${layout.bin}/pra-receive ${p.run} files.json"
echo "pra-push-files: sent \${sent:-0} bytes; $entries entries, digest $digest"
`;
}
