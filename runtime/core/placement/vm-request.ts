/**
 * The placement request for a VM of the world: its footprint and the constraints of the DRS rules
 * that name it. Every placement decision (power-on, maintenance evacuation, HA restart) builds its
 * request here so that mandatory rules hold whoever places the VM.
 */
import type { VmSpec } from "../../../schema/virtual-machine";
import { NO_RULES, constraintsFor } from "../rules/constraints";
import { locateIn, rulesNaming } from "../rules/lookup";
import type { Txn } from "../txn";
import { footprintOf } from "../vm-resources";
import { type PlacementRequest, placementRequest } from "./framework";

export function vmPlacementRequest(txn: Txn, name: string, spec: VmSpec, cluster: string | null): PlacementRequest {
  const rules = cluster === null ? NO_RULES : constraintsFor(rulesNaming(txn, cluster, name), name, locateIn(txn));
  return placementRequest(name, spec, footprintOf(spec, "", cluster), rules);
}
