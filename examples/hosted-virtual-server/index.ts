import * as pulumi from "@pulumi/pulumi";
import * as pv from "polyvisor";

/**
 * Microsoft Virtual Server 2005 R2, hosted on Windows Server: 32-bit guests with one virtual processor
 * each, 32 MB of overhead per VM and a heavy I/O path through the host OS (see each VM's
 * status.overheadCpuPercent). An ISO image is mounted in a VM's CD drive; swapping it is an in-place
 * update. Set `pulumi config set p2vImage ./server.img` to import a physical server's disk, copied
 * with `dd if=/dev/sda of=server.img`, as a new VM (P2V): its size and partitions are read from the file.
 */
export = async () => {
  const config = new pulumi.Config();

  const local = new pv.Datastore("vs1-local", { type: "local", capacityGb: 250 });
  const host = new pv.Host("vs1", {
    hypervisor: "virtualServer",
    cpu: { sockets: 1, coresPerSocket: 2, mhz: 2800, vendor: "intel", features: ["lm"] },
    memoryMb: 8192,
    datastores: [local.name],
  });

  const intranet = new pv.VirtualMachine(
    "intranet",
    {
      host: host.name,
      vcpus: 1,
      memoryMb: 1024,
      guestOs: "windows",
      guestArch: "x86",
      cdrom: "D:/isos/windows-server-2003-r2.iso",
      cpu: { reservationMhz: 500 },
      disks: [{ datastore: local.name, sizeGb: 16 }],
      workload: { cpuDemandMhz: 400, kind: "io" },
    },
    { dependsOn: [host] },
  );

  const build = new pv.VirtualMachine(
    "build",
    {
      host: host.name,
      vcpus: 1,
      memoryMb: 768,
      guestOs: "linux",
      guestArch: "x86",
      disks: [{ datastore: local.name, sizeGb: 10 }],
      workload: { cpuDemandMhz: 1200, kind: "mmu" },
    },
    { dependsOn: [host] },
  );

  const image = config.get("p2vImage");
  const p2v = image
    ? new pv.VirtualMachine(
        "p2v-server",
        {
          host: host.name,
          vcpus: 1,
          memoryMb: 512,
          guestOs: "windows",
          guestArch: "x86",
          disks: [{ datastore: local.name, importFrom: image }],
        },
        { dependsOn: [host] },
      )
    : undefined;

  return {
    intranetOverheadCpuPercent: intranet.status.overheadCpuPercent,
    intranetCdrom: intranet.status.cdrom,
    buildOverheadCpuPercent: build.status.overheadCpuPercent,
    hostCpuReservedMhz: host.status.cpuReservedMhz,
    p2vDisks: p2v ? p2v.status.importedDisks : [],
  };
};
