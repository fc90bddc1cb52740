/**
 * The core's single entry point: a command applied to a read-only world yields the changes to
 * persist and a result, or throws a PolyvisorError and changes nothing.
 */
import { Name, isManagedKind } from "../../schema";
import { runDrsPass } from "./drs/pass";
import { refuseNonFiniteNumbers } from "./kernel/finite-numbers";
import { invalidInput, refuse } from "./kernel/errors";
import { preview } from "./kernel/preview";
import { type FailureMode, failHost, recoverHost } from "./host-lifecycle";
import { type GuestFailure, failVm } from "./ha/vm-monitoring";
import { type ApplyInputs, type ApplyMode, guardGeneration, requireExisting } from "./kinds/common";
import { HANDLERS } from "./kinds";
import type { Changes, ClusterRecord, Kind, RuntimeObject, World } from "./kernel/model";
import { present } from "./present";
import { settle } from "./settle";
import { RUNTIME_TIMELINE } from "./timer-handlers";
import { advance } from "./kernel/timeline";
import { Txn } from "./kernel/txn";

export type Command =
  /** `generation`: the one the caller last read; the apply is refused unless it is still the stored one. */
  | { type: "apply"; kind: string; name: string; spec: unknown; mode: ApplyMode; inputs?: ApplyInputs; generation?: number }
  | { type: "delete"; kind: string; name: string }
  | { type: "advance"; seconds: number }
  | { type: "failHost"; name: string; mode: FailureMode }
  | { type: "recoverHost"; name: string }
  | { type: "failVm"; name: string; mode: GuestFailure }
  /** A DRS pass now; `apply` applies the moves whatever the automation level (an operator approving recommendations). */
  | { type: "drs"; cluster: string; apply: boolean };

export interface Outcome {
  changes: Changes;
  /** The applied object for apply, the cluster for a DRS pass; undefined otherwise. */
  object?: RuntimeObject;
}

export function managedKind(kind: string, name: string): Kind & keyof typeof HANDLERS {
  if (!isManagedKind(kind))
    refuse("InvalidSpec", { kind, name, field: "kind" }, `unknown kind; expected one of ${Object.keys(HANDLERS).join(", ")}`);
  return kind;
}

export function checkName(kind: string, name: unknown): string {
  const parsed = Name.safeParse(name);
  if (!parsed.success) throw invalidInput({ kind, name: preview(name) }, parsed.error, "name");
  return parsed.data;
}

export function execute(world: World, command: Command): Outcome {
  const txn = new Txn(world);
  const object = executeIn(txn, command);
  const changes = txn.changes();
  refuseNonFiniteNumbers(changes);
  // The object as the step left it: settling may have refreshed its usage.
  return { changes, object: object && present(txn, txn.get(object.kind, object.name) ?? object) };
}

/** One step on an operation's working copy: the command, then the end of its step (what-if runs several in one). */
export function executeIn(txn: Txn, command: Command): RuntimeObject | undefined {
  const object = run(txn, command);
  settle(txn);
  return object;
}

/** Carries out the command; returns the object an apply (or a DRS pass, its cluster) shows. */
function run(txn: Txn, command: Command): RuntimeObject | undefined {
  switch (command.type) {
    case "apply": {
      const kind = managedKind(command.kind, String(command.name));
      const name = checkName(kind, command.name);
      guardGeneration(kind, name, txn.get(kind, name), command.generation);
      return HANDLERS[kind].apply(txn, name, command.spec, command.mode, command.inputs);
    }
    case "delete": {
      const kind = managedKind(command.kind, String(command.name));
      HANDLERS[kind].delete(txn, checkName(kind, command.name));
      return undefined;
    }
    case "advance":
      advance(txn, command.seconds, RUNTIME_TIMELINE);
      return undefined;
    case "failHost":
      failHost(txn, checkName("Host", command.name), command.mode);
      return undefined;
    case "recoverHost":
      recoverHost(txn, checkName("Host", command.name));
      return undefined;
    case "failVm":
      failVm(txn, checkName("VirtualMachine", command.name), command.mode);
      return undefined;
    case "drs": {
      const cluster = requireExisting<ClusterRecord>(txn, "Cluster", checkName("Cluster", command.cluster));
      runDrsPass(txn, cluster.name, { applyRecommendations: command.apply });
      return cluster;
    }
  }
}
