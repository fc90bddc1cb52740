/** The runtime over a store in this process: validates arguments, runs core commands, copies results out. */
import { z } from "zod";
import { Command, execute } from "./core/commands";
import { refuse } from "./core/errors";
import { present } from "./core/present";
import { BUILT_IN_TEMPLATES } from "./core/containers/catalog";
import { builtInTemplateObject } from "./core/containers/templates";
import { type Kind, type RuntimeObject, compareNames } from "./core/model";
import type { ApplyMode } from "./core/kinds/common";
import { readDiskImages } from "./io/disk-imports";
import type { Store } from "./store/store";
import type { ObjectInput, Runtime } from "./api";

const ObjectInputSchema = z.object({
  kind: z.string(),
  name: z.string(),
  spec: z.record(z.string(), z.unknown()),
});

const FailHostOptions = z.strictObject({ mode: z.enum(["crash", "isolation"]).default("crash") });
const FailVmOptions = z.strictObject({ mode: z.enum(["heartbeat", "crash"]).default("heartbeat") });

function checkInput(obj: unknown): ObjectInput {
  const parsed = ObjectInputSchema.safeParse(obj);
  if (parsed.success) return parsed.data as ObjectInput;
  const issue = parsed.error.issues[0];
  const o = (obj ?? {}) as { kind?: unknown; name?: unknown };
  refuse("InvalidSpec", { kind: String(o.kind ?? "object"), name: String(o.name ?? "(unnamed)"), field: issue.path.join(".") || "object" }, issue.message);
}

export class LocalRuntime implements Runtime {
  constructor(private readonly store: Store) {}

  private run(command: Command): Promise<RuntimeObject | undefined> {
    return this.store.write((world) => {
      const outcome = execute(world, command);
      return { changes: outcome.changes, result: outcome.object };
    });
  }

  private async applyAs(mode: ApplyMode, obj: ObjectInput): Promise<RuntimeObject> {
    const { kind, name, spec } = checkInput(obj);
    const inputs = kind === "VirtualMachine" ? { diskImages: await readDiskImages(name, spec) } : undefined;
    return (await this.run({ type: "apply", kind, name, spec, mode, inputs }))!;
  }

  apply(obj: ObjectInput) {
    return this.applyAs("upsert", obj);
  }

  create(obj: ObjectInput) {
    return this.applyAs("create", obj);
  }

  update(obj: ObjectInput) {
    return this.applyAs("update", obj);
  }

  get(kind: Kind, name: string) {
    return this.store.read((world) => {
      const obj = world.get(kind, name) ?? (kind === "Template" ? builtInTemplateObject(name) : undefined);
      return obj && present(world, obj);
    });
  }

  /** Built-in templates are listed with the declared ones, unless a declared one replaces them. */
  list(kind: Kind) {
    return this.store.read((world) => {
      const stored = world.list(kind);
      if (kind !== "Template") return stored.map((obj) => present(world, obj));
      const declared = new Set(stored.map((o) => o.name));
      const builtIn = BUILT_IN_TEMPLATES.filter((t) => !declared.has(t.name)).map((t) => builtInTemplateObject(t.name)!);
      return [...stored, ...builtIn].sort((a, b) => compareNames(a.name, b.name)).map((obj) => present(world, obj));
    });
  }

  async delete(kind: Kind, name: string): Promise<void> {
    await this.run({ type: "delete", kind, name });
  }

  async failHost(name: string, opts: { mode?: "crash" | "isolation" } = {}): Promise<void> {
    const parsed = FailHostOptions.safeParse(opts);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      refuse("InvalidSpec", { kind: "Host", name: String(name), field: issue.path.join(".") || "options" }, issue.message);
    }
    await this.run({ type: "failHost", name, mode: parsed.data.mode });
  }

  async failVm(name: string, opts: { mode?: "heartbeat" | "crash" } = {}): Promise<void> {
    const parsed = FailVmOptions.safeParse(opts);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      refuse("InvalidSpec", { kind: "VirtualMachine", name: String(name).slice(0, 80), field: issue.path.join(".") || "options" }, issue.message);
    }
    await this.run({ type: "failVm", name, mode: parsed.data.mode });
  }

  async recoverHost(name: string): Promise<void> {
    await this.run({ type: "recoverHost", name });
  }

  async advance(seconds: number): Promise<void> {
    await this.run({ type: "advance", seconds });
  }

  async runDrs(cluster: string, opts: { apply?: boolean } = {}): Promise<RuntimeObject> {
    return (await this.run({ type: "drs", cluster, apply: opts.apply === true }))!;
  }

  events(opts: { sinceSeq?: number } = {}) {
    return this.store.events(opts.sinceSeq ?? 0);
  }

  now() {
    return this.store.read((world) => world.meta.clockSeconds);
  }

  close() {
    return this.store.close();
  }
}
