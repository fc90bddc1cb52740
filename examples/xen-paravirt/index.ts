import * as pv from "polyvisor";

/**
 * Xen 3.0, as the six-technologies article describes it: paravirtualized Linux guests (a modified kernel
 * that calls the hypervisor), an unmodified Windows guest in a hardware VM (Intel VT-x), disks on an
 * image file, a partition or a whole device, and live migration. Both hosts mount the NFS datastore, so
 * changing `webHost` below to "xen2" and running `pulumi up` live-migrates the web server: an update,
 * not a replacement, whose pre-copy rounds, data sent and downtime land in `status.lastMigration`.
 */
const webHost = "xen1";

export = async () => {
  const pool = new pv.Cluster("xen-pool", { drs: { enabled: false }, migration: { bandwidthMbps: 1000 } });
  const nfs = new pv.Datastore("nfs-images", { type: "nfs", capacityGb: 500 });

  const hosts = ["xen1", "xen2"].map(
    (name) =>
      new pv.Host(name, {
        cluster: pool.name,
        hypervisor: "xen",
        cpu: { sockets: 2, coresPerSocket: 2, mhz: 3000, vendor: "intel", features: ["vmx", "lm"] },
        memoryMb: 16384,
        datastores: [nfs.name, new pv.Datastore(`${name}-local`, { type: "local", capacityGb: 250 }).name],
      }),
  );

  // A paravirtualized web server: its disk is an image file on NFS, so either host can run it.
  const web = new pv.VirtualMachine(
    "web",
    {
      cluster: pool.name,
      host: webHost,
      vcpus: 2,
      memoryMb: 1024,
      guestOs: "linux",
      virtualization: "paravirtual",
      disks: [{ datastore: "nfs-images", sizeGb: 8, backend: "image", path: "/srv/xen/images/web.img" }],
      // A busy web server rewrites a small hot set of pages (Clark et al.'s writable working set).
      workload: { cpuDemandMhz: 1500, dirtyRateMbps: 300, writableWorkingSetMb: 24, kind: "io" },
    },
    { dependsOn: hosts },
  );

  // A database on a local partition (Xen's phy: backend): it stays on xen1.
  const db = new pv.VirtualMachine(
    "db",
    {
      cluster: pool.name,
      host: "xen1",
      vcpus: 2,
      memoryMb: 2048,
      guestOs: "netbsd",
      guestArch: "x86",
      disks: [{ datastore: "xen1-local", sizeGb: 20, backend: "partition", path: "/dev/sda5" }],
      memory: { reservationMb: 1024 },
    },
    { dependsOn: hosts },
  );

  // Unmodified Windows cannot be paravirtualized: it runs in a hardware VM (HVM) on VT-x.
  const win = new pv.VirtualMachine(
    "win",
    {
      cluster: pool.name,
      vcpus: 1,
      memoryMb: 1024,
      guestOs: "windows",
      disks: [{ datastore: "xen2-local", sizeGb: 16, backend: "device", path: "/dev/sdb" }],
      host: "xen2",
    },
    { dependsOn: hosts },
  );

  return {
    webHost: web.currentHost,
    webMode: web.status.virtualization,
    webLastMigration: web.status.lastMigration,
    dbMode: db.status.virtualization,
    winMode: win.status.virtualization,
  };
};
