/** `polyvisor status`: containers, where they run (or from and to which host a move in flight takes them), their addresses and what the host's scheduler gives them. */
import type { ContainerObject } from "../../runtime";
import { formatSeconds, table } from "../format";

export function renderContainers(containers: ContainerObject[]): string | undefined {
  if (containers.length === 0) return undefined;
  return table(
    ["CONTAINER", "CLUSTER", "TEMPLATE", "STATE", "HOST", "ADDRESSES", "MEM MB", "CPU DEMAND", "CPU ENTITLED"],
    containers.map((c) => [
      c.name,
      c.status.cluster ?? "-",
      c.spec.template,
      c.status.haRestart ? `${c.status.state} (HA restart pending)` : c.status.state,
      c.status.migration
        ? `${c.status.migration.fromHost} -> ${c.status.migration.toHost} (${c.status.migration.kind}, lands ${formatSeconds(c.status.migration.completesAtSeconds)})`
        : c.status.currentHost
          ? `${c.status.currentHost}${c.status.brand === "lx" ? " (lx)" : ""}`
          : "-",
      c.status.ipAddresses.join(",") || "-",
      c.spec.memoryMb,
      c.status.cpuDemandMhz,
      c.status.cpuEntitlementMhz,
    ]),
  );
}
