/**
 * The first check on anything a caller hands the runtime, before any schema or I/O: it must be
 * plain JSON data of a sane size. Values a schema cannot describe (BigInt, functions, cycles,
 * class instances, NaN/Infinity), nesting deep enough to exhaust a parser's stack, and keys that
 * reach an object's prototype (`__proto__`, `constructor`, `prototype`) are refused with
 * InvalidSpec naming the field, at every level, so no later step sees them.
 */
import { refuse } from "./core/kernel/errors";
import { clip } from "./core/kernel/preview";

/** Specs nest a few levels; anything deeper is not a spec. */
export const MAX_INPUT_DEPTH = 32;
/** Values (objects, arrays, scalars) in one input. */
export const MAX_INPUT_VALUES = 100_000;
/** Characters in one string; the longest documented field (a path) allows 4096. */
export const MAX_INPUT_STRING_CHARS = 65_536;

const PROTOTYPE_KEYS = new Set(["__proto__", "constructor", "prototype"]);

interface Subject {
  kind: string;
  name: string;
}

function isPlainObject(value: object): boolean {
  const proto = Object.getPrototypeOf(value);
  // Object.prototype of this realm or another one (a vm context), or no prototype at all.
  return proto === null || proto === Object.prototype || Object.getPrototypeOf(proto) === null;
}

/** Refuses with InvalidSpec unless `value` is plain JSON data; `path` is where it sits in the input. */
export function checkPlainData(value: unknown, subject: Subject, path: readonly (string | number)[] = []): void {
  const state = { values: 0, ancestors: new Set<object>() };
  try {
    walk(value, path, subject, state);
  } catch (e) {
    if (e instanceof Error && e.name === "PolyvisorError") throw e;
    // A getter or proxy that throws: the value cannot be read as data.
    refuse("InvalidSpec", { ...subject, field: fieldOf(path) }, "cannot be read as plain JSON data");
  }
}

/** Fields inside an object input's spec are named as spec refusals name them: without the leading `spec`. */
function fieldOf(path: readonly (string | number)[]): string {
  const inSpec = path[0] === "spec" && path.length > 1 ? path.slice(1) : path;
  return inSpec.length ? inSpec.join(".") : "spec";
}

function walk(
  value: unknown,
  path: readonly (string | number)[],
  subject: Subject,
  state: { values: number; ancestors: Set<object> },
): void {
  const field = () => ({ ...subject, field: fieldOf(path) });
  if (++state.values > MAX_INPUT_VALUES) refuse("InvalidSpec", field(), `too large: more than ${MAX_INPUT_VALUES} values in one input`);
  switch (typeof value) {
    case "string":
      if (value.length > MAX_INPUT_STRING_CHARS)
        refuse("InvalidSpec", field(), `string too long: ${value.length} characters, at most ${MAX_INPUT_STRING_CHARS}`);
      return;
    case "number":
      if (!Number.isFinite(value)) refuse("InvalidSpec", field(), `must be a finite number (got ${value})`);
      return;
    case "boolean":
    case "undefined":
      return;
    case "bigint":
      refuse("InvalidSpec", field(), "a BigInt is not JSON data; use a number");
    case "symbol":
    case "function":
      refuse("InvalidSpec", field(), `a ${typeof value} is not JSON data`);
  }
  if (value === null) return;
  const obj = value as object;
  if (path.length >= MAX_INPUT_DEPTH) refuse("InvalidSpec", field(), `nested more than ${MAX_INPUT_DEPTH} levels deep`);
  if (state.ancestors.has(obj)) refuse("InvalidSpec", field(), "refers to itself (a circular value is not JSON data)");
  state.ancestors.add(obj);
  if (Array.isArray(obj)) {
    if (obj.length > MAX_INPUT_VALUES) refuse("InvalidSpec", field(), `too large: ${obj.length} items, at most ${MAX_INPUT_VALUES}`);
    for (let i = 0; i < obj.length; i++) walk(obj[i], [...path, i], subject, state);
  } else {
    if (!isPlainObject(obj))
      refuse("InvalidSpec", field(), `must be plain JSON data, not a ${clip(String(obj.constructor?.name ?? "special"), 40)} object`);
    for (const key of Reflect.ownKeys(obj)) {
      if (typeof key === "symbol") refuse("InvalidSpec", field(), "a symbol key is not JSON data");
      if (PROTOTYPE_KEYS.has(key))
        refuse(
          "InvalidSpec",
          { ...subject, field: fieldOf([...path, key]) },
          `the key ${key} is not allowed (it would reach the object's prototype)`,
        );
      walk((obj as Record<string, unknown>)[key], [...path, key], subject, state);
    }
  }
  state.ancestors.delete(obj);
}
