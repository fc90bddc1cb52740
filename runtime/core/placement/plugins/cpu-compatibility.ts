import { cpuMigrationObstacles } from "../../cpu/evc";
import type { PlacementPlugin } from "../plugin";

/** A live migration continues the guest on the target's CPU: same vendor, every feature it sees (cpu/evc.ts). */
export const cpuCompatibility: PlacementPlugin = {
  name: "CpuCompatibility",
  appliesTo: (req) => req.guestCpu !== undefined,
  filter(req, host) {
    if (req.guestCpu === undefined) return undefined;
    const why = cpuMigrationObstacles(req.guestCpu, host.spec);
    return why.length === 0 ? undefined : { code: "Incompatible", reason: why.join("; ") };
  },
};
