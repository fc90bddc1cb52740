/**
 * Containers against VMs on the same hardware, through the runtime facade on a SQLite state file:
 * - density: how many 128 MB guests one host of 64 GB takes with no memory overcommit (containers hold
 *   their limit plus the kernel-sharing overhead; VMs reserve their memory plus the hypervisor's
 *   per-VM overhead: KVM's paging structures, and ESX 3.0's table), and what an apply costs at a
 *   fixed density of 250 guests per host;
 * - throughput: a 1,000-container farm (members asking for consecutive addresses from one start
 *   address) applied one by one on four OpenVZ hosts, against 1,000 VMs on four KVM hosts of the same
 *   size in the same run.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Runtime, openRuntime } from "../runtime";
import { formatIpv4, parseIpv4 } from "../schema/ipv4";
import { fmt, header, nowUs, percentile } from "./stats";

const FARM = 1000;
const DENSITY_MB = 128;

function host(name: string, hypervisor: "openvz" | "kvm" | "esx", memoryMb: number) {
  return {
    kind: "Host" as const,
    name,
    spec: {
      cluster: "bench",
      hypervisor,
      cpu: { sockets: 2, coresPerSocket: 4, mhz: 2400, vendor: "intel", features: ["vmx", "ept", "lm"] },
      memoryMb,
    },
  };
}

const container = (i: number, memoryMb: number) => ({
  kind: "Container" as const,
  name: `web-${i + 1}`,
  // As ContainerFarm asks: member i from the start address + i.
  spec: {
    cluster: "bench",
    template: "centos-5-x86_64",
    memoryMb,
    diskGb: 2,
    ipFrom: formatIpv4(parseIpv4("10.0.0.1") + i),
    workload: { cpuDemandMhz: 20, threads: 1 },
  },
});
const vm = (i: number, memoryMb: number) => ({
  kind: "VirtualMachine" as const,
  name: `vm-${i + 1}`,
  spec: { cluster: "bench", vcpus: 1, memoryMb, guestOs: "linux", memory: { reservationMb: memoryMb }, workload: { cpuDemandMhz: 20 } },
});

async function withRuntime<T>(dir: string, file: string, run: (rt: Runtime) => Promise<T>): Promise<T> {
  const rt = await openRuntime({ path: join(dir, file) });
  try {
    await rt.apply({ kind: "Cluster", name: "bench", spec: {} });
    return await run(rt);
  } finally {
    await rt.close();
  }
}

/** Applies guests until the host refuses one; returns how many fit and the latency of each apply. */
async function fill(
  rt: Runtime,
  make: (i: number) => { kind: "Container" | "VirtualMachine"; name: string; spec: object },
): Promise<{ count: number; latenciesUs: number[] }> {
  const latenciesUs: number[] = [];
  for (let i = 0; ; i++) {
    const start = nowUs();
    try {
      await rt.apply(make(i));
    } catch (e) {
      if ((e as { code?: string }).code !== "InsufficientCapacity") throw e;
      return { count: i, latenciesUs };
    }
    latenciesUs.push(nowUs() - start);
  }
}

async function farmRate(
  rt: Runtime,
  make: (i: number) => { kind: "Container" | "VirtualMachine"; name: string; spec: object },
): Promise<number> {
  const start = nowUs();
  for (let i = 0; i < FARM; i++) await rt.apply(make(i));
  return FARM / ((nowUs() - start) / 1e6);
}

export async function benchContainers(): Promise<Record<string, number>> {
  const dir = mkdtempSync(join(tmpdir(), "polyvisor-bench-"));
  try {
    header(`Guests per host: ${DENSITY_MB} MB each on one host of 64 GB, no memory overcommit`);
    const ct = await withRuntime(dir, "density-ct.db", async (rt) => {
      await rt.apply(host("vz1", "openvz", 65536));
      return fill(rt, (i) => container(i, DENSITY_MB));
    });
    const vms = await withRuntime(dir, "density-vm.db", async (rt) => {
      await rt.apply(host("kvm1", "kvm", 65536));
      return fill(rt, (i) => vm(i, DENSITY_MB));
    });
    const esx = await withRuntime(dir, "density-esx.db", async (rt) => {
      await rt.apply(host("esx1", "esx", 65536));
      return fill(rt, (i) => vm(i, DENSITY_MB));
    });
    // The apply that brings the host to 250 guests, and its neighbours: the cost at a fixed density.
    const at250 = (l: number[]) => percentile(l.slice(225, 275), 50);
    console.log(`containers (OpenVZ): ${ct.count} per host; median apply at 225-275 per host ${fmt(at250(ct.latenciesUs))} µs`);
    console.log(`VMs (KVM, reserved): ${vms.count} per host; median apply at 225-275 per host ${fmt(at250(vms.latenciesUs))} µs`);
    console.log(`VMs (ESX 3.0, reserved): ${esx.count} per host; median apply at 225-275 per host ${fmt(at250(esx.latenciesUs))} µs`);
    console.log(
      `density ratio (containers / KVM VMs): ${fmt(ct.count / vms.count, 2)}x; (containers / ESX 3.0 VMs): ${fmt(ct.count / esx.count, 2)}x`,
    );

    header(`Apply throughput: a ${FARM.toLocaleString("en-US")}-container farm on 4 hosts, against ${FARM.toLocaleString("en-US")} VMs`);
    const ctRate = await withRuntime(dir, "farm-ct.db", async (rt) => {
      for (let h = 1; h <= 4; h++) await rt.apply(host(`vz${h}`, "openvz", 131072));
      return farmRate(rt, (i) => container(i, 256));
    });
    const vmRate = await withRuntime(dir, "farm-vm.db", async (rt) => {
      for (let h = 1; h <= 4; h++) await rt.apply(host(`kvm${h}`, "kvm", 131072));
      return farmRate(rt, (i) => vm(i, 256));
    });
    console.log(`containers: ${fmt(ctRate, 0)} applies/s`);
    console.log(`VMs:        ${fmt(vmRate, 0)} applies/s`);
    console.log(`ratio (containers / VMs): ${fmt(ctRate / vmRate, 2)}x`);
    return {
      containersPerHost: ct.count,
      vmsPerHost: vms.count,
      esxVmsPerHost: esx.count,
      containerAppliesPerSecond: ctRate,
      vmAppliesPerSecond: vmRate,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
