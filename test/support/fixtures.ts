/** Small builders for test inventories. */
import type { ObjectInput } from "../../runtime";

export function cluster(name = "prod", spec: object = {}): ObjectInput {
  return { kind: "Cluster", name, spec };
}

export function esxHost(name: string, clusterName: string | null = "prod", overrides: Record<string, unknown> = {}): ObjectInput {
  return {
    kind: "Host",
    name,
    spec: {
      ...(clusterName ? { cluster: clusterName } : {}),
      hypervisor: "esx",
      cpu: { sockets: 2, coresPerSocket: 8, mhz: 2600, vendor: "intel", features: ["vmx", "ept", "lm"] },
      memoryMb: 65536,
      ...overrides,
    },
  };
}

export function pool(name: string, spec: Record<string, unknown> = {}, clusterName = "prod"): ObjectInput {
  return { kind: "ResourcePool", name, spec: { cluster: clusterName, ...spec } };
}

export function vm(name: string, spec: Record<string, unknown> = {}, clusterName = "prod"): ObjectInput {
  return {
    kind: "VirtualMachine",
    name,
    spec: { cluster: clusterName, vcpus: 2, memoryMb: 4096, guestOs: "linux", memoryOverheadMb: 0, ...spec },
  };
}

export function datastore(name: string, type: "nfs" | "iscsi" | "fc" | "local" = "nfs", capacityGb = 1000): ObjectInput {
  return { kind: "Datastore", name, spec: { type, capacityGb } };
}
