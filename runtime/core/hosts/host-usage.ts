/**
 * A host's usage divided again: by the hypervisor among its VMs (vms/vm-usage.ts), or, on a container
 * host, by its container scheduler (containers/container-usage.ts).
 */
import { refreshContainerHost } from "../containers/container-usage";
import { profileOf } from "../hypervisors/profiles";
import type { HostRecord } from "../kernel/model";
import type { Txn } from "../kernel/txn";
import { refreshVmHost } from "../vms/vm-usage";

/** Recomputes what every guest on `hostName` uses and the host's usage and entitlement totals. */
export function refreshHostUsage(txn: Txn, hostName: string): void {
  const host = txn.get<HostRecord>("Host", hostName);
  if (!host) return;
  if (profileOf(host.spec).containers) refreshContainerHost(txn, host);
  else refreshVmHost(txn, host);
}
