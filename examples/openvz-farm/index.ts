import * as pv from "polyvisor";

/**
 * Twenty web containers from one OS template and a start address, in one declaration, as Virtuozzo
 * promised: the farm spreads them over two OpenVZ hosts, gives them consecutive addresses from
 * 10.0.1.1, and HA restarts them elsewhere if a host fails. Change `count` to grow or shrink the farm;
 * the members that stay keep their containers and addresses.
 */
export = async () => {
  const cluster = new pv.Cluster("vz", { ha: { enabled: true } });

  const hosts = [1, 2].map(
    (i) =>
      new pv.Host(`vz${i}`, {
        cluster: cluster.name,
        hypervisor: "openvz",
        cpu: { sockets: 2, coresPerSocket: 4, mhz: 2400, vendor: "intel", features: ["vmx", "lm"] },
        memoryMb: 131072,
      }),
  );

  const web = new pv.ContainerFarm(
    "web",
    {
      count: 20,
      cluster: cluster.name,
      template: "centos-5-x86_64",
      apps: ["apache", "php"],
      startIp: "10.0.1.1",
      memoryMb: 256,
      diskGb: 2,
      cpu: { units: 1000, limitPercent: 100 },
      workload: { cpuDemandMhz: 200, threads: 4 },
    },
    { dependsOn: hosts },
  );

  const db = new pv.Container(
    "db",
    {
      cluster: cluster.name,
      template: "centos-5-x86_64",
      apps: ["mysql"],
      ipAddresses: ["10.0.2.1"],
      memoryMb: 2048,
      diskGb: 20,
      cpu: { units: 4000 },
      workload: { cpuDemandMhz: 4000, threads: 8 },
      haRestartPriority: "high",
    },
    { dependsOn: hosts },
  );

  return { webAddresses: web.addresses, webHosts: web.hosts, dbHost: db.currentHost, dbCpuMhz: db.status.cpuEntitlementMhz };
};
