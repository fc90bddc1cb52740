/**
 * The last check before changes are stored: every number in them is finite. Inputs are bounded by
 * their schemas, so a derived number (a sum, a product, a rate) that still overflows is refused
 * here, naming the object and the field, instead of being stored as JSON null.
 */
import { refuse } from "./errors";
import type { Changes } from "./model";

/** The dotted path of the first non-finite number inside `value`, or undefined when there is none. */
function firstNonFinite(value: unknown): string | undefined {
  if (typeof value === "number") return Number.isFinite(value) ? undefined : "";
  if (value === null || typeof value !== "object") return undefined;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const inner = firstNonFinite(value[i]);
      if (inner !== undefined) return inner ? `${i}.${inner}` : String(i);
    }
    return undefined;
  }
  for (const key in value) {
    const inner = firstNonFinite((value as Record<string, unknown>)[key]);
    if (inner !== undefined) return inner ? `${key}.${inner}` : key;
  }
  return undefined;
}

export function refuseNonFiniteNumbers(changes: Changes): void {
  for (const obj of changes.puts) {
    for (const part of ["spec", "status"] as const) {
      const at = firstNonFinite(obj[part]);
      if (at !== undefined) {
        const field = at ? `${part}.${at}` : part;
        refuse(
          "InvalidSpec",
          { kind: obj.kind, name: obj.name, field },
          "a derived value would not be a finite number; an input is too large for the model",
        );
      }
    }
  }
  if (!Number.isFinite(changes.meta.clockSeconds))
    refuse("InvalidSpec", { kind: "Clock", name: "simulation", field: "seconds" }, "the clock would not be a finite number");
}
