/**
 * The OpenVZ/Virtuozzo fair CPU scheduler on the shared allocation engine. `cpuunits` is a weight
 * among the host's running containers: a container is guaranteed cpuunits / (sum of cpuunits) of the
 * host, and what the others leave idle goes to those that want more. `cpulimit` is a hard cap in
 * percent of one CPU (two CPUs = 200%), `cpus` the CPUs the container sees; neither lets a
 * container past the threads it can run at once (OpenVZ User's Guide, "Managing CPU Share" and
 * "Configuring Number of CPUs Inside Container"; vzctl(8): --cpuunits, --cpulimit, --cpus).
 */
import { type Claim, divide } from "../allocation/divide";

export interface CpuHost {
  cpus: number;
  mhz: number;
}

export interface OpenVzContainer {
  name: string;
  units: number;
  limitPercent?: number;
  cpus?: number;
  demandMhz: number;
  threads?: number;
}

/** The container's claim: weight cpuunits, capped by cpulimit, visible CPUs, threads and the host. */
export function openVzClaim(host: CpuHost, c: OpenVzContainer): Claim {
  const parallelism = Math.min(host.cpus, c.cpus ?? host.cpus, c.threads ?? host.cpus);
  const cap = Math.min(parallelism * host.mhz, c.limitPercent === undefined ? Infinity : (c.limitPercent / 100) * host.mhz);
  return { shares: c.units, reservation: 0, limit: cap, demand: c.demandMhz };
}

/** What each running container gets now (MHz, unrounded), by name. */
export function openVzEntitlements(host: CpuHost, containers: readonly OpenVzContainer[]): Map<string, number> {
  const got = divide(
    host.cpus * host.mhz,
    containers.map((c) => openVzClaim(host, c)),
  );
  return new Map(containers.map((c, i) => [c.name, got[i]]));
}

/** The guaranteed minimum: the container's cpuunits over the sum of the running containers' cpuunits. */
export function guaranteedMhz(host: CpuHost, units: number, allUnits: readonly number[]): number {
  const total = allUnits.reduce((s, u) => s + u, 0);
  return total === 0 ? 0 : (host.cpus * host.mhz * units) / total;
}
