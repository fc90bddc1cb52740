/**
 * The demo's datacenter beyond the ESX cluster, one technology each: a Xen pair sharing NFS storage
 * with a paravirtual guest live-migrated between them (Clark et al.'s pre-copy), an OpenVZ farm of
 * web containers from one template and consecutive addresses, Solaris zones dividing a processor set
 * by FSS shares, and a Virtual Server 2005 R2 host with 32-bit guests. Alarms watch the ESX cluster.
 */
import type { ContainerObject, ObjectInput, Runtime, VirtualMachineObject } from "../../runtime";
import { table } from "../format";

export const DEMO_ALARMS: ObjectInput[] = [
  {
    kind: "Alarm",
    name: "prod-failover-capacity",
    spec: { target: { kind: "Cluster", name: "prod" }, metric: "haFailoverCapacity", threshold: 2, forSeconds: 30, severity: "critical" },
  },
  {
    kind: "Alarm",
    name: "esx1-cpu",
    spec: { target: { kind: "Host", name: "esx1" }, metric: "hostCpuUsedPercent", threshold: 80, forSeconds: 600 },
  },
];

const xenHost = (name: string): ObjectInput => ({
  kind: "Host",
  name,
  spec: {
    cluster: "xen-pool",
    hypervisor: "xen",
    cpu: { sockets: 2, coresPerSocket: 2, mhz: 3000, vendor: "intel", features: ["vmx", "lm"] },
    memoryMb: 16384,
    datastores: ["nfs-images"],
  },
});

const XEN: ObjectInput[] = [
  { kind: "Cluster", name: "xen-pool", spec: { drs: { enabled: false } } },
  { kind: "Datastore", name: "nfs-images", spec: { type: "nfs", capacityGb: 500 } },
  xenHost("xen1"),
  xenHost("xen2"),
  {
    kind: "VirtualMachine",
    name: "xen-web",
    spec: {
      cluster: "xen-pool",
      host: "xen1",
      vcpus: 2,
      memoryMb: 1024,
      guestOs: "linux",
      virtualization: "paravirtual",
      disks: [{ datastore: "nfs-images", sizeGb: 8, backend: "image", path: "/srv/xen/images/web.img" }],
      workload: { cpuDemandMhz: 1500, dirtyRateMbps: 300, writableWorkingSetMb: 24, kind: "io" },
    },
  },
  {
    kind: "VirtualMachine",
    name: "xen-win",
    spec: {
      cluster: "xen-pool",
      host: "xen2",
      vcpus: 1,
      memoryMb: 1024,
      guestOs: "windows",
      guestArch: "x86",
      disks: [{ datastore: "nfs-images", sizeGb: 16 }],
      workload: { cpuDemandMhz: 800 },
    },
  },
];

const vzHost = (name: string): ObjectInput => ({
  kind: "Host",
  name,
  spec: {
    cluster: "vz",
    hypervisor: "openvz",
    cpu: { sockets: 2, coresPerSocket: 4, mhz: 2400, vendor: "intel", features: ["vmx", "lm"] },
    memoryMb: 32768,
  },
});

const FARM_SIZE = 12;
const OPENVZ: ObjectInput[] = [
  { kind: "Cluster", name: "vz", spec: { ha: { enabled: true } } },
  vzHost("vz1"),
  vzHost("vz2"),
  // The farm: web-1 .. web-12 from one OS template plus Apache, addresses from 10.0.1.1 on.
  ...Array.from({ length: FARM_SIZE }, (_, i) => ({
    kind: "Container" as const,
    name: `web-${i + 1}`,
    spec: {
      cluster: "vz",
      template: "centos-5-x86_64",
      apps: ["apache"],
      ipFrom: `10.0.1.${i + 1}`,
      memoryMb: 512,
      diskGb: 2,
      cpu: { units: i < 4 ? 2000 : 1000 },
      workload: { cpuDemandMhz: 4000, threads: 4 },
    },
  })),
];

const zone = (name: string, shares: number, demand: number, ip: string): ObjectInput => ({
  kind: "Container",
  name,
  spec: {
    host: "t2000",
    template: "solaris-10-x86_64",
    memoryMb: 2048,
    diskGb: 10,
    cpu: { shares },
    workload: { cpuDemandMhz: demand, threads: 8 },
    ipAddresses: [ip],
  },
});

const ZONES: ObjectInput[] = [
  { kind: "Cluster", name: "sol", spec: {} },
  {
    kind: "Host",
    name: "t2000",
    spec: {
      cluster: "sol",
      hypervisor: "zones",
      cpu: { sockets: 1, coresPerSocket: 8, mhz: 2000, vendor: "amd", features: ["svm", "lm"] },
      memoryMb: 32768,
    },
  },
  // Three busy zones share pool_default's 8 CPUs 3:2:1 by FSS shares.
  zone("sol-web", 3, 12000, "192.168.10.11"),
  zone("sol-app", 2, 12000, "192.168.10.12"),
  zone("sol-batch", 1, 12000, "192.168.10.13"),
];

const VIRTUAL_SERVER: ObjectInput[] = [
  { kind: "Datastore", name: "vs1-local", spec: { type: "local", capacityGb: 250 } },
  {
    kind: "Host",
    name: "vs1",
    spec: {
      hypervisor: "virtualServer",
      cpu: { sockets: 1, coresPerSocket: 2, mhz: 2800, vendor: "intel", features: ["lm"] },
      memoryMb: 8192,
      datastores: ["vs1-local"],
    },
  },
  {
    kind: "VirtualMachine",
    name: "intranet",
    spec: {
      host: "vs1",
      vcpus: 1,
      memoryMb: 1024,
      guestOs: "windows",
      guestArch: "x86",
      disks: [{ datastore: "vs1-local", sizeGb: 16 }],
      workload: { cpuDemandMhz: 400, kind: "io" },
    },
  },
  {
    kind: "VirtualMachine",
    name: "build",
    spec: {
      host: "vs1",
      vcpus: 1,
      memoryMb: 512,
      guestOs: "linux",
      guestArch: "x86",
      disks: [{ datastore: "vs1-local", sizeGb: 8 }],
      workload: { cpuDemandMhz: 1200 },
    },
  },
];

const MINUTE = 60;

export async function buildRestOfDatacenter(rt: Runtime, print: (line: string) => void, heading: (text: string) => void): Promise<void> {
  heading("Xen pool: xen-web (paravirtual) live-migrates from xen1 to xen2 over shared NFS");
  for (const obj of XEN) await rt.apply(obj);
  const web = (await rt.get("VirtualMachine", "xen-web")) as VirtualMachineObject;
  await rt.apply({ kind: "VirtualMachine", name: "xen-web", spec: { ...web.spec, host: "xen2" } });
  await rt.advance(2 * MINUTE);
  const moved = (await rt.get("VirtualMachine", "xen-web")) as VirtualMachineObject;
  const m = moved.status.lastMigration;
  print(
    m
      ? `xen-web now on ${moved.status.currentHost}: ${m.rounds} pre-copy rounds, ${m.transferredMb} MB sent, ${m.totalSeconds} s in all, ${m.downtimeMs} ms down (${m.stopReason})`
      : "xen-web has not moved",
  );

  heading(`OpenVZ farm: ${FARM_SIZE} web containers from centos-5-x86_64 + apache, addresses from 10.0.1.1`);
  for (const obj of OPENVZ) await rt.apply(obj);
  await rt.advance(5 * MINUTE);
  const farm = ((await rt.list("Container")) as ContainerObject[]).filter((c) => c.name.startsWith("web-"));
  print(
    table(
      ["CONTAINER", "HOST", "ADDRESS", "CPUUNITS", "CPU MHZ"],
      farm.map((c) => [
        c.name,
        c.status.currentHost ?? "-",
        c.status.ipAddresses.join(","),
        c.spec.cpu.units ?? 1000,
        c.status.cpuEntitlementMhz,
      ]),
    ),
  );

  heading("Solaris zones on t2000: three busy zones share 8 CPUs by FSS shares 3:2:1");
  for (const obj of ZONES) await rt.apply(obj);
  await rt.advance(5 * MINUTE);
  const zones = ((await rt.list("Container")) as ContainerObject[]).filter((c) => c.name.startsWith("sol-"));
  print(
    table(
      ["ZONE", "SHARES", "CPU MHZ"],
      zones.map((z) => [z.name, z.spec.cpu.shares ?? 1, z.status.cpuEntitlementMhz]),
    ),
  );

  heading("Virtual Server 2005 R2 host vs1: 32-bit guests, one vCPU each, hosted overhead");
  for (const obj of VIRTUAL_SERVER) await rt.apply(obj);
  await rt.advance(30 * MINUTE);
  const guests = ((await rt.list("VirtualMachine")) as VirtualMachineObject[]).filter((v) => v.status.currentHost === "vs1");
  print(
    table(
      ["VM", "MODE", "CPU OVERHEAD %", "MEMORY OVERHEAD MB"],
      guests.map((v) => [v.name, v.status.virtualization ?? "-", v.status.overheadCpuPercent, v.status.overheadMemoryMb]),
    ),
  );
}
