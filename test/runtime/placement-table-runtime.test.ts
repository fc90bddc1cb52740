/**
 * The runtime's power-ons among a cluster's hosts go through the host table (eight hosts or more):
 * ties still go to the host whose name sorts first, load still spreads, and the Placed message still
 * counts every feasible host, whatever order the hosts were added in.
 */
import { describe, expect, it } from "vitest";
import { openRuntime } from "../../runtime";
import type { VirtualMachineObject } from "../../runtime";
import { cluster, esxHost, vm } from "../support/fixtures";

describe("placement through the host table in the runtime", () => {
  it("breaks ties by host name, spreads by load and counts the feasible hosts among twelve", async () => {
    const rt = await openRuntime({ path: ":memory:" });
    await rt.apply(cluster("prod"));
    const names = Array.from({ length: 12 }, (_, i) => `esx${String(i + 1).padStart(2, "0")}`);
    // Added out of name order; esx05 is in maintenance.
    for (const h of [...names.slice(6), ...names.slice(0, 6)].reverse()) {
      await rt.apply(esxHost(h, "prod", h === "esx05" ? { maintenance: true } : {}));
    }
    const placedOn: string[] = [];
    for (let n = 0; n < 12; n++) {
      await rt.apply(vm(`v${n}`));
      placedOn.push(((await rt.get("VirtualMachine", `v${n}`)) as VirtualMachineObject).status.currentHost!);
    }
    const open = names.filter((h) => h !== "esx05");
    expect(placedOn).toEqual([...open, "esx01"]);
    const placed = (await rt.events()).filter((e) => e.reason === "Placed").map((e) => e.message);
    expect(placed).toHaveLength(12);
    for (const message of placed) expect(message).toMatch(/; 11 of 12 hosts feasible$/);
    await rt.close();
  });
});
