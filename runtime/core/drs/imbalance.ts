/**
 * Cluster imbalance as DRS measures it (Gulati et al., "VMware Distributed Resource Management:
 * Design, Implementation, and Lessons Learned", VMware Technical Journal 2012):
 * - normalized entitlement of host h for resource r: N(h,r) = sum of the entitlements of its VMs / capacity;
 * - per resource, the POPULATION standard deviation of N(h,r) over the connected hosts;
 * - cluster imbalance = sqrt(sigma_cpu^2 + sigma_memory^2), i.e. sigma itself when one resource is even.
 * Sums of N and N^2 are kept per resource, so the imbalance after a candidate move costs O(1).
 */

const R = 2; // resources: 0 = cpu, 1 = memory

export class LoadState {
  private readonly capacity: Float64Array;
  private readonly load: Float64Array;
  private readonly sum = new Float64Array(R);
  private readonly sumSquares = new Float64Array(R);

  /** Per host: capacity and entitled load, CPU then memory. */
  constructor(hosts: readonly { cpuCapacity: number; memoryCapacity: number; cpuLoad: number; memoryLoad: number }[]) {
    this.capacity = new Float64Array(hosts.length * R);
    this.load = new Float64Array(hosts.length * R);
    hosts.forEach((h, i) => {
      this.capacity[i * R] = h.cpuCapacity;
      this.capacity[i * R + 1] = h.memoryCapacity;
      this.load[i * R] = h.cpuLoad;
      this.load[i * R + 1] = h.memoryLoad;
    });
    this.recount();
  }

  get hosts(): number {
    return this.capacity.length / R;
  }

  normalized(host: number, r: 0 | 1): number {
    return this.load[host * R + r] / this.capacity[host * R + r];
  }

  /** N(h,r) if `amount` more (negative: less) of resource r were on the host. */
  normalizedIf(host: number, r: 0 | 1, amount: number): number {
    return (this.load[host * R + r] + amount) / this.capacity[host * R + r];
  }

  /** max over resources of N(h,r): the host's utilization of what it can give. */
  utilization(host: number): number {
    return Math.max(this.normalized(host, 0), this.normalized(host, 1));
  }

  mean(r: 0 | 1): number {
    return this.hosts === 0 ? 0 : this.sum[r] / this.hosts;
  }

  /** Population standard deviation of N(h, r). */
  sigma(r: 0 | 1): number {
    return Math.sqrt(this.variance(this.sum[r], this.sumSquares[r]));
  }

  imbalance(): number {
    return Math.sqrt(this.variance(this.sum[0], this.sumSquares[0]) + this.variance(this.sum[1], this.sumSquares[1]));
  }

  /** The imbalance if `cpu`/`memory` of entitled load moved from host `from` to host `to`. */
  imbalanceIf(from: number, to: number, cpu: number, memory: number): number {
    let total = 0;
    for (let r = 0; r < R; r++) {
      const amount = r === 0 ? cpu : memory;
      const a = this.load[from * R + r] / this.capacity[from * R + r];
      const b = this.load[to * R + r] / this.capacity[to * R + r];
      const a2 = (this.load[from * R + r] - amount) / this.capacity[from * R + r];
      const b2 = (this.load[to * R + r] + amount) / this.capacity[to * R + r];
      total += this.variance(this.sum[r] - a - b + a2 + b2, this.sumSquares[r] - a * a - b * b + a2 * a2 + b2 * b2);
    }
    return Math.sqrt(total);
  }

  /** The imbalance if host `host` had `cpu`/`memory` more (negative: less) entitled load. */
  imbalanceIfAdded(host: number, cpu: number, memory: number): number {
    let total = 0;
    for (let r = 0; r < R; r++) {
      const amount = r === 0 ? cpu : memory;
      const a = this.load[host * R + r] / this.capacity[host * R + r];
      const a2 = (this.load[host * R + r] + amount) / this.capacity[host * R + r];
      total += this.variance(this.sum[r] - a + a2, this.sumSquares[r] - a * a + a2 * a2);
    }
    return Math.sqrt(total);
  }

  /**
   * The lowest summed variance (the imbalance squared) that moving entitled load from host `a` to
   * host `b` could reach, with the CPU amount anywhere in `cpu` and the memory amount anywhere in
   * `memory` ([lowest, highest]; negative amounts go from b to a, as in a swap). Per resource the
   * variance is a convex quadratic in the amount t, current + B t + A t^2, so its least value over the
   * range is at -B / 2A clamped into it: a bound for every move and swap whose amounts lie in the
   * ranges. With equal capacities and free amounts it is the published bound: no move closes more
   * than g^2 / 4 of a gap g.
   */
  lowestVarianceBetween(a: number, b: number, cpu: readonly [number, number], memory: readonly [number, number]): number {
    const n = this.hosts;
    let total = 0;
    for (let r = 0; r < R; r++) {
      const [lowest, highest] = r === 0 ? cpu : memory;
      const p = 1 / this.capacity[a * R + r];
      const q = 1 / this.capacity[b * R + r];
      const na = this.load[a * R + r] * p;
      const nb = this.load[b * R + r] * q;
      const mean = this.sum[r] / n;
      const quadratic = (p * p + q * q) / n - ((q - p) * (q - p)) / (n * n);
      const linear = (2 * (nb * q - na * p)) / n - (2 * mean * (q - p)) / n;
      const free = quadratic > 0 ? -linear / (2 * quadratic) : linear > 0 ? lowest : highest;
      const t = Math.min(highest, Math.max(lowest, free));
      total += this.sumSquares[r] / n - mean * mean + linear * t + quadratic * t * t;
    }
    return Math.max(0, total);
  }

  move(from: number, to: number, cpu: number, memory: number): void {
    this.load[from * R] -= cpu;
    this.load[from * R + 1] -= memory;
    this.load[to * R] += cpu;
    this.load[to * R + 1] += memory;
    this.recount();
  }

  /** Sums recomputed from the loads after each applied move, so float error never accumulates. */
  private recount(): void {
    this.sum.fill(0);
    this.sumSquares.fill(0);
    for (let h = 0; h < this.hosts; h++) {
      for (let r = 0; r < R; r++) {
        const n = this.load[h * R + r] / this.capacity[h * R + r];
        this.sum[r] += n;
        this.sumSquares[r] += n * n;
      }
    }
  }

  private variance(sum: number, sumSquares: number): number {
    const n = this.hosts;
    if (n === 0) return 0;
    const mean = sum / n;
    return Math.max(0, sumSquares / n - mean * mean);
  }
}

/**
 * The priority of a load-balancing move at this imbalance, from the published form
 * 6 - ceil(imbalance / 0.1 * sqrt(hosts)), kept within 2..5: priority 1 is for mandatory moves.
 */
export function balancePriority(imbalance: number, hosts: number): number {
  return Math.min(5, Math.max(2, 6 - Math.ceil((imbalance / 0.1) * Math.sqrt(hosts))));
}

/**
 * The imbalance a migration threshold tolerates: a move is applied when its priority <= threshold,
 * i.e. when imbalance > (5 - threshold) * 0.1 / sqrt(hosts). Threshold 1 applies mandatory moves only.
 * Source: priority = 6 - ceil(imbalance / 0.1 * sqrt(hosts)) (VMware KB "Calculating the priority level
 * of a VMware DRS migration recommendation", quoted by vbrownbag.com 2010); levels per vSphere Resource
 * Management 6.0/6.7, "DRS Migration Threshold". Over 3 hosts: 2 -> 0.1732, 3 -> 0.1155, 4 -> 0.0577,
 * 5 -> 0 (every improvement).
 */
export function targetImbalance(threshold: number, hosts: number): number {
  return ((5 - threshold) * 0.1) / Math.sqrt(Math.max(1, hosts));
}

/** Imbalance figures as messages and status show them: four decimals, the same digits in both. */
export function formatImbalance(n: number): string {
  return n.toFixed(4);
}

export function roundImbalance(n: number): number {
  return Number(n.toFixed(4));
}
