import { renderScript } from "../sync/scripts";

/**
 * The first-boot script cloud-init runs (sync/scripts/boot/pra-data-volume.sh): finds, formats-if-blank
 * and mounts the data volume, and leaves its result where the ready check looks (layout.bootState). It
 * takes no rendered parameters: cloud-init receives the file as it is.
 */
export function renderBootScript(): string {
  return renderScript("boot/pra-data-volume");
}
