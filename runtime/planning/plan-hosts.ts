/**
 * The hosts a consolidation plan may use: existing hosts (named, of any size) and a host model to
 * add as many of as needed. Each is validated as the runtime validates a Host; hosts are handed out
 * largest first, an existing host before a new one as large.
 */
import { HostSpec, type CpuFeature, type HostSpecInput, type Hypervisor } from "../../schema/host";
import { invalidInput } from "../core/kernel/errors";
import { hostCapacity } from "../core/kinds/host";
import { compareNames } from "../core/kernel/model";

export interface HostModel {
  cores: number;
  mhz: number;
  memoryMb: number;
  hypervisor: Hypervisor;
  hypervisorVersion?: string;
  vendor: "intel" | "amd";
  features: CpuFeature[];
}

export interface PlanHost {
  /** Its name; undefined for a host of the model, named when the plan is done. */
  name?: string;
  model: HostModel;
  spec: HostSpec;
  capacity: { cpuMhz: number; memoryMb: number };
  /** CPU MHz and memory MB left to VMs after the headroom. */
  usable: [number, number];
}

export function hostInput(model: HostModel, cluster: string): HostSpecInput {
  return {
    cluster,
    hypervisor: model.hypervisor,
    ...(model.hypervisorVersion === undefined ? {} : { hypervisorVersion: model.hypervisorVersion }),
    cpu: { sockets: 1, coresPerSocket: model.cores, mhz: model.mhz, vendor: model.vendor, features: model.features },
    memoryMb: model.memoryMb,
  };
}

export function planHost(model: HostModel, name: string | undefined, cluster: string, headroomPercent: number): PlanHost {
  const parsed = HostSpec.safeParse(hostInput(model, cluster));
  if (!parsed.success) {
    throw invalidInput(name === undefined ? { kind: "HostModel", name: "planned host" } : { kind: "Host", name }, parsed.error, "spec");
  }
  const capacity = hostCapacity(parsed.data);
  const usable = (v: number) => Math.floor((v * (100 - headroomPercent)) / 100);
  return { name, model, spec: parsed.data, capacity, usable: [usable(capacity.cpuMhz), usable(capacity.memoryMb)] };
}

/** A host's usable capacity as one figure: its shares of the largest CPU and memory among `hosts`. */
function weigher(hosts: readonly PlanHost[]): (h: PlanHost) => number {
  const cpu = Math.max(...hosts.map((h) => h.usable[0]), 1);
  const memory = Math.max(...hosts.map((h) => h.usable[1]), 1);
  return (h) => h.usable[0] / cpu + h.usable[1] / memory;
}

/** Hands out hosts largest first: the existing ones left, and the model (any number of times) when it is larger. */
export class HostPool {
  private readonly left: PlanHost[];
  private readonly weight: (h: PlanHost) => number;

  constructor(
    existing: readonly PlanHost[],
    private readonly model: PlanHost | undefined,
  ) {
    this.weight = weigher(model ? [...existing, model] : existing);
    this.left = [...existing].sort((a, b) => this.weight(b) - this.weight(a) || compareNames(a.name!, b.name!));
  }

  /** The largest host left; undefined when none is. */
  take(): PlanHost | undefined {
    const next = this.left[0];
    if (this.model && (!next || this.weight(this.model) > this.weight(next))) return this.model;
    return this.left.shift();
  }

  remove(hosts: readonly PlanHost[]): void {
    for (const h of hosts) {
      const at = this.left.indexOf(h);
      if (at >= 0) this.left.splice(at, 1);
    }
  }
}

/** Names for `count` new hosts: prefix and a number, skipping names existing hosts have. */
export function newHostNames(prefix: string, count: number, taken: ReadonlySet<string>): string[] {
  const names: string[] = [];
  const width = Math.max(2, String(count + taken.size).length);
  for (let i = 1; names.length < count; i++) {
    const name = `${prefix}${String(i).padStart(width, "0")}`;
    if (!taken.has(name)) names.push(name);
  }
  return names;
}
