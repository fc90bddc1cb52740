/**
 * Container moves. Sources: Mirkin, Kuznetsov, Kolyshkin, "Containers checkpointing and live
 * migration", Ottawa Linux Symposium 2008, section 4 (the migration steps); OpenVZ User's Guide,
 * "Migrating Containers" (online migration freezes the container for a few seconds); System
 * Administration Guide: Solaris Containers, "Migrating a Non-Global Zone to a Different Machine".
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { CONTAINER_MOVE_DEFAULTS, moveObstacle, planContainerMove } from "../../../runtime/core/migration/container-move-model";

describe("checkpoint/restore (OpenVZ, Virtuozzo)", () => {
  // OLS 2008, section 4: copy the file system while running, then freeze, dump, transfer the image,
  // restore on the target and resume; only the freeze-to-resume part stops the container.
  it("follows the documented phases and stops the container only from freeze to resume", () => {
    const plan = planContainerMove({ technology: "openvz", memoryMb: 256, diskGb: 2, sharedStorage: false });
    expect(plan.kind).toBe("checkpointRestore");
    expect(plan.phases.map((p) => [p.name, p.down])).toEqual([
      ["copyPrivateArea", false],
      ["freeze", true],
      ["dump", true],
      ["transfer", true],
      ["restore", true],
      ["resume", true],
    ]);
    // 2 GB over 1000 Mbit/s; 256 MB image: 0.512 s dump + 2.048 s transfer + 0.512 s restore + 0.2 s freeze/resume.
    expect(plan.phases[0].seconds).toBeCloseTo(16.384, 9);
    expect(plan.downtimeMs).toBeCloseTo(3272, 6);
    expect(plan.totalSeconds).toBeCloseTo(16.384 + 3.272, 9);
    expect(plan.transferredMb).toBe(2048 + 256);
  });

  // User's Guide, "Migrating Containers": the pause of an online migration is a few seconds.
  it("pauses a typical container for a few seconds on gigabit", () => {
    for (const memoryMb of [128, 256, 512]) {
      const { downtimeMs } = planContainerMove({ technology: "virtuozzo", memoryMb, diskGb: 10, sharedStorage: true });
      expect(downtimeMs).toBeGreaterThan(500);
      expect(downtimeMs).toBeLessThan(10_000);
    }
  });

  it("grows its downtime with the image and not with the disk; shared storage skips the copy", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 16, max: 8192 }),
        fc.integer({ min: 1, max: 8192 }),
        fc.integer({ min: 1, max: 500 }),
        (m, extra, disk) => {
          const small = planContainerMove({ technology: "openvz", memoryMb: m, diskGb: disk, sharedStorage: false });
          const big = planContainerMove({ technology: "openvz", memoryMb: m + extra, diskGb: disk, sharedStorage: false });
          const shared = planContainerMove({ technology: "openvz", memoryMb: m, diskGb: disk, sharedStorage: true });
          expect(big.downtimeMs).toBeGreaterThan(small.downtimeMs);
          expect(shared.downtimeMs).toBeCloseTo(small.downtimeMs, 6);
          expect(shared.totalSeconds).toBeLessThan(small.totalSeconds);
          expect(small.totalSeconds * 1000).toBeGreaterThanOrEqual(small.downtimeMs);
        },
      ),
    );
  });

  it("uses the link it is given", () => {
    const slow = planContainerMove(
      { technology: "openvz", memoryMb: 512, diskGb: 1, sharedStorage: true },
      { ...CONTAINER_MOVE_DEFAULTS, bandwidthMbps: 100 },
    );
    expect(slow.phases.find((p) => p.name === "transfer")!.seconds).toBeCloseTo(40.96, 9);
  });
});

describe("detach/attach (Solaris 10 zones)", () => {
  // "Migrating a Non-Global Zone to a Different Machine": halt, detach, move the zonepath, attach, boot;
  // Solaris 10 has no zone checkpoint, so the zone is down throughout.
  it("is down for the whole move", () => {
    const plan = planContainerMove({ technology: "zones", memoryMb: 1024, diskGb: 4, sharedStorage: false });
    expect(plan.kind).toBe("detachAttach");
    expect(plan.phases.every((p) => p.down)).toBe(true);
    expect(plan.downtimeMs).toBeCloseTo(plan.totalSeconds * 1000, 6);
    expect(plan.totalSeconds).toBeCloseTo(10 + (4 * 1024 * 8) / 1000 + 30, 9);
  });
});

describe("technology", () => {
  it("moves a container only between hosts of the same container technology", () => {
    expect(moveObstacle("openvz", "openvz")).toBeUndefined();
    expect(moveObstacle("zones", "zones")).toBeUndefined();
    expect(moveObstacle("openvz", "virtuozzo")).toMatch(/same container technology; openvz and virtuozzo differ/);
    expect(moveObstacle("zones", "openvz")).toBeDefined();
  });
});
