/** Host records for benchmarks, built as the Host handler would: two sockets of 2600 MHz cores. */
import type { HostSpec } from "../schema/host";
import { emptyHostStatus, hostCapacity } from "../runtime/core/kinds/host";
import type { HostRecord } from "../runtime/core/kernel/model";

export function benchHost(name: string, cluster: string, coresPerSocket: number, memoryMb: number): HostRecord {
  const spec: HostSpec = {
    cluster,
    hypervisor: "esx",
    cpu: { sockets: 2, coresPerSocket, mhz: 2600, vendor: "intel", features: ["vmx", "ept", "lm"] },
    memoryMb,
    datastores: [],
    maintenance: false,
  };
  const capacity = hostCapacity(spec);
  return {
    kind: "Host",
    name,
    spec,
    status: { ...emptyHostStatus(1, spec), cpuCapacityMhz: capacity.cpuMhz, memoryCapacityMb: capacity.memoryMb },
    generation: 1,
  };
}
