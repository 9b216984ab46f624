import { ExitCode, OpsError } from "./exitCodes";
import type { Session } from "./session";
import { errorText } from "./workspace";

/** What to look at when the preview of the stack as it is fails (the nightly job's cloud check, the doctor). */
export const CLOUD_CHECK_FIX =
  "Check the OpenStack credentials (OS_CLOUD and its clouds.yaml entry, or the openrc variables; an " +
  "application credential may have expired or been deleted), the passphrase";

/**
 * Before a run sets pra:syncRun or pra:drillRun: a preview of the stack as it is (no instance wanted).
 * It needs what the boot needs, the state, the passphrase and a cloud that accepts the credentials
 * (the program looks the image and the network up through the provider), and changes nothing. Without
 * it, rejected credentials fail the boot AND every teardown try, and the run ends in exit 5 ("the
 * instance may still be running") although nothing could ever have been created.
 */
export async function checkCloudAccess(s: Session): Promise<void> {
  s.log("cloud check: pulumi preview of the stack as it is (state, passphrase, OpenStack credentials), nothing boots");
  try {
    await s.stack.preview({
      onOutput: s.engine.onOutput,
      onError: s.engine.onError,
      signal: s.interruption.abortSignal,
    });
  } catch (e) {
    if (s.interruption.signal) {
      throw new OpsError(ExitCode.Interrupted, `${s.interruption.signal} during the cloud check, nothing booted`);
    }
    throw new OpsError(
      ExitCode.CloudCheckFailed,
      `the cloud check failed, nothing booted: ${errorText(e, 6)}. ` +
        `${CLOUD_CHECK_FIX}, and pulumi preview --stack ${s.stackName}`,
    );
  }
}
