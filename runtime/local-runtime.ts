/** The runtime over a store in this process: validates arguments, runs core commands, copies results out. */
import { z } from "zod";
import { VmSpec } from "../schema/virtual-machine";
import { type Command, checkName, execute } from "./core/commands";
import { parseSpec } from "./core/kinds/common";
import { checkPlainData } from "./plain-input";
import { invalidInput } from "./core/kernel/errors";
import { present, presentVm } from "./core/present";
import { BUILT_IN_TEMPLATES } from "./core/containers/catalog";
import { builtInTemplateObject } from "./core/containers/templates";
import { type HostRecord, type Kind, type RuntimeObject, type VmRecord, compareNames } from "./core/kernel/model";
import { usageFromHost } from "./core/vms/vm-usage";
import type { ApplyMode } from "./core/kinds/common";
import { type HistoryQuery, readHistory } from "./core/history/record";
import { readDiskImages } from "./io/disk-imports";
import type { Store, WriteOptions } from "./store/store";
import type { ObjectInput, Runtime, StateCheck, WhatIfReport } from "./api";
import { settle } from "./settle";
import { type StateDump, dumpWorld, importChanges, parseDump } from "./state-dump";
import { whatIf } from "./core/what-if";
import { checkWhatIfSteps } from "./what-if-steps";
import { checkAdvanceSeconds } from "./core/kernel/timeline";
import { checkInvariants } from "./core/state-invariants";
import { isStateUnusableError } from "./store/state-error";

/** Simulated time one write transaction of an advance covers. */
export const ADVANCE_SLICE_SECONDS = 3600;

const ObjectInputSchema = z.object({
  kind: z.string(),
  name: z.string(),
  spec: z.record(z.string(), z.unknown()),
  generation: z.int().min(1).optional(),
});

const HistoryQuerySchema = z.strictObject({
  cluster: z.string().max(253).optional(),
  fromSeconds: z.number().min(0).optional(),
  toSeconds: z.number().min(0).optional(),
});

const FailHostOptions = z.strictObject({ mode: z.enum(["crash", "isolation"]).default("crash") });
const FailVmOptions = z.strictObject({ mode: z.enum(["heartbeat", "crash"]).default("heartbeat") });

/** Checks an apply's argument before anything else (schemas, disk images, the store) sees it. */
function checkInput(obj: unknown): ObjectInput {
  const o = (obj !== null && typeof obj === "object" ? obj : {}) as { kind?: unknown; name?: unknown };
  const subject = { kind: typeof o.kind === "string" ? o.kind : "object", name: typeof o.name === "string" ? o.name : "(unnamed)" };
  checkPlainData(obj, subject);
  const parsed = ObjectInputSchema.safeParse(obj);
  // The spec as JSON carries it (as it is stored): keys set to undefined dropped, -0 as 0, nothing shared with the caller.
  if (parsed.success) return { ...parsed.data, spec: JSON.parse(JSON.stringify(parsed.data.spec)) } as ObjectInput;
  throw invalidInput(subject, parsed.error, "object");
}

/** A VM's spec is validated before its disk images are read: a bad path never reaches the file system. */
function checkBeforeReading(kind: string, name: string, spec: Record<string, unknown>): void {
  const disks = spec.disks;
  if (kind !== "VirtualMachine" || !Array.isArray(disks) || !disks.some((d) => d !== null && typeof d === "object" && "importFrom" in d))
    return;
  parseSpec("VirtualMachine", checkName(kind, name), VmSpec, spec);
}

export class LocalRuntime implements Runtime {
  constructor(private readonly store: Store) {}

  private run(command: Command, options?: WriteOptions): Promise<RuntimeObject | undefined> {
    return this.store.write((world) => {
      const outcome = execute(world, command);
      return { changes: outcome.changes, result: outcome.object };
    }, options);
  }

  private async applyAs(mode: ApplyMode, obj: ObjectInput): Promise<RuntimeObject> {
    const { kind, name, spec, generation } = checkInput(obj);
    checkBeforeReading(kind, name, spec as Record<string, unknown>);
    const inputs = kind === "VirtualMachine" ? { diskImages: await readDiskImages(name, spec) } : undefined;
    return (await this.run({ type: "apply", kind, name, spec, mode, inputs, generation }))!;
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

  async get(kind: Kind, name: string) {
    // A VM is shown from itself and its host: a store that reads their rows spares a fresh process loading the world.
    if (kind === "VirtualMachine" && this.store.readObjects) {
      const { vm, usage } = await this.store.readObjects((read) => {
        const vm = read(kind, name) as VmRecord | undefined;
        const host = vm?.status.currentHost ? (read("Host", vm.status.currentHost) as HostRecord | undefined) : undefined;
        return { vm, usage: vm && usageFromHost(vm, host) };
      });
      if (!vm) return undefined;
      // Without a division kept on its host (a state from before hosts kept one), the world divides it below.
      if (usage) return presentVm(vm, usage);
    }
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
    if (!parsed.success) throw invalidInput({ kind: "Host", name: String(name) }, parsed.error, "options");
    await this.run({ type: "failHost", name, mode: parsed.data.mode });
  }

  async failVm(name: string, opts: { mode?: "heartbeat" | "crash" } = {}): Promise<void> {
    const parsed = FailVmOptions.safeParse(opts);
    if (!parsed.success) throw invalidInput({ kind: "VirtualMachine", name: String(name).slice(0, 80) }, parsed.error, "options");
    await this.run({ type: "failVm", name, mode: parsed.data.mode });
  }

  async recoverHost(name: string): Promise<void> {
    await this.run({ type: "recoverHost", name });
  }

  /**
   * Commits one simulated hour at a time, releasing the write lock between slices so other writers
   * get in during a long advance; a refused slice leaves the earlier ones committed.
   */
  async advance(seconds: number): Promise<void> {
    checkAdvanceSeconds(seconds);
    let left = seconds;
    do {
      const slice = Math.min(left, ADVANCE_SLICE_SECONDS);
      await this.run({ type: "advance", seconds: slice }, { announce: `advance of ${seconds} s (slice of ${slice} s)` });
      left -= slice;
    } while (left > 0);
  }

  async runDrs(cluster: string, opts: { apply?: boolean } = {}): Promise<RuntimeObject> {
    return (await this.run({ type: "drs", cluster, apply: opts.apply === true }))!;
  }

  async whatIf(steps: unknown[]): Promise<WhatIfReport> {
    const checked = checkWhatIfSteps(steps);
    const inputs = new Map<number, { diskImages: Awaited<ReturnType<typeof readDiskImages>> }>();
    for (const [i, step] of checked.entries()) {
      if (step.type === "apply" && step.kind === "VirtualMachine")
        inputs.set(i, { diskImages: await readDiskImages(step.name, step.spec as Record<string, unknown>) });
    }
    return this.store.read((world) => whatIf(world, checked, inputs));
  }

  events(opts: { sinceSeq?: number } = {}) {
    return this.store.events(opts.sinceSeq ?? 0);
  }

  async exportState(): Promise<StateDump> {
    const events = await this.store.events(0);
    return this.store.read((world) => dumpWorld(world, events));
  }

  async importState(dump: unknown): Promise<void> {
    const parsed = parseDump(dump);
    const eventCount = (await this.store.events(0)).length;
    await this.store.write((world) => ({ changes: importChanges(world, eventCount, parsed), result: undefined }));
  }

  settle(kind: Kind, name: string) {
    return settle(this, kind, name);
  }

  async history(query: HistoryQuery = {}) {
    const parsed = HistoryQuerySchema.safeParse(query);
    if (!parsed.success) throw invalidInput({ kind: "History", name: "query" }, parsed.error, "query");
    return this.store.read((world) => readHistory(world, parsed.data));
  }

  now() {
    return this.store.read((world) => world.meta.clockSeconds);
  }

  async checkState(): Promise<StateCheck> {
    const checks = await this.store.inspect();
    try {
      checks.push({ name: "rows", problems: [] }, ...(await this.store.read(checkInvariants)));
    } catch (e) {
      // A row that cannot be read stops the invariant checks: they need the whole world.
      if (!isStateUnusableError(e)) throw e;
      checks.push({ name: "rows", problems: [e.reason] });
    }
    return { ok: checks.every((c) => c.problems.length === 0), checks };
  }

  close() {
    return this.store.close();
  }
}
