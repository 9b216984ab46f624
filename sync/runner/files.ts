import type { StepInput } from "../plan";
import { PRIMARY_DIGEST_CACHE, renderPushFiles } from "../primary/pushFiles";
import { primaryShell, type SshKit } from "./keys";
import { run } from "./proc";

/** Runs the file push on the primary, streaming rsync's progress into the Pulumi log. */
export async function pushFiles(input: StepInput, kit: SshKit): Promise<void> {
  const { plan } = input;
  const script = renderPushFiles({
    run: plan.run,
    standby: plan.standby,
    standbyPrivateKey: input.secrets.standbyPrivateKey,
    webRoot: plan.webRoot,
    apacheSiteConfig: plan.apacheSiteConfig,
    ioTimeoutSeconds: plan.ioTimeoutSeconds,
    digestCache: PRIMARY_DIGEST_CACHE,
  });
  const r = await run(primaryShell(kit), { input: script, echo: true, timeoutMs: 6 * 3600_000 });
  if (r.code !== 0) throw new Error(`pra-files: pushing the web root failed (exit ${r.code})`);
}
