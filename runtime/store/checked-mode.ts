/**
 * Checked mode for the stores' worlds: POLYVISOR_FREEZE_RECORDS=1 (the test suite sets it, and the
 * processes it starts inherit it) makes the world freeze every record it holds (kernel/model.ts).
 */
import { setRecordFreezing } from "../core/kernel/model";

export function applyCheckedMode(): void {
  if (process.env.POLYVISOR_FREEZE_RECORDS === "1") setRecordFreezing(true);
}
