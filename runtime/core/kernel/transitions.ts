/**
 * State machines written through one function each (ha/restart-state.ts, vms/vm-migration-state.ts,
 * containers/container-move-state.ts, hosts/host-state.ts): the table of moves each allows, checked
 * on every write.
 */

/** For each state, the states it may become (itself included when a write may keep it). */
export type Transitions<S extends string> = Readonly<Record<S, readonly S[]>>;

/** A move outside the table is a fault of the caller, not of an input: it fails the operation or step. */
export function checkTransition<S extends string>(subject: string, machine: string, table: Transitions<S>, from: S, to: S): void {
  if (!table[from].includes(to)) throw new Error(`${subject}: ${machine} ${from} cannot become ${to}`);
}
