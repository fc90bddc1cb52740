/**
 * The placement request for a VM of the world: why it is placed, what it demands, and the
 * constraints of the DRS rules that name it. Every placement decision (power-on, reconfiguration, a
 * changed pin, maintenance evacuation, DRS, HA restart) builds its request here or, for DRS's plan,
 * from the same placementRequest with the plan's locations, so that mandatory rules, storage
 * visibility and failover hosts hold whoever places the VM.
 */
import type { VmSpec } from "../../../schema/virtual-machine";
import { type GuestCpu, guestCpuOn } from "../cpu/evc";
import type { ClusterRecord, HostRecord, VmRecord } from "../kernel/model";
import { NO_RULES, constraintsFor } from "../rules/constraints";
import { departureIn, locateIn, rulesNaming } from "../rules/lookup";
import type { Txn } from "../kernel/txn";
import { cpuDemandAt } from "../guests/workload-profiles";
import { type PlacementPurpose, type PlacementRequest, placementRequest } from "./framework";

/**
 * A reconfiguration asks whether the changed VM still fits the host it runs on: its pin and the
 * rules choose hosts, they do not evict a VM that is resized where it runs.
 */
export function vmPlacementRequest(
  txn: Txn,
  name: string,
  spec: VmSpec,
  cluster: string | null,
  purpose: PlacementPurpose,
): PlacementRequest {
  const staying = purpose === "reconfigure";
  const rules =
    cluster === null || staying ? NO_RULES : constraintsFor(rulesNaming(txn, cluster, name), name, locateIn(txn), departureIn(txn));
  // A VM that moves keeps its last demand sample; one that (re)starts or changes shows its workload's level now.
  const running = purpose === "migration" ? txn.get<VmRecord>("VirtualMachine", name) : undefined;
  const demand = running ? running.status.cpuDemandMhz : cpuDemandAt(spec.workload, txn.clockSeconds);
  const req = placementRequest(name, spec, purpose, demand, rules);
  if (staying) return { ...req, pinnedHost: undefined };
  const guestCpu = running && guestCpuOf(txn, running);
  return guestCpu ? { ...req, guestCpu } : req;
}

/** The CPU a running VM's guest sees: its host's, masked by its cluster's EVC baseline (cpu/evc.ts). */
export function guestCpuOf(txn: Txn, vm: VmRecord): GuestCpu | undefined {
  const host = vm.status.currentHost === null ? undefined : txn.get<HostRecord>("Host", vm.status.currentHost);
  if (!host) return undefined;
  const evc = vm.status.cluster === null ? undefined : txn.get<ClusterRecord>("Cluster", vm.status.cluster)?.spec.evc?.mode;
  return guestCpuOn(host.name, host.spec, evc);
}
