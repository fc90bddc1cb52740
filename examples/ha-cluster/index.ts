import * as pv from "polyvisor";

/**
 * Three ESX hosts on one NFS datastore in an HA cluster that must survive one host failure (slot
 * policy). Each VM reserves 16 GB: a 64 GB host holds 3 slots, so 9 slots less the 3 of the host
 * that may fail leave room for 6 VMs; a 7th would be refused by admission control.
 * Try: `polyvisor host fail esx2`, `polyvisor sim advance 5m`, then `pulumi refresh`.
 */
export = async () => {
  const cluster = new pv.Cluster("prod", {
    ha: { enabled: true, restartPriority: "medium", admissionControl: { policy: "slotPolicy", hostFailuresToTolerate: 1 } },
  });
  const san = new pv.Datastore("san", { type: "nfs", capacityGb: 4000 });

  const hosts = [1, 2, 3].map(
    (i) =>
      new pv.Host(`esx${i}`, {
        cluster: cluster.name,
        hypervisor: "esx",
        cpu: { sockets: 2, coresPerSocket: 8, mhz: 2600, vendor: "intel", features: ["vmx", "ept", "lm"] },
        memoryMb: 65536,
        datastores: [san.name],
      }),
  );

  const vmCount = 6;
  const vms = Array.from(
    { length: vmCount },
    (_, i) =>
      new pv.VirtualMachine(
        `app${i + 1}`,
        {
          cluster: cluster.name,
          vcpus: 2,
          memoryMb: 16384,
          guestOs: "linux",
          memory: { reservationMb: 16384 },
          haRestartPriority: i === 0 ? "high" : undefined,
          disks: [{ datastore: san.name, sizeGb: 100 }],
        },
        { dependsOn: hosts },
      ),
  );

  return { placement: Object.fromEntries(vms.map((vm, i) => [`app${i + 1}`, vm.currentHost])) };
};
