/**
 * The end of a step (a command, or one timer of an advance): what the step's changes leave to work
 * out once, however many VMs it moved. Each host whose VMs or reservations changed has its usage
 * divided again (vm-usage.ts), and a host leaving service that has emptied arrives in maintenance or
 * standby (host-evacuation.ts). Alarms then measure what the step left (alarms/evaluate.ts).
 */
import { evaluateAlarms } from "./alarms/evaluate";
import { settleEvacuation } from "./hosts/host-evacuation";
import type { Txn } from "./kernel/txn";
import { refreshHostUsage } from "./hosts/host-usage";

export function settle(txn: Txn): void {
  for (const host of txn.takeUnsettled()) {
    refreshHostUsage(txn, host);
    settleEvacuation(txn, host);
  }
  evaluateAlarms(txn);
}
