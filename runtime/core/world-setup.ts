/**
 * How a World is made: the kernel (model.ts) keeps whatever ledgers it is given, and this module,
 * above the domain modules that declare them, gives it the runtime's. Everything that makes a World
 * (the stores, tests, benches) makes it here, so none lacks a ledger a query reads.
 */
import { CONTAINER_DEMAND_LEDGER, DEMAND_LEDGER } from "./ha/demand";
import { type LedgerType, World } from "./kernel/model";
import type { WorldMeta } from "./kernel/records";
import { USAGE_LEDGER } from "./vms/vm-usage-ledger";
import { USABLE_HOSTS_LEDGER } from "./allocation/usable-hosts";

/** The derived ledgers every World keeps: HA demand per cluster (VMs, containers), usage sums per host, usable hosts per cluster. */
export const WORLD_LEDGERS: readonly LedgerType[] = [DEMAND_LEDGER, CONTAINER_DEMAND_LEDGER, USAGE_LEDGER, USABLE_HOSTS_LEDGER];

export function createWorld(meta: WorldMeta): World {
  return new World(meta, WORLD_LEDGERS);
}
