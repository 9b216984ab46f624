import { renderScript } from "../sync/scripts";

/** The first-boot script cloud-init runs (sync/scripts/boot/pra-data-volume.sh): finds, formats-if-blank and mounts the data volume. */
export function renderBootScript(): string {
  return renderScript("boot/pra-data-volume");
}
