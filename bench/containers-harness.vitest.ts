/**
 * A 1,000-container farm through `pulumi up` as the tests drive it (the program under Pulumi's mocks,
 * every resource through the real dynamic provider host over gRPC), against 1,000 VMs on hosts of the
 * same size in the same run: resources per second.
 */
import { afterAll, it } from "vitest";
import { PulumiEngine, type Program } from "../test/harness/engine";
import { timeUp } from "./harness-timing";
import { programFolder } from "../test/provider/program-loader";

const COUNT = 1000;
const ROUNDS = 2;
const cleanups: (() => Promise<void> | void)[] = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
});

const hosts = (hypervisor: string) => `
  const c = new pv.Cluster("bench", {});
  const hosts = [1, 2, 3, 4].map((i) => new pv.Host("${hypervisor}" + i, { cluster: c.name, hypervisor: "${hypervisor}", memoryMb: 131072,
    cpu: { sockets: 2, coresPerSocket: 4, mhz: 2400, vendor: "intel", features: ["vmx", "ept", "lm"] } }));`;

async function session(source: string): Promise<{ engine: PulumiEngine; program: Program }> {
  const folder = programFolder();
  cleanups.push(() => folder.remove());
  const engine = await PulumiEngine.start({ projectDir: folder.dir, config: { "polyvisor:statePath": folder.statePath } });
  cleanups.push(() => engine.close());
  return { engine, program: folder.load(source) };
}

it(`measures a ${COUNT}-container farm against ${COUNT} VMs per up`, async () => {
  const farm = await session(`
    import * as pv from "polyvisor";
    export = async () => {${hosts("openvz")}
      new pv.ContainerFarm("web", { count: ${COUNT}, cluster: c.name, template: "centos-5-x86_64", startIp: "10.0.0.1", memoryMb: 256, diskGb: 2,
        workload: { cpuDemandMhz: 20, threads: 1 } }, { dependsOn: hosts });
    };`);
  const vms = await session(`
    import * as pv from "polyvisor";
    export = async () => {${hosts("kvm")}
      for (let i = 1; i <= ${COUNT}; i++) {
        new pv.VirtualMachine("vm-" + i, { cluster: c.name, vcpus: 1, memoryMb: 256, guestOs: "linux", memory: { reservationMb: 256 }, workload: { cpuDemandMhz: 20 } }, { dependsOn: hosts });
      }
    };`);
  const farmTimes: number[] = [];
  const vmTimes: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    farmTimes.push(await timeUp(farm.engine, farm.program));
    vmTimes.push(await timeUp(vms.engine, vms.program));
  }
  const farmRate = COUNT / Math.min(...farmTimes);
  const vmRate = COUNT / Math.min(...vmTimes);
  console.log(`\n## A ${COUNT}-container farm through the engine harness (best of ${ROUNDS})`);
  console.log(`ContainerFarm (${COUNT} containers, 4 OpenVZ hosts): ${farmRate.toFixed(0)} containers/s`);
  console.log(`VirtualMachines (${COUNT} VMs, 4 KVM hosts):         ${vmRate.toFixed(0)} VMs/s`);
  console.log(`ratio (containers / VMs): ${(farmRate / vmRate).toFixed(2)}x`);
}, 600_000);
