import * as pv from "polyvisor";

/**
 * A DRS and HA cluster of three ESX hosts, a resource pool for web workloads and a database VM
 * with a memory reservation. `pulumi up` places the VM; `currentHost` shows where it runs.
 */
export = async () => {
  const cluster = new pv.Cluster("prod", {
    drs: { automationLevel: "fullyAutomated" },
    ha: { enabled: true },
  });

  const hosts = [1, 2, 3].map(
    (i) =>
      new pv.Host(`esx${i}`, {
        cluster: cluster.name,
        hypervisor: "esx",
        cpu: { sockets: 2, coresPerSocket: 8, mhz: 2600, vendor: "intel", features: ["vmx", "ept", "lm"] },
        memoryMb: 65536,
      }),
  );

  // The pool's reservation needs the hosts' capacity: created after them, and deleted before them.
  const web = new pv.ResourcePool("web", { cluster: cluster.name, cpu: { shares: "high", reservationMhz: 4000 } }, { dependsOn: hosts });

  const db = new pv.VirtualMachine(
    "db1",
    {
      cluster: cluster.name,
      pool: web.name,
      vcpus: 4,
      memoryMb: 16384,
      guestOs: "linux",
      memory: { reservationMb: 8192 },
    },
    { dependsOn: hosts },
  );

  return { dbHost: db.currentHost };
};
