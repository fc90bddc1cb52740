/**
 * `polyvisor demo`: builds a small ESX cluster in a fresh state file, shows where every VM runs
 * and why, and shows one power-on that admission control refuses.
 */
import type { ObjectInput, Runtime } from "../../runtime";
import { isPolyvisorError } from "../../runtime";
import { renderEvents } from "./events";
import { inventory, renderStatus } from "./status";

const esxHost = (i: number): ObjectInput => ({
  kind: "Host",
  name: `esx${i}`,
  spec: {
    cluster: "prod",
    hypervisor: "esx",
    cpu: { sockets: 2, coresPerSocket: 8, mhz: 2600, vendor: "intel", features: ["vmx", "ept", "lm"] },
    memoryMb: 65536,
  },
});

const vm = (name: string, pool: string, vcpus: number, memoryMb: number, extra: object = {}): ObjectInput => ({
  kind: "VirtualMachine",
  name,
  spec: { cluster: "prod", pool, vcpus, memoryMb, guestOs: "linux", ...extra },
});

export const DEMO_INVENTORY: ObjectInput[] = [
  { kind: "Cluster", name: "prod", spec: { drs: { automationLevel: "fullyAutomated" }, ha: { enabled: true } } },
  esxHost(1),
  esxHost(2),
  esxHost(3),
  { kind: "ResourcePool", name: "web", spec: { cluster: "prod", cpu: { shares: "high", reservationMhz: 4000 } } },
  { kind: "ResourcePool", name: "db", spec: { cluster: "prod", memory: { reservationMb: 32768, expandableReservation: false } } },
  vm("db1", "db", 4, 16384, { memory: { reservationMb: 8192 } }),
  vm("db2", "db", 4, 16384, { memory: { reservationMb: 8192 } }),
  vm("web1", "web", 2, 4096, { cpu: { reservationMhz: 1000 } }),
  vm("web2", "web", 2, 4096, { cpu: { reservationMhz: 1000 } }),
  vm("web3", "web", 2, 4096),
  vm("legacy-nt", "web", 1, 2048, { guestOs: "windows", guestArch: "x86" }),
];

/** A third database VM: the fixed db pool has no room left for its reservation. */
export const DEMO_REFUSED: ObjectInput = vm("db3", "db", 4, 16384, { memory: { reservationMb: 16384 } });

export async function runDemo(rt: Runtime, print: (line: string) => void): Promise<void> {
  print("Building cluster prod: 3 ESX hosts, pools web and db, 6 VMs ...");
  for (const obj of DEMO_INVENTORY) await rt.apply(obj);
  print("");
  print(renderStatus(await inventory(rt)));
  print("");
  print(`Powering on ${DEMO_REFUSED.name} with a 16384 MB reservation in the fixed pool db:`);
  try {
    await rt.apply(DEMO_REFUSED);
    print("  unexpectedly admitted");
  } catch (e) {
    if (!isPolyvisorError(e)) throw e;
    print("  " + e.message.split("\n").join("\n  "));
  }
  print("");
  print("Placement decisions:");
  print(renderEvents((await rt.events()).filter((e) => e.reason === "Placed")));
}
