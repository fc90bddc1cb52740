/**
 * The core's single entry point: a command applied to a read-only world yields the changes to
 * persist and a result, or throws a PolyvisorError and changes nothing.
 */
import { KINDS, Name, isManagedKind } from "../../schema";
import { refuse } from "./errors";
import { type FailureMode, failHost, recoverHost } from "./ha/failures";
import type { ApplyInputs, ApplyMode } from "./kinds/common";
import { HANDLERS } from "./kinds";
import type { Changes, Kind, RuntimeObject, World } from "./model";
import { present } from "./present";
import { advance } from "./timeline";
import { Txn } from "./txn";

export type Command =
  | { type: "apply"; kind: string; name: string; spec: unknown; mode: ApplyMode; inputs?: ApplyInputs }
  | { type: "delete"; kind: string; name: string }
  | { type: "advance"; seconds: number }
  | { type: "failHost"; name: string; mode: FailureMode }
  | { type: "recoverHost"; name: string };

export interface Outcome {
  changes: Changes;
  /** The applied object for apply; undefined otherwise. */
  object?: RuntimeObject;
}

export function managedKind(kind: string, name: string): Kind & keyof typeof HANDLERS {
  if (!isManagedKind(kind)) {
    const known = (KINDS as readonly string[]).includes(kind);
    refuse("InvalidSpec", { kind, name, field: "kind" }, known ? `kind ${kind} is not available in this version` : `unknown kind; expected one of ${Object.keys(HANDLERS).join(", ")}`);
  }
  return kind;
}

export function checkName(kind: string, name: unknown): string {
  const parsed = Name.safeParse(name);
  if (!parsed.success) refuse("InvalidSpec", { kind, name: JSON.stringify(name), field: "name" }, parsed.error.issues[0].message);
  return parsed.data;
}

export function execute(world: World, command: Command): Outcome {
  const txn = new Txn(world);
  switch (command.type) {
    case "apply": {
      const kind = managedKind(command.kind, String(command.name));
      const name = checkName(kind, command.name);
      const object = HANDLERS[kind].apply(txn, name, command.spec, command.mode, command.inputs);
      return { changes: txn.changes(), object: present(txn, object) };
    }
    case "delete": {
      const kind = managedKind(command.kind, String(command.name));
      HANDLERS[kind].delete(txn, checkName(kind, command.name));
      return { changes: txn.changes() };
    }
    case "advance": {
      advance(txn, command.seconds);
      return { changes: txn.changes() };
    }
    case "failHost": {
      failHost(txn, checkName("Host", command.name), command.mode);
      return { changes: txn.changes() };
    }
    case "recoverHost": {
      recoverHost(txn, checkName("Host", command.name));
      return { changes: txn.changes() };
    }
  }
}
