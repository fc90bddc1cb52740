/**
 * Rows as both stores keep them: an object's spec and status as JSON text, the timers of the state
 * row too. A row that no longer parses is damage to the state, reported naming the row.
 */
import type { Kind, RuntimeObject } from "../core/kernel/model";
import { StateUnusableError } from "./state-error";

export interface ObjectRow {
  kind: Kind;
  name: string;
  spec: string;
  status: string;
  generation: number;
  version: number;
}

/** The JSON of one stored column; `where` names the row and column, `remedy` says how to repair it. */
export function parseStored<T>(location: string, json: string, where: string, remedy: string): T {
  try {
    return JSON.parse(json);
  } catch {
    throw new StateUnusableError(location, `${where} holds damaged JSON`, remedy);
  }
}

/** The object a row of the objects table holds. */
export function objectOfRow(location: string, row: ObjectRow, remedy: string): RuntimeObject {
  const where = `the ${row.kind} ${row.name} (table objects)`;
  return {
    kind: row.kind,
    name: row.name,
    spec: parseStored(location, row.spec, `${where}, column spec`, remedy),
    status: parseStored(location, row.status, `${where}, column status`, remedy),
    generation: row.generation,
  };
}
