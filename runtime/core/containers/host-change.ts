/** A changed host must still suit the containers running on it: their kernel, memory and processor sets. */
import type { HostSpec } from "../../../schema/host";
import { refuse } from "../kernel/errors";
import type { ContainerRecord, HostRecord } from "../kernel/model";
import type { Txn } from "../kernel/txn";
import { judgeHost, memoryNeedMb } from "./placement";
import { findTemplate } from "./templates";

export function checkRunningContainers(txn: Txn, name: string, spec: HostSpec): void {
  const running = txn.relatedObjects<ContainerRecord>("containersOnHost", name);
  if (running.length === 0) return;
  const before = txn.get<HostRecord>("Host", name)!;
  const held = running.reduce((sum, c) => sum + memoryNeedMb(c.spec), 0);
  // The host as it would be, with none of its containers' memory held: each is judged with the others in.
  const changed: HostRecord = {
    ...before,
    spec,
    status: {
      ...before.status,
      state: "connected",
      memoryCapacityMb: spec.memoryMb,
      memoryReservedMb: before.status.memoryReservedMb - held,
    },
  };
  const broken = running.flatMap((c) => {
    const v = judgeHost(txn, changed, { name: c.name, spec: c.spec, template: findTemplate(txn, c.spec.template)! }, true);
    return v.ok ? [] : [`${c.name}: ${v.reason}`];
  });
  if (broken.length > 0)
    refuse("Incompatible", { kind: "Host", name }, "the change would leave running containers unable to run here", broken);
  if (held > spec.memoryMb)
    refuse(
      "InsufficientCapacity",
      { kind: "Host", name, field: "memoryMb" },
      `running containers hold ${held} MB; the new capacity is ${spec.memoryMb} MB`,
    );
}
