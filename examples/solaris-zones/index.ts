import * as pv from "polyvisor";

/**
 * One Solaris 10 host with 8 CPUs shared by zones under the fair share scheduler: a resource pool
 * `batch` owns 2 CPUs; `web` (3 shares, with two projects) and `app` (1 share, capped at 0.75 of a CPU)
 * share pool_default; `db` has 2 dedicated CPUs; `legacy` runs CentOS 3 in an lx branded zone.
 * Each zone's `status.cpuEntitlementMhz` shows what it gets now.
 */
export = async () => {
  const cluster = new pv.Cluster("sol", {});

  const host = new pv.Host("t2000", {
    cluster: cluster.name,
    hypervisor: "zones",
    cpu: { sockets: 1, coresPerSocket: 8, mhz: 2000, vendor: "amd", features: ["svm", "lm"] },
    memoryMb: 32768,
    cpuPools: [{ name: "batch", cpus: 2 }],
  });

  const zone = (
    name: string,
    args: Omit<pv.ContainerArgs, "template" | "memoryMb" | "diskGb"> & Partial<Pick<pv.ContainerArgs, "template" | "memoryMb" | "diskGb">>,
  ) =>
    new pv.Container(name, { template: "solaris-10-x86_64", memoryMb: 2048, diskGb: 10, host: host.name, ...args }, { dependsOn: [host] });

  const web = zone("web", {
    cpu: { shares: 3 },
    projects: [
      { name: "frontend", shares: 2, workload: { cpuDemandMhz: 6000, threads: 8 } },
      { name: "reports", shares: 1, workload: { cpuDemandMhz: 6000, threads: 8 } },
    ],
    ipAddresses: ["192.168.10.11"],
  });
  const app = zone("app", {
    cpu: { shares: 1, cappedCpus: 0.75 },
    workload: { cpuDemandMhz: 8000, threads: 8 },
    ipAddresses: ["192.168.10.12"],
  });
  const batch = zone("nightly", { cpu: { pool: "batch" }, workload: { cpuDemandMhz: 8000, threads: 4 }, ipAddresses: ["192.168.10.13"] });
  const db = zone("db", { cpu: { dedicatedCpus: 2 }, workload: { cpuDemandMhz: 3000, threads: 4 }, ipAddresses: ["192.168.10.14"] });
  const legacy = zone("legacy", {
    template: "centos-3-x86",
    memoryMb: 512,
    diskGb: 4,
    workload: { cpuDemandMhz: 500, threads: 1 },
    ipAddresses: ["192.168.10.15"],
  });

  const mhz = (c: pv.Container) => c.status.cpuEntitlementMhz;
  return {
    web: mhz(web),
    webProjects: web.status.projectEntitlementsMhz,
    app: mhz(app),
    nightly: mhz(batch),
    db: mhz(db),
    legacy: mhz(legacy),
    legacyBrand: legacy.status.brand,
  };
};
