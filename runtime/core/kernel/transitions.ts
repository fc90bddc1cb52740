/**
 * State machines written through one function each (ha/restart-state.ts, vms/vm-migration-state.ts, vms/storage-migration.ts,
 * containers/container-move-state.ts, hosts/host-state.ts): the table of moves each allows, checked
 * on every write, and the write itself.
 */
import type { RuntimeObject } from "./model";
import type { Txn } from "./txn";

/** For each state, the states it may become (itself included when a write may keep it). */
export type Transitions<S extends string> = Readonly<Record<S, readonly S[]>>;

/** The event a transition emits: the caller's reason and message. */
export interface TransitionEvent {
  reason: string;
  message: string;
}

/** A move outside the table is a fault of the caller, not of an input: it fails the operation or step. */
export function checkTransition<S extends string>(subject: string, machine: string, table: Transitions<S>, from: S, to: S): void {
  if (!table[from].includes(to)) throw new Error(`${subject}: ${machine} ${from} cannot become ${to}`);
}

/**
 * Puts a new version of `record` whose status is `status` (default: its stored one) with `field` set
 * to `to`, then emits `event`: the write a state machine's setter makes once the move is checked.
 */
export function writeTransition<R extends RuntimeObject<unknown, object>, K extends keyof R["status"]>(
  txn: Txn,
  record: R,
  field: K,
  to: R["status"][K],
  event: TransitionEvent | undefined,
  status: R["status"] = record.status,
): R {
  const put = txn.put<R>({ ...record, status: { ...status, [field]: to } });
  if (event) txn.emit(record.kind, record.name, event.reason, event.message);
  return put;
}
