/**
 * Moving a running container to another host, and what it costs. A container shares its host's
 * kernel, so it moves only between hosts of the same container technology, and its state is the
 * kernel's view of its processes rather than a machine's memory.
 *
 * OpenVZ/Virtuozzo live migration is checkpoint/restore (Mirkin, Kuznetsov, Kolyshkin, "Containers
 * checkpointing and live migration", Ottawa Linux Symposium 2008, section 4; vzmigrate(8) --online):
 * the private area is copied while the container runs (skipped on shared storage); then the container
 * is frozen, its processes' state dumped to an image, the image transferred and restored on the
 * target, and the container resumed. Freeze to resume is the downtime; the OpenVZ User's Guide
 * ("Migrating Containers") describes it as a delay of a few seconds, and TCP connections survive.
 *
 * Solaris 10 zones have no checkpoint: a zone moves by detach/attach (System Administration Guide:
 * Solaris Containers, "Migrating a Non-Global Zone to a Different Machine"): halt, detach, copy the
 * zonepath (skipped on shared storage), attach, boot. The whole move is downtime.
 *
 * The rates are named parameters, not measurements: the sources give the phases, not their speeds.
 */
import type { Hypervisor } from "../../../schema/host";

export type ContainerTechnology = Extract<Hypervisor, "openvz" | "virtuozzo" | "zones">;
export const CONTAINER_TECHNOLOGIES: readonly ContainerTechnology[] = ["openvz", "virtuozzo", "zones"];

export interface ContainerMoveParams {
  /** The migration link. */
  bandwidthMbps: number;
  /** Stopping every process of the container and blocking its network. */
  freezeMs: number;
  /** Writing the processes' state to an image, and reading it back into the kernel on the target. */
  dumpMbps: number;
  restoreMbps: number;
  /** Unblocking the network and resuming the processes. */
  resumeMs: number;
  /** A zone's halt and boot (detach/attach moves). */
  zoneHaltSeconds: number;
  zoneBootSeconds: number;
}

export const CONTAINER_MOVE_DEFAULTS: ContainerMoveParams = {
  bandwidthMbps: 1000,
  freezeMs: 100,
  dumpMbps: 4000,
  restoreMbps: 4000,
  resumeMs: 100,
  zoneHaltSeconds: 10,
  zoneBootSeconds: 30,
};

export interface ContainerMoveInput {
  technology: ContainerTechnology;
  /** Memory the container's processes hold: the checkpoint image's size. */
  memoryMb: number;
  /** The private area (OpenVZ) or zonepath (zones) to copy when storage is not shared. */
  diskGb: number;
  sharedStorage: boolean;
}

export interface MovePhase {
  name: "copyPrivateArea" | "freeze" | "dump" | "transfer" | "restore" | "resume" | "halt" | "detach" | "copyZonepath" | "attach" | "boot";
  seconds: number;
  /** Whether the container is stopped or frozen during the phase. */
  down: boolean;
}

export interface ContainerMovePlan {
  kind: "checkpointRestore" | "detachAttach";
  phases: MovePhase[];
  totalSeconds: number;
  downtimeMs: number;
  transferredMb: number;
}

/** Whether a container may move between hosts of these technologies (undefined: it may), and why not. */
export function moveObstacle(from: Hypervisor, to: Hypervisor): string | undefined {
  if (from === to) return undefined;
  return `a container moves only between hosts of the same container technology; ${from} and ${to} differ (its state belongs to the ${from} kernel)`;
}

const seconds = (mb: number, mbps: number) => (mb * 8) / mbps;

export function planContainerMove(input: ContainerMoveInput, params: ContainerMoveParams = CONTAINER_MOVE_DEFAULTS): ContainerMovePlan {
  const diskMb = input.sharedStorage ? 0 : input.diskGb * 1024;
  const copy = seconds(diskMb, params.bandwidthMbps);
  const phases: MovePhase[] =
    input.technology === "zones"
      ? [
          { name: "halt", seconds: params.zoneHaltSeconds, down: true },
          { name: "detach", seconds: 0, down: true },
          { name: "copyZonepath", seconds: copy, down: true },
          { name: "attach", seconds: 0, down: true },
          { name: "boot", seconds: params.zoneBootSeconds, down: true },
        ]
      : [
          { name: "copyPrivateArea", seconds: copy, down: false },
          { name: "freeze", seconds: params.freezeMs / 1000, down: true },
          { name: "dump", seconds: seconds(input.memoryMb, params.dumpMbps), down: true },
          { name: "transfer", seconds: seconds(input.memoryMb, params.bandwidthMbps), down: true },
          { name: "restore", seconds: seconds(input.memoryMb, params.restoreMbps), down: true },
          { name: "resume", seconds: params.resumeMs / 1000, down: true },
        ];
  const total = phases.reduce((s, p) => s + p.seconds, 0);
  const down = phases.filter((p) => p.down).reduce((s, p) => s + p.seconds, 0);
  return {
    kind: input.technology === "zones" ? "detachAttach" : "checkpointRestore",
    phases,
    totalSeconds: total,
    downtimeMs: down * 1000,
    transferredMb: diskMb + (input.technology === "zones" ? 0 : input.memoryMb),
  };
}
