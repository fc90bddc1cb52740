/**
 * The apply every kind shares: parse the spec, read the stored object, guard create against update,
 * resolve the references checked even for an unchanged spec, return the stored object unchanged when
 * the spec is the same (no write, no event), and otherwise hand the kind the change with its next
 * generation. The kind supplies only what differs: its references, its checks and writes, and the
 * sentence its Created event says.
 */
import type { z } from "zod";
import type { Kind, RuntimeObject } from "../kernel/model";
import type { Txn } from "../kernel/txn";
import { type ApplyInputs, type KindHandler, describeChanges, guardMode, parseSpec, sameSpec } from "./common";

/** A changed spec, as the skeleton hands it to the kind's `write`. */
export interface SpecChange<S, R extends RuntimeObject, Refs> {
  name: string;
  spec: S;
  /** The stored version, or undefined when the object is created. */
  existing: R | undefined;
  /** The generation the new version carries. */
  generation: number;
  refs: Refs;
  inputs: ApplyInputs | undefined;
  /**
   * Emits Created with `created` for a new object, or Updated listing the changed fields, at the
   * point where the kind's events place it (after the moves an evacuation starts, before a power-on).
   */
  announce(created: string): void;
}

export interface KindDefinition<S, R extends RuntimeObject<S>, Refs> {
  kind: Kind;
  schema: z.ZodType<S>;
  /** References checked on every apply, an unchanged spec included; what they resolve to is handed to `write`. */
  resolve?(txn: Txn, name: string, spec: S): Refs;
  /** Checks the change, puts the new version and does the kind's work; calls `announce` once. */
  write(txn: Txn, change: SpecChange<S, R, Refs>): void;
  delete(txn: Txn, name: string): void;
}

export function defineKind<S, R extends RuntimeObject<S>, Refs = undefined>(def: KindDefinition<S, R, Refs>): KindHandler {
  const { kind } = def;
  return {
    apply(txn, name, raw, mode, inputs) {
      const spec = parseSpec(kind, name, def.schema, raw);
      const existing = txn.get<R>(kind, name);
      guardMode(kind, name, existing, mode);
      const refs = def.resolve ? def.resolve(txn, name, spec) : (undefined as Refs);
      if (existing && sameSpec(existing.spec, spec)) return existing;
      const announce = (created: string) => {
        if (existing) txn.emit(kind, name, "Updated", describeChanges(existing.spec, spec).join("; "));
        else txn.emit(kind, name, "Created", created);
      };
      const generation = existing ? existing.generation + 1 : 1;
      def.write(txn, { name, spec, existing, generation, refs, inputs, announce });
      return txn.get<R>(kind, name)!;
    },
    delete: def.delete,
  };
}
