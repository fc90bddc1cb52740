/** `polyvisor status`: containers, where they run, their addresses and what the host's scheduler gives them. */
import type { ContainerObject } from "../../runtime";
import { table } from "../format";

export function renderContainers(containers: ContainerObject[]): string | undefined {
  if (containers.length === 0) return undefined;
  return table(
    ["CONTAINER", "CLUSTER", "TEMPLATE", "STATE", "HOST", "ADDRESSES", "MEM MB", "CPU DEMAND", "CPU ENTITLED"],
    containers.map((c) => [
      c.name,
      c.status.cluster ?? "-",
      c.spec.template,
      c.status.haRestart ? `${c.status.state} (HA restart pending)` : c.status.state,
      c.status.currentHost ? `${c.status.currentHost}${c.status.brand === "lx" ? " (lx)" : ""}` : "-",
      c.status.ipAddresses.join(",") || "-",
      c.spec.memoryMb,
      c.status.cpuDemandMhz,
      c.status.cpuEntitlementMhz,
    ]),
  );
}
