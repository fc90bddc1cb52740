/**
 * Container: an OS-level virtual environment sharing its host's kernel (OpenVZ/Virtuozzo containers,
 * Solaris zones), created from an OS template, placed on a host whose kernel suits it, holding its
 * IP addresses for life. The pieces live in runtime/core/containers/; this handler puts them in order.
 */
import { ContainerSpec, type ContainerStatus } from "../../../schema/container";
import { chargeFootprint, refreshCluster } from "../allocation/accounting";
import { enforceContainerHaAdmission } from "../ha/admission-check";
import { assignAddresses } from "../containers/addresses";
import { restartContainers } from "../ha/container-restarts";
import { demandMhz } from "../containers/host-scheduler";
import { abortContainerMove, moveContainer, releaseContainer } from "../containers/container-moves";
import { containerOverheadMemoryMb } from "../containers/container-overhead";
import { type ContainerRequest, judgeHost, placeContainer, refusePlacement } from "../containers/placement";
import { containerFootprint } from "../containers/resources";
import { containerTemplates } from "../containers/templates";
import { refuse } from "../kernel/errors";
import type { ClusterRecord, ContainerRecord, HostRecord, TemplateRecord } from "../kernel/model";
import type { Txn } from "../kernel/txn";
import { describeChanges, requireExisting, requireReference } from "./common";
import { defineKind } from "./define-kind";
import { nextContainerRestart } from "../ha/restart-state";

const at = (name: string, field: string) => ({ kind: "Container" as const, name, field });

function initialStatus(cluster: string | null): ContainerStatus {
  return {
    observedGeneration: 0,
    cluster,
    currentHost: null,
    state: "stopped",
    brand: null,
    ipAddresses: [],
    cpuDemandMhz: 0,
    cpuEntitlementMhz: 0,
    projectEntitlementsMhz: {},
    overheadMemoryMb: 0,
    migrations: 0,
    lastMigration: null,
    migration: null,
    haRestart: null,
  };
}

interface ContainerRefs {
  cluster: string | null;
  pinned: HostRecord | null;
}

/** Checks the references and works out the container's cluster and pinned host. */
function resolveRefs(txn: Txn, name: string, spec: ContainerSpec): ContainerRefs {
  if (spec.cluster !== undefined) requireReference<ClusterRecord>(txn, at(name, "cluster"), "Cluster", spec.cluster);
  const pinned = spec.host === undefined ? null : requireReference<HostRecord>(txn, at(name, "host"), "Host", spec.host);
  if (pinned && spec.cluster !== undefined && pinned.spec.cluster !== spec.cluster) {
    refuse(
      "InvalidSpec",
      at(name, "host"),
      `host ${pinned.name} is ${pinned.spec.cluster ? `in cluster ${pinned.spec.cluster}` : "standalone"}, not in cluster ${spec.cluster}`,
    );
  }
  return { cluster: spec.cluster ?? pinned?.spec.cluster ?? null, pinned };
}

/**
 * Where the running container is after this change: it stays on its host if it still fits there, moves
 * live if its pin now names another host, and is placed among its candidates when it starts.
 */
function locate(
  txn: Txn,
  req: ContainerRequest,
  refs: { cluster: string | null; pinned: HostRecord | null },
  status: ContainerStatus,
  current: string | null,
): ContainerStatus {
  if (current !== null) {
    const here = txn.get<HostRecord>("Host", current)!;
    if (refs.pinned && refs.pinned.name !== current) {
      // It runs on at its source, held there until the move lands.
      chargeFootprint(txn, containerFootprint(req.spec, current, refs.cluster), 1);
      return moveContainer(txn, req, status, here, refs.pinned);
    }
    if (here.spec.cluster !== (refs.cluster ?? undefined))
      refuse(
        "Conflict",
        at(req.name, "cluster"),
        `the container runs on ${current}, which is not in cluster ${refs.cluster}; stop it to move it`,
      );
    const verdict = judgeHost(txn, here, req, true);
    if (!verdict.ok)
      refuse(
        verdict.code,
        at(req.name, "spec"),
        `the change does not fit ${current}, where the container runs: ${verdict.reason}; stop it to place it again`,
      );
    chargeFootprint(txn, containerFootprint(req.spec, current, refs.cluster), 1);
    return { ...status, brand: verdict.brand };
  }
  const candidates = refs.pinned
    ? [refs.pinned]
    : refs.cluster === null
      ? []
      : txn.relatedObjects<HostRecord>("hostsInCluster", refs.cluster);
  if (candidates.length === 0)
    refuse("InsufficientCapacity", at(req.name, "cluster"), `cluster ${refs.cluster} has no hosts to run the container`);
  const result = placeContainer(txn, req, candidates);
  if (!result.placed)
    refusePlacement(
      req,
      refs.pinned ? "host" : "template",
      result.rejections,
      `no host can run the container (${candidates.length} considered)`,
    );
  chargeFootprint(txn, containerFootprint(req.spec, result.host.name, refs.cluster), 1);
  const free = Math.round(result.freeAfter * 1000) / 10;
  txn.emit(
    "Container",
    req.name,
    "Placed",
    `placed on ${result.host.name} (${result.host.spec.hypervisor}${result.brand === "lx" ? ", lx branded zone" : ""}): ${free}% of its memory left unreserved, the most of the hosts that can run template ${req.template.name}`,
  );
  txn.emit(
    "Container",
    req.name,
    "PoweredOn",
    `started with ${req.spec.memoryMb} MB memory limit (+${containerOverheadMemoryMb(req.spec.memoryMb)} MB overhead) and ${req.spec.diskGb} GB disk quota`,
  );
  return {
    ...status,
    currentHost: result.host.name,
    brand: result.brand,
    haRestart: nextContainerRestart(req.name, status.haRestart, null),
  };
}

export const containerHandler = defineKind<ContainerSpec, ContainerRecord, ContainerRefs & { os: TemplateRecord }>({
  kind: "Container",
  schema: ContainerSpec,
  resolve: (txn, name, spec) => ({ ...resolveRefs(txn, name, spec), os: containerTemplates(txn, name, spec).os }),
  write(txn, { name, spec, existing, generation, refs, announce }) {
    const { os } = refs;
    const inFlight = existing?.status.migration;
    if (inFlight) {
      refuse(
        "Conflict",
        at(name, "spec"),
        `a ${inFlight.kind} move from ${inFlight.fromHost} to ${inFlight.toHost} is in progress until t=${inFlight.completesAtSeconds.toFixed(1)} s; let it finish (advance the clock) before changing the container`,
      );
    }

    const current = existing?.status.currentHost ?? null;
    if (existing && current !== null && spec.host !== undefined && spec.host !== current && spec.state === "running") {
      // The source keeps running the container until the move lands: it moves as it is.
      const others = describeChanges({ ...existing.spec, host: spec.host }, spec);
      if (others.length > 0)
        refuse(
          "Conflict",
          at(name, "host"),
          `a move to ${spec.host} carries the container as it runs on ${current}; change host alone first, then ${others.join("; ")}`,
        );
    }
    if (existing) releaseContainer(txn, existing);
    const ipAddresses = assignAddresses(txn, name, spec, existing);
    let status: ContainerStatus = {
      ...(existing?.status ?? initialStatus(refs.cluster)),
      observedGeneration: generation,
      cluster: refs.cluster,
      ipAddresses,
      cpuDemandMhz: demandMhz(spec),
      overheadMemoryMb: containerOverheadMemoryMb(spec.memoryMb),
    };
    announce(
      `from template ${os.name}${spec.apps.length ? ` with ${spec.apps.join(", ")}` : ""}, ${spec.memoryMb} MB, ${spec.diskGb} GB${ipAddresses.length ? `, addresses ${ipAddresses.join(", ")}` : ""}${refs.cluster ? ` in cluster ${refs.cluster}` : ""}`,
    );

    if (spec.state === "running" && status.haRestart === null) {
      status = { ...locate(txn, { name, spec, template: os }, refs, status, current), state: "running" };
    } else {
      if (current !== null) txn.emit("Container", name, "PoweredOff", `stopped on ${current}`);
      status = {
        ...status,
        state: "stopped",
        currentHost: null,
        brand: null,
        cpuEntitlementMhz: 0,
        projectEntitlementsMhz: {},
        haRestart: nextContainerRestart(name, status.haRestart, spec.state === "running" ? status.haRestart : null),
      };
    }
    const applied = txn.put<ContainerRecord>({ kind: "Container", name, spec, status, generation });
    enforceContainerHaAdmission(txn, existing, applied);
    for (const c of new Set([existing?.status.cluster ?? null, refs.cluster])) if (c !== null) refreshCluster(txn, c);
  },

  delete(txn, name) {
    const c = abortContainerMove(txn, name, "the container is being deleted") ?? requireExisting<ContainerRecord>(txn, "Container", name);
    releaseContainer(txn, c);
    if (c.status.currentHost !== null) txn.emit("Container", name, "PoweredOff", `stopped on ${c.status.currentHost}`);
    txn.remove("Container", name);
    txn.emit(
      "Container",
      name,
      "Deleted",
      `container deleted${c.status.ipAddresses.length ? `; addresses ${c.status.ipAddresses.join(", ")} released` : ""}`,
    );
    if (c.status.cluster !== null) {
      refreshCluster(txn, c.status.cluster);
      restartContainers(txn, c.status.cluster);
    }
  },
});
