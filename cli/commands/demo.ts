/**
 * `polyvisor demo`: a short incident in a fresh state file. A cluster of three ESX hosts runs ten
 * VMs with workloads, watched by alarms; a fourth host joins and DRS balances onto it; a host
 * crashes and HA restarts its VMs by priority; a power-on is refused with the pool arithmetic; the
 * host comes back and DRS gives it load again. Then the rest of the datacenter (datacenter.ts): a
 * Xen pair with a live migration, an OpenVZ farm, Solaris zones sharing a pool by FSS and a Virtual
 * Server host. Every step prints what the runtime decided and why; the report of it all is written
 * last.
 */
import type { ClusterObject, ObjectInput, Runtime } from "../../runtime";
import { isPolyvisorError } from "../../runtime/api";
import { DEMO_ALARMS, buildRestOfDatacenter } from "./datacenter";
import { renderDrs } from "./drs";
import { eventsDuring, renderEvents } from "./events";
import { renderHaStatus } from "./ha-status";
import { writeReport } from "./report";
import { inventory, renderStatus } from "./status";

const esxHost = (i: number): ObjectInput => ({
  kind: "Host",
  name: `esx${i}`,
  spec: {
    cluster: "prod",
    hypervisor: "esx",
    hypervisorVersion: "4.0",
    cpu: { sockets: 2, coresPerSocket: 8, mhz: 2600, vendor: "intel", features: ["vmx", "ept", "lm"] },
    memoryMb: 65536,
  },
});

const vm = (name: string, pool: string, vcpus: number, memoryMb: number, extra: object = {}): ObjectInput => ({
  kind: "VirtualMachine",
  name,
  spec: { cluster: "prod", pool, vcpus, memoryMb, guestOs: "linux", ...extra },
});

const webVm = (i: number) => vm(`web${i}`, "web", 2, 4096, { workload: { profile: "diurnal", cpuDemandMhz: 3500, activeMemoryMb: 3000 } });

const DEMO_INVENTORY: ObjectInput[] = [
  {
    kind: "Cluster",
    name: "prod",
    // Pre-copy at the link's full rate, as vMotion sends, rather than Xen's 100 Mbit/s first round.
    spec: { drs: { automationLevel: "fullyAutomated" }, ha: { enabled: true }, migration: { firstRoundMbps: 1000, maxRateMbps: 1000 } },
  },
  esxHost(1),
  esxHost(2),
  esxHost(3),
  { kind: "ResourcePool", name: "web", spec: { cluster: "prod", cpu: { shares: "high", reservationMhz: 4000 } } },
  { kind: "ResourcePool", name: "db", spec: { cluster: "prod", memory: { reservationMb: 32768, expandableReservation: false } } },
  vm("db1", "db", 4, 16384, {
    memory: { reservationMb: 8192 },
    haRestartPriority: "high",
    workload: { cpuDemandMhz: 6000, activeMemoryMb: 12000 },
  }),
  vm("db2", "db", 4, 16384, {
    memory: { reservationMb: 8192 },
    haRestartPriority: "high",
    workload: { cpuDemandMhz: 5000, activeMemoryMb: 12000 },
  }),
  ...[1, 2, 3, 4, 5, 6].map(webVm),
  vm("batch1", "web", 4, 8192, { haRestartPriority: "low", workload: { profile: "bursty", cpuDemandMhz: 5000, activeMemoryMb: 6000 } }),
  vm("legacy-nt", "web", 1, 2048, { guestOs: "windows", guestArch: "x86", haRestartPriority: "low", workload: { cpuDemandMhz: 800 } }),
];

const DEMO_NEW_HOST: ObjectInput = esxHost(4);
const DEMO_FAILED_HOST = "esx2";

/** A third database VM: the fixed db pool has no room left for its reservation. */
const DEMO_REFUSED: ObjectInput = vm("db3", "db", 4, 16384, { memory: { reservationMb: 16384 } });

const MINUTE = 60;

/** Runs the demo; with `reportPath`, writes the report there and prints its path. */
export async function runDemo(rt: Runtime, print: (line: string) => void, reportPath?: string): Promise<void> {
  const heading = (text: string) => print(`\n== ${text}\n`);
  const cluster = async () => (await rt.get("Cluster", "prod")) as ClusterObject;

  heading("Cluster prod: 3 ESX 4.0 hosts, pools web and db, 10 VMs with workloads; 5 minutes pass");
  for (const obj of DEMO_INVENTORY) await rt.apply(obj);
  for (const obj of DEMO_ALARMS) await rt.apply(obj);
  await rt.advance(5 * MINUTE);
  print(renderStatus(await inventory(rt)));

  heading(`Host ${DEMO_NEW_HOST.name} joins the cluster; DRS balances at its next pass`);
  await rt.apply(DEMO_NEW_HOST);
  await rt.advance(5 * MINUTE);
  print(renderDrs(await cluster()));
  await rt.advance(10 * MINUTE);

  heading(`Host ${DEMO_FAILED_HOST} crashes; HA restarts its VMs, highest priority first`);
  const incident = await eventsDuring(rt, async () => {
    await rt.failHost(DEMO_FAILED_HOST);
    await rt.advance(3 * MINUTE);
  });
  print(renderEvents(incident));
  print("");
  print(renderHaStatus([await cluster()]) ?? "");

  heading(`Powering on ${DEMO_REFUSED.name} with a 16384 MB reservation in the fixed pool db`);
  try {
    await rt.apply(DEMO_REFUSED);
    print("unexpectedly admitted");
  } catch (e) {
    if (!isPolyvisorError(e)) throw e;
    print(e.message);
  }

  heading(`Host ${DEMO_FAILED_HOST} recovers; DRS gives it load at once`);
  const recovery = await eventsDuring(rt, async () => {
    await rt.recoverHost(DEMO_FAILED_HOST);
    await rt.advance(2 * MINUTE);
  });
  print(renderEvents(recovery.filter((e) => ["HostRecovered", "DrsMigrated", "Migrated"].includes(e.reason))));
  print("");
  print(renderStatus(await inventory(rt)));

  await buildRestOfDatacenter(rt, print, heading);
  if (reportPath !== undefined) {
    heading("Report");
    print(`Report written to ${await writeReport(rt, reportPath)}`);
  }
}
