/** `polyvisor/runtime`: open the built-in virtualization runtime. */
import { resolve } from "node:path";
import { z } from "zod";
import type { Runtime, RuntimeOptions } from "./api";
import { PolyvisorError } from "./api";
import { invalidInput } from "./core/kernel/errors";
import { LocalRuntime } from "./local-runtime";
import { SqliteStore } from "./store/sqlite";

export type {
  AlarmObject,
  DatastoreClusterObject,
  ClusterObject,
  DatastoreObject,
  HostObject,
  Kind,
  ObjectInput,
  ResourcePoolObject,
  Runtime,
  RuntimeEvent,
  RuntimeObject,
  RuntimeOptions,
  SettleOutcome,
  StateDump,
  StateCheck,
  VirtualMachineObject,
  ContainerObject,
  TemplateObject,
  WhatIfReport,
  WhatIfStep,
} from "./api";
export { PolyvisorError, isPolyvisorError, type ErrorCode, StateUnusableError, isStateUnusableError } from "./api";
export { managedKind } from "./core/commands";
export { readDiskImages } from "./io/disk-imports";
/** Settling with a step callback, over any Runtime (a CLI shows progress while it waits). */
export { settle as settleWithProgress } from "./settle";

export const DEFAULT_STATE_PATH = ".polyvisor/state.db";

const Options = z.strictObject({
  path: z.string().min(1).optional(),
  url: z.string().min(1).optional(),
  token: z.string().optional(),
  postgres: z.string().min(1).optional(),
  seed: z.int().min(0).max(0xffffffff).optional(),
  create: z.boolean().optional(),
});

/** The state file a runtime opens when no path is given: POLYVISOR_STATE, else ./.polyvisor/state.db. */
export function defaultStatePath(): string {
  return process.env.POLYVISOR_STATE || DEFAULT_STATE_PATH;
}

export async function openRuntime(options: RuntimeOptions = {}): Promise<Runtime> {
  const parsed = Options.safeParse(options);
  if (!parsed.success) throw invalidInput({ kind: "RuntimeOptions", name: "openRuntime" }, parsed.error, "options");
  const opts = parsed.data;
  // A server named in the environment is used when the caller names neither a server, a file nor a database.
  const url = opts.url ?? (opts.path === undefined && opts.postgres === undefined ? process.env.POLYVISOR_URL || undefined : undefined);
  if (url !== undefined) {
    // Loaded only here: the HTTP client and the routes' schemas are no part of a start over a local state.
    const { openRemoteRuntime } = await import("./remote/remote-runtime");
    return openRemoteRuntime(url, opts.token ?? (process.env.POLYVISOR_TOKEN || undefined));
  }
  if (opts.path !== undefined && opts.postgres !== undefined) {
    throw new PolyvisorError(
      "InvalidSpec",
      { kind: "RuntimeOptions", name: "openRuntime", field: "postgres" },
      "give either path (SQLite) or postgres, not both",
    );
  }
  // An explicit path wins; then a PostgreSQL connection string, given or from POLYVISOR_POSTGRES.
  const postgres = opts.path === undefined ? (opts.postgres ?? (process.env.POLYVISOR_POSTGRES || undefined)) : undefined;
  if (postgres !== undefined) {
    // Loaded only here: the pg driver costs every SQLite start (each CLI command, each `pulumi up`) tens of ms.
    const { PostgresStore } = await import("./store/postgres");
    const store = new PostgresStore(postgres, { seed: opts.seed ?? 1 });
    await store.opened();
    return new LocalRuntime(store);
  }
  const path = opts.path ?? defaultStatePath();
  const store = new SqliteStore(path === ":memory:" ? path : resolve(path), { seed: opts.seed ?? 1, create: opts.create });
  return new LocalRuntime(store);
}
