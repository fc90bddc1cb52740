/**
 * A cluster's HA figures within one operation: kept while nothing they read changes (an HA wave
 * reports the capacity left after each of hundreds of declared failures), and worked out again after
 * the operation changes the demand, a host or the cluster's spec. The oracle is the same arithmetic
 * without anything kept: haFigures over the usable hosts and the demand as the operation sees them.
 */
import { describe, expect, it } from "vitest";
import { execute } from "../../runtime/core/commands";
import { haFigures } from "../../runtime/core/ha/admission-control";
import { clusterFigures, usableHosts } from "../../runtime/core/ha/cluster-figures";
import { clusterDemand } from "../../runtime/core/ha/demand";
import { failHost } from "../../runtime/core/host-lifecycle";
import type { ClusterRecord, VmRecord } from "../../runtime/core/kernel/model";
import { Txn } from "../../runtime/core/kernel/txn";
import { createWorld } from "../../runtime/core/world-setup";

function world() {
  const w = createWorld({ clockSeconds: 0, randomState: 1, timers: [], nextTimerSeq: 0 });
  const apply = (kind: string, name: string, spec: object) =>
    w.applyChanges(execute(w, { type: "apply", kind, name, spec, mode: "upsert" }).changes);
  apply("Cluster", "c", { ha: { enabled: true, admissionControl: { policy: "slotPolicy", hostFailuresToTolerate: 1 } } });
  for (const h of ["h1", "h2", "h3"]) {
    apply("Host", h, {
      cluster: "c",
      hypervisor: "esx",
      cpu: { sockets: 2, coresPerSocket: 8, mhz: 2600, vendor: "intel", features: ["vmx", "ept", "lm"] },
      memoryMb: 65536,
    });
  }
  for (const v of ["vm1", "vm2", "vm3"]) {
    apply("VirtualMachine", v, { cluster: "c", vcpus: 2, memoryMb: 4096, guestOs: "linux", memory: { reservationMb: 1024 } });
  }
  return w;
}

/** The figures worked out from scratch, as the operation sees the cluster now. */
function fresh(txn: Txn) {
  const cluster = txn.get<ClusterRecord>("Cluster", "c")!;
  const hosts = usableHosts(txn, "c");
  const demand = clusterDemand(txn, "c");
  return { figures: haFigures(cluster.spec, hosts, demand), hosts, demand };
}

describe("a cluster's HA figures within one operation", () => {
  it("are kept while nothing they read changes, and follow the operation's own changes", () => {
    const txn = new Txn(world());
    const figures = () => clusterFigures(txn, txn.get<ClusterRecord>("Cluster", "c")!);
    const first = figures();
    expect(first).toEqual(fresh(txn));
    expect(figures()).toBe(first);

    // Demand: a VM's memory reservation grows (no host changes).
    const vm = txn.get<VmRecord>("VirtualMachine", "vm1")!;
    txn.put<VmRecord>({ ...vm, spec: { ...vm.spec, memory: { ...vm.spec.memory, reservationMb: 8192 } } });
    const afterDemand = figures();
    expect(afterDemand.demand.largestMemoryMb).toBeGreaterThan(first.demand.largestMemoryMb);
    expect(afterDemand).toEqual(fresh(txn));

    // The spec: another admission policy (no host or VM changes).
    const cluster = txn.get<ClusterRecord>("Cluster", "c")!;
    const admissionControl = {
      ...cluster.spec.ha.admissionControl,
      policy: "resourcePercentage" as const,
      cpuPercent: 25,
      memoryPercent: 25,
    };
    const ha = { ...cluster.spec.ha, admissionControl };
    txn.put<ClusterRecord>({ ...cluster, spec: { ...cluster.spec, ha } });
    const afterSpec = figures();
    expect(afterSpec.figures.policy).toBe("resourcePercentage");
    expect(afterSpec).toEqual(fresh(txn));

    // A host fails: one usable host fewer.
    failHost(txn, "h3", "crash");
    const afterHost = figures();
    expect(afterHost.hosts.map((h) => h.name)).toEqual(["h1", "h2"]);
    expect(afterHost).toEqual(fresh(txn));
  });
});
