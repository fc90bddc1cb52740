/**
 * What must hold in any state the runtime wrote, checked from scratch (not from the figures the
 * runtime keeps up to date as it goes): every spec valid for its kind, every number finite, each guest
 * on a host that exists, each host's reservations and commitments
 * equal to the sum over its guests (a guest charged on two hosts breaks them), each VM host's kept
 * usage division what dividing it among its VMs gives (a DRS pass trusts it on hosts it leaves alone),
 * each datastore's used space equal to the disks on it, and pending timers in order and consistent
 * with the clock.
 * Returns the problems found, each naming the object; an empty list is a healthy state.
 */
import { KINDS, SPEC_SCHEMAS, isManagedKind } from "../../schema";
import { containerFootprint, runningFootprint } from "./containers/resources";
import { DRS_PASS_TASK, STORAGE_DRS_PASS_TASK } from "./kernel/timers";
import { diskSizeGb, tidyGb } from "./storage/disks";
import { placedVmSpec } from "./storage/placed-disks";
import type { ContainerRecord, DatastoreRecord, HostRecord, VmRecord, World } from "./kernel/model";
import { type Footprint, currentFootprint, incomingFootprint } from "./guests/vm-footprint";
import { keptDivisionProblem } from "./vms/vm-usage";

export interface InvariantCheck {
  name: string;
  problems: string[];
}

/** Sums kept as integers by the runtime may carry fractional overheads: equal within a millionth. */
function same(a: number, b: number): boolean {
  return Math.abs(a - b) <= 1e-6 * Math.max(1, Math.abs(a), Math.abs(b));
}

function nonFinitePath(value: unknown, at: string): string | undefined {
  if (typeof value === "number") return Number.isFinite(value) ? undefined : at;
  if (value === null || typeof value !== "object") return undefined;
  for (const [k, v] of Object.entries(value)) {
    const found = nonFinitePath(v, at ? `${at}.${k}` : k);
    if (found) return found;
  }
  return undefined;
}

function specsAndNumbers(world: World): string[] {
  const problems: string[] = [];
  for (const kind of KINDS) {
    for (const obj of world.list(kind)) {
      if (isManagedKind(kind)) {
        const parsed = SPEC_SCHEMAS[kind].safeParse(obj.spec);
        if (!parsed.success)
          problems.push(
            `${kind} ${obj.name}: spec field ${parsed.error.issues[0].path.join(".") || "spec"}: ${parsed.error.issues[0].message}`,
          );
      }
      const bad = nonFinitePath(obj.spec, "spec") ?? nonFinitePath(obj.status, "status");
      if (bad) problems.push(`${kind} ${obj.name}: ${bad} is not a finite number`);
      if (!Number.isInteger(obj.generation) || obj.generation < 1)
        problems.push(`${kind} ${obj.name}: generation ${obj.generation} is not a whole number >= 1`);
    }
  }
  return problems;
}

/**
 * Hosts list their guests from an index over each guest's currentHost, so a guest is listed on one
 * host at most by construction; what can go wrong in stored rows is a guest on (or moving to) a host
 * that does not exist, or moving to the host it is on. Being charged on two hosts shows in the sums.
 */
function placements(world: World): string[] {
  const problems: string[] = [];
  for (const kind of ["VirtualMachine", "Container"] as const) {
    for (const guest of world.list(kind) as (VmRecord | ContainerRecord)[]) {
      const where = guest.status.currentHost;
      if (where !== null && !world.get("Host", where)) problems.push(`${kind} ${guest.name} runs on host ${where}, which does not exist`);
      const to = guest.status.migration?.toHost;
      if (to !== undefined && !world.get("Host", to)) problems.push(`${kind} ${guest.name} is moving to host ${to}, which does not exist`);
      if (to !== undefined && to === where) problems.push(`${kind} ${guest.name} is moving to the host it runs on (${to})`);
    }
  }
  return problems;
}

interface Sums {
  cpuReservedMhz: number;
  memoryReservedMb: number;
  vcpusCommitted: number;
  memoryCommittedMb: number;
}

function add(sums: Map<string, Sums>, f: Footprint | null): void {
  if (!f) return;
  const s = sums.get(f.host) ?? { cpuReservedMhz: 0, memoryReservedMb: 0, vcpusCommitted: 0, memoryCommittedMb: 0 };
  s.cpuReservedMhz += f.cpuReservationMhz + f.cpuOverheadReservedMhz;
  s.memoryReservedMb += f.memoryReservationMb;
  s.vcpusCommitted += f.vcpus;
  s.memoryCommittedMb += f.memoryMb;
  sums.set(f.host, s);
}

/** Each host's reservations and commitments against the sum over the guests it runs or receives. */
function hostSums(world: World): string[] {
  const sums = new Map<string, Sums>();
  for (const vm of world.list("VirtualMachine") as VmRecord[]) {
    add(sums, currentFootprint(vm));
    add(sums, incomingFootprint(vm));
  }
  for (const c of world.list("Container") as ContainerRecord[]) {
    add(sums, runningFootprint(c));
    if (c.status.migration) add(sums, containerFootprint(c.spec, c.status.migration.toHost, c.status.cluster));
  }
  const problems: string[] = [];
  for (const host of world.list("Host") as HostRecord[]) {
    const expected = sums.get(host.name) ?? { cpuReservedMhz: 0, memoryReservedMb: 0, vcpusCommitted: 0, memoryCommittedMb: 0 };
    for (const field of Object.keys(expected) as (keyof Sums)[]) {
      if (!same(host.status[field], expected[field]))
        problems.push(`host ${host.name}: status.${field} is ${host.status[field]}, but its guests add up to ${expected[field]}`);
    }
  }
  return problems;
}

/** Each VM host's kept usage division against dividing it again among its VMs (vms/vm-usage.ts). */
function hostUsage(world: World): string[] {
  return (world.list("Host") as HostRecord[]).flatMap((host) => keptDivisionProblem(world, host) ?? []);
}

/** Each datastore's used space against its VMs' disks on it (where placed) and the storage migrations it receives. */
function datastoreUsage(world: World): string[] {
  const sums = new Map<string, number>();
  const charge = (ds: string, gb: number) => sums.set(ds, (sums.get(ds) ?? 0) + gb);
  for (const vm of world.list("VirtualMachine") as VmRecord[]) {
    const disks = { spec: placedVmSpec(vm), importedDisks: vm.status.importedDisks };
    disks.spec.disks.forEach((d, i) => d.datastore !== undefined && charge(d.datastore, diskSizeGb(disks, i)));
    if (vm.status.storageMigration) charge(vm.status.storageMigration.toDatastore, vm.status.storageMigration.sizeGb);
  }
  const problems: string[] = [];
  for (const ds of world.list("Datastore") as DatastoreRecord[]) {
    const expected = tidyGb(sums.get(ds.name) ?? 0);
    if (!same(ds.status.usedGb, expected))
      problems.push(`datastore ${ds.name}: status.usedGb is ${ds.status.usedGb}, but its VMs' disks add up to ${expected}`);
  }
  return problems;
}

function timers(world: World): string[] {
  const problems: string[] = [];
  const { timers: pending, clockSeconds, nextTimerSeq } = world.meta;
  pending.forEach((t, i) => {
    const what = `timer ${t.task} of ${t.kind} ${t.name} (seq ${t.seq})`;
    if (!Number.isFinite(t.at) || t.at < clockSeconds) problems.push(`${what} is due at ${t.at}, before the clock (${clockSeconds})`);
    if (t.seq >= nextTimerSeq) problems.push(`${what} has a sequence number not below the next one (${nextTimerSeq})`);
    const prev = pending[i - 1];
    if (prev && (prev.at > t.at || (prev.at === t.at && prev.seq >= t.seq))) problems.push(`${what} is out of order after seq ${prev.seq}`);
  });
  for (const cluster of world.list("Cluster")) {
    const passes = pending.filter((t) => t.task === DRS_PASS_TASK && t.name === cluster.name).length;
    if (passes !== 1) problems.push(`cluster ${cluster.name} has ${passes} periodic DRS passes pending; it needs exactly one`);
  }
  for (const pod of world.list("DatastoreCluster")) {
    const passes = pending.filter((t) => t.task === STORAGE_DRS_PASS_TASK && t.name === pod.name).length;
    if (passes !== 1) problems.push(`datastore cluster ${pod.name} has ${passes} Storage DRS passes pending; it needs exactly one`);
  }
  return problems;
}

export function checkInvariants(world: World): InvariantCheck[] {
  return [
    { name: "specs and numbers", problems: specsAndNumbers(world) },
    { name: "placements", problems: placements(world) },
    { name: "host reservations", problems: hostSums(world) },
    { name: "host usage", problems: hostUsage(world) },
    { name: "datastore usage", problems: datastoreUsage(world) },
    { name: "timers", problems: timers(world) },
  ];
}
