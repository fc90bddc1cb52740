/** The VM mix the benchmarks share: 1-4 vCPUs, 1-8 GB, 30% Windows, 20% with CPU and 20% with memory reservations. */
import type { VmSpecInput } from "../schema/virtual-machine";
import type { SeededRandom } from "../runtime/core/kernel/random";

export function benchVmSpec(random: SeededRandom): VmSpecInput {
  return {
    cluster: "bench",
    vcpus: 1 + Math.floor(random.next() * 4),
    memoryMb: 1024 * (1 + Math.floor(random.next() * 8)),
    guestOs: random.next() < 0.3 ? "windows" : "linux",
    cpu: { reservationMhz: random.next() < 0.2 ? 500 : 0 },
    memory: { reservationMb: random.next() < 0.2 ? 1024 : 0 },
  };
}
