/**
 * Prometheus metrics of a server (prom-client, in a registry of its own): the datacenter's gauges are
 * read from the runtime at each scrape; migrations, HA restarts and admission refusals are counted
 * from the events the server publishes and from the refusals it answers.
 */
import { Counter, Gauge, Histogram, Registry } from "prom-client";
import type { AlarmObject, HostObject, Runtime, RuntimeEvent } from "../api";
import type { ClusterStatus } from "../../schema";
import type { LeadershipStatus } from "./leadership";

const MIGRATION_REASONS = new Set(["Migrated", "DrsMigrated"]);

export class ServerMetrics {
  private readonly registry = new Registry();
  private readonly migrations = new Counter({
    name: "polyvisor_migrations_total",
    help: "Migrations that landed (live, cold, DRS, container moves)",
    registers: [this.registry],
  });
  private readonly haRestarts = new Counter({
    name: "polyvisor_ha_restarts_total",
    help: "Guests HA restarted after a host failure",
    registers: [this.registry],
  });
  private readonly admissionRefusals = new Counter({
    name: "polyvisor_admission_refusals_total",
    help: "Operations and HA restarts refused by admission control",
    registers: [this.registry],
  });
  private readonly requests = new Counter({
    name: "polyvisor_api_requests_total",
    help: "API requests by route and status",
    labelNames: ["method", "route", "status"],
    registers: [this.registry],
  });
  private readonly durations = new Histogram({
    name: "polyvisor_api_request_duration_seconds",
    help: "API request durations by route",
    labelNames: ["method", "route"],
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
    registers: [this.registry],
  });

  constructor(runtime: Runtime) {
    const hostGauge = (name: string, help: string, value: (h: HostObject) => number) =>
      new Gauge({
        name,
        help,
        labelNames: ["host", "cluster"],
        registers: [this.registry],
        collect: async function (this: Gauge) {
          this.reset();
          for (const h of (await runtime.list("Host")) as HostObject[]) this.set({ host: h.name, cluster: h.spec.cluster }, value(h));
        },
      });
    hostGauge("polyvisor_host_cpu_capacity_mhz", "CPU capacity for guests", (h) => h.status.cpuCapacityMhz);
    hostGauge("polyvisor_host_memory_capacity_mb", "Memory capacity for guests", (h) => h.status.memoryCapacityMb);
    hostGauge("polyvisor_host_cpu_reserved_mhz", "CPU reserved by guests", (h) => h.status.cpuReservedMhz);
    hostGauge("polyvisor_host_memory_reserved_mb", "Memory reserved by guests", (h) => h.status.memoryReservedMb);
    hostGauge("polyvisor_host_cpu_used_mhz", "CPU used by guests", (h) => h.status.cpuUsedMhz);
    hostGauge("polyvisor_host_memory_used_mb", "Memory used by guests", (h) => h.status.memoryUsedMb);
    hostGauge("polyvisor_host_guests", "VMs and containers on the host", (h) => h.status.vms.length + (h.status.containers?.length ?? 0));
    const clusterGauge = (name: string, help: string, value: (s: ClusterStatus) => number) =>
      new Gauge({
        name,
        help,
        labelNames: ["cluster"],
        registers: [this.registry],
        collect: async function (this: Gauge) {
          this.reset();
          for (const c of await runtime.list("Cluster")) this.set({ cluster: c.name }, value(c.status as ClusterStatus));
        },
      });
    clusterGauge(
      "polyvisor_cluster_imbalance",
      "DRS imbalance after the last pass (standard deviation of normalized host loads)",
      (s) => s.drs.imbalance,
    );
    clusterGauge(
      "polyvisor_cluster_ha_failover_capacity_hosts",
      "How many hosts can fail with room left to restart every powered-on VM",
      (s) => s.ha.currentFailoverCapacity,
    );
    clusterGauge(
      "polyvisor_cluster_ha_cpu_failover_percent",
      "CPU capacity left unreserved for failover (%)",
      (s) => s.ha.cpuFailoverPercent,
    );
    clusterGauge(
      "polyvisor_cluster_ha_memory_failover_percent",
      "Memory capacity left unreserved for failover (%)",
      (s) => s.ha.memoryFailoverPercent,
    );
    new Gauge({
      name: "polyvisor_alarm_raised",
      help: "1 while the alarm is raised, else 0",
      labelNames: ["alarm", "severity", "metric", "target_kind", "target"],
      registers: [this.registry],
      collect: async function (this: Gauge) {
        this.reset();
        for (const a of (await runtime.list("Alarm")) as AlarmObject[]) {
          this.set(
            {
              alarm: a.name,
              severity: a.spec.severity,
              metric: a.spec.metric,
              target_kind: a.spec.target.kind,
              target: a.spec.target.name,
            },
            a.status.state === "raised" ? 1 : 0,
          );
        }
      },
    });
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  render(): Promise<string> {
    return this.registry.metrics();
  }

  countEvents(events: readonly RuntimeEvent[]): void {
    for (const e of events) {
      if (MIGRATION_REASONS.has(e.reason)) this.migrations.inc();
      else if (e.reason === "HaRestarted") this.haRestarts.inc();
      else if (e.reason === "AdmissionRefused") this.admissionRefusals.inc();
    }
  }

  countRefusal(code: string): void {
    if (code === "AdmissionControl") this.admissionRefusals.inc();
  }

  /** A server sharing its datacenter: whether it leads, the lease's epoch, and its fenced writes. */
  watchLeadership(status: () => LeadershipStatus): void {
    const gauge = (name: string, help: string, value: (s: LeadershipStatus) => number) =>
      new Gauge({
        name,
        help,
        registers: [this.registry],
        collect(this: Gauge) {
          this.set(value(status()));
        },
      });
    gauge("polyvisor_controller_leader", "1 while this server holds the controller lease (drives the clock), else 0", (s) =>
      s.leader ? 1 : 0,
    );
    gauge("polyvisor_controller_lease_epoch", "Epoch of the controller lease as this server last saw it", (s) => s.leaseEpoch);
    new Counter({
      name: "polyvisor_controller_fenced_writes_total",
      help: "Controller writes and lease renewals of this server refused because their epoch was over",
      registers: [this.registry],
      collect(this: Counter) {
        this.reset();
        this.inc(status().fencedWrites);
      },
    });
  }

  observeRequest(method: string, route: string, status: number, seconds: number): void {
    this.requests.inc({ method, route, status: String(status) });
    this.durations.observe({ method, route }, seconds);
  }
}
