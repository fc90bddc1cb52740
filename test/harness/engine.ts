/**
 * Emulates the Pulumi engine around Pulumi's real dynamic provider host, for tests on machines
 * without the Pulumi CLI.
 *
 *   const engine = await PulumiEngine.start({ projectDir, config: { "polyvisor:statePath": p } });
 *   const result = await engine.up(() => { const vm = new Vm("a", {...}); return { id: vm.id }; });
 *   // also: engine.preview(program), engine.refresh(), engine.destroy(), engine.state
 *   await engine.close();
 *
 * The program runs in this process under pulumi.runtime.setMocks; each dynamic resource
 * (type `pulumi-nodejs:dynamic...`) it registers is checked, diffed, created, updated, replaced or
 * deleted by the host process `node_modules/@pulumi/pulumi/cmd/dynamic-provider` (resolved from
 * `projectDir`, its cwd) over gRPC, and the state is kept between runs.
 *
 * Results:
 * - `rpcs` lists every RPC sent since the previous result (so Configure, sent by `start`, shows in
 *   the first one); `steps` and `errors` are in completion order.
 * - Component resources are kept in `state` with id "" and never reach the host; other
 *   non-dynamic custom resources fail to register.
 * - A program failure that is not a failed registration is reported against the stack's URN.
 * - A preview answers each registration with the checked inputs (output-only properties are
 *   unknown), or the old outputs when nothing changes.
 * - Refresh reports "read" for each refreshed resource and "delete" for one the provider no
 *   longer finds.
 * - Runs of every engine in a process take turns (the mocks are process-wide). While a program
 *   runs, unhandled rejections become the run's errors instead of failing vitest, and
 *   Error.stackTraceLimit is 1 (see program.ts).
 * Unlike the engine, the old half of a create-before-delete replacement is deleted at the end of
 * `up` even when the run had errors, and a resource that failed to delete is simply kept.
 */
import { isDeepStrictEqual } from "node:util";
import { ProviderHost, ResourceInitFailedError, type CheckFailure, type RpcRecord } from "./provider-host";
import { runExclusively, runProgram, stackUrn, type Program, type Registered, type Registration } from "./program";
import type { Props } from "./pulumi-internals";

export type { Program } from "./program";
export type { RpcRecord } from "./provider-host";

export interface EngineOptions {
  /** cwd of the host process: the program folder, whose node_modules resolve the provider package. */
  projectDir: string;
  project?: string;
  stack?: string;
  /** Full keys, e.g. {"polyvisor:statePath": "/tmp/x/state.db"}; sent in Configure and given to the program. */
  config?: Record<string, string>;
  /** Extra environment for the host process. */
  env?: Record<string, string>;
}

export interface StepRecord {
  urn: string;
  op: "create" | "update" | "replace" | "delete" | "same" | "read";
}

export interface RunError {
  urn: string;
  message: string;
  failures?: CheckFailure[];
}

export interface RunResult {
  outputs: Record<string, unknown>;
  steps: StepRecord[];
  rpcs: RpcRecord[];
  errors: RunError[];
}

export interface ResourceState {
  urn: string;
  type: string;
  name: string;
  id: string;
  inputs: Props;
  outputs: Props;
}

type Plan =
  | { op: "create" }
  | { op: "same" | "update"; old: ResourceState }
  | { op: "replace"; old: ResourceState; deleteBeforeReplace: boolean };

const DYNAMIC_TYPE_PREFIX = "pulumi-nodejs:dynamic";

/** What one up, preview, refresh or destroy did. */
class Run {
  readonly steps: StepRecord[] = [];
  readonly errors: RunError[] = [];
  /** Resources as this run registered them, in completion order: dependencies come first. */
  readonly registered = new Map<string, ResourceState>();
  /** Deleted to be replaced: gone from state even if the replacement fails. */
  readonly deletedForReplacement = new Set<string>();
  private readonly claimed = new Set<string>();
  /** Old halves of create-before-delete replacements, deleted once the program is done. */
  readonly superseded: ResourceState[] = [];

  constructor(readonly preview: boolean) {}

  /** False when a resource with this URN was already registered in this run. */
  claim(urn: string): boolean {
    const claimable = !this.claimed.has(urn);
    this.claimed.add(urn);
    return claimable;
  }

  commit(op: StepRecord["op"], resource: ResourceState): Registered {
    this.steps.push({ urn: resource.urn, op });
    this.registered.set(resource.urn, resource);
    return { id: resource.id, outputs: resource.outputs };
  }

  /** Records the failure; the returned error fails the registration, and with it its dependents. */
  fail(urn: string, message: string, failures?: CheckFailure[]): Error {
    this.errors.push(failures ? { urn, message, failures } : { urn, message });
    return new Error(message);
  }

  result(outputs: Record<string, unknown>, rpcs: RpcRecord[]): RunResult {
    return { outputs, steps: this.steps, rpcs, errors: this.errors };
  }
}

export class PulumiEngine {
  private resources = new Map<string, ResourceState>();

  private constructor(
    private readonly host: ProviderHost,
    private readonly rpcLog: RpcRecord[],
    private readonly project: string,
    private readonly stack: string,
    private readonly config: Record<string, string>,
  ) {}

  /** Spawns the host and configures it once. */
  static async start(options: EngineOptions): Promise<PulumiEngine> {
    const project = options.project ?? "project";
    const stack = options.stack ?? "stack";
    const config = options.config ?? {};
    const rpcLog: RpcRecord[] = [];
    const host = await ProviderHost.start({
      cwd: options.projectDir,
      // The host's config.get("key") reads "<project>:key", with the project taken from here.
      // A refused reservation waits for the deployment's other changes (provider/concurrency.ts); on a
      // loaded machine the engine's next change can take longer than the default quiet spell to arrive.
      env: { PULUMI_NODEJS_PROJECT: project, PULUMI_NODEJS_STACK: stack, POLYVISOR_CAPACITY_WAIT_MS: "5000", ...options.env },
      onRpc: (record) => rpcLog.push(record),
    });
    try {
      await host.configure(config);
    } catch (error) {
      await host.close();
      throw error;
    }
    return new PulumiEngine(host, rpcLog, project, stack, config);
  }

  get state(): ReadonlyMap<string, Readonly<ResourceState>> {
    return this.resources;
  }

  up(program: Program): Promise<RunResult> {
    return runExclusively(() => this.deploy(program, new Run(false)));
  }

  /** Check and Diff only: outputs are the checked inputs, and the state does not change. */
  preview(program: Program): Promise<RunResult> {
    return runExclusively(() => this.deploy(program, new Run(true)));
  }

  /** Reads every resource in state. */
  refresh(): Promise<RunResult> {
    return runExclusively(async () => {
      const run = new Run(false);
      const refreshed = await Promise.all([...this.resources.values()].map((resource) => this.read(run, resource)));
      this.resources = byUrn(refreshed.filter((resource) => resource !== undefined));
      return this.finish(run, {});
    });
  }

  /** Deletes every resource in state, the newest first. */
  destroy(): Promise<RunResult> {
    return runExclusively(async () => {
      const run = new Run(false);
      await this.deleteFromState(run, [...this.resources.values()].reverse());
      return this.finish(run, {});
    });
  }

  close(): Promise<void> {
    return this.host.close();
  }

  private async deploy(program: Program, run: Run): Promise<RunResult> {
    const { outputs, errors } = await runProgram(program, {
      project: this.project,
      stack: this.stack,
      preview: run.preview,
      config: this.config,
      register: (registration) => this.register(run, registration),
    });
    for (const error of errors) run.fail(stackUrn(this.project, this.stack), messageOf(error));
    const unregistered = [...this.resources.values()].filter(
      (resource) => !run.registered.has(resource.urn) && !run.deletedForReplacement.has(resource.urn),
    );
    const toDelete = run.errors.length === 0 ? [...unregistered].reverse() : [];
    if (run.preview) {
      for (const resource of toDelete) run.steps.push({ urn: resource.urn, op: "delete" });
    } else {
      this.resources = byUrn([...run.registered.values(), ...unregistered]);
      await this.deleteFromState(run, toDelete);
      for (const resource of [...run.superseded].reverse()) await this.delete(run, resource);
    }
    return this.finish(run, outputs);
  }

  private finish(run: Run, outputs: Record<string, unknown>): RunResult {
    return run.result(outputs, this.rpcLog.splice(0));
  }

  private async register(run: Run, registration: Registration): Promise<Registered> {
    const { urn } = registration;
    if (!run.claim(urn)) throw run.fail(urn, `duplicate resource URN ${urn}`);
    const old = this.resources.get(urn);
    if (!registration.type.startsWith(DYNAMIC_TYPE_PREFIX)) {
      if (registration.custom) throw run.fail(urn, `only dynamic resources are emulated, not ${registration.type}`);
      return run.commit(old ? "same" : "create", stateOf(registration, "", registration.inputs, {}));
    }
    const inputs = await this.check(run, urn, old?.inputs ?? {}, registration.inputs);
    const plan: Plan = old ? await this.plan(run, registration, old, inputs) : { op: "create" };
    return run.preview ? this.planned(run, registration, inputs, plan) : this.apply(run, registration, inputs, plan);
  }

  private async check(run: Run, urn: string, olds: Props, news: Props): Promise<Props> {
    const { inputs, failures } = await this.attempt(run, urn, () => this.host.check(urn, olds, news));
    if (failures.length === 0) return inputs;
    const reasons = failures.map((failure) => `${failure.property}: ${failure.reason}`).join("; ");
    throw run.fail(urn, `check failed: ${reasons}`, failures);
  }

  private async plan(run: Run, registration: Registration, old: ResourceState, inputs: Props): Promise<Plan> {
    const diff = await this.attempt(run, old.urn, () => this.host.diff(old, inputs));
    if (diff.changes === "none") return { op: "same", old };
    if (diff.replaces.length > 0) {
      const deleteBeforeReplace = diff.deleteBeforeReplace || registration.deleteBeforeReplace;
      return { op: "replace", old, deleteBeforeReplace };
    }
    // A provider without an opinion leaves the engine to compare inputs.
    if (diff.changes === "unknown" && isDeepStrictEqual(old.inputs, inputs)) return { op: "same", old };
    return { op: "update", old };
  }

  /** A preview's answer: what is known before Create/Update run. */
  private planned(run: Run, registration: Registration, inputs: Props, plan: Plan): Registered {
    switch (plan.op) {
      case "same":
        return run.commit("same", { ...plan.old, inputs });
      case "update":
        return run.commit("update", stateOf(registration, plan.old.id, inputs, inputs));
      default:
        return run.commit(plan.op, stateOf(registration, "", inputs, inputs));
    }
  }

  private async apply(run: Run, registration: Registration, inputs: Props, plan: Plan): Promise<Registered> {
    switch (plan.op) {
      case "create":
        return this.create(run, registration, inputs, "create");
      case "same":
        return run.commit("same", { ...plan.old, inputs });
      case "update": {
        const { old } = plan;
        const outputs = await this.attemptChange(run, registration, inputs, () => this.host.update(old, inputs));
        return run.commit("update", stateOf(registration, old.id, inputs, outputs));
      }
      case "replace":
        return this.replace(run, registration, plan.old, inputs, plan.deleteBeforeReplace);
    }
  }

  private async replace(
    run: Run,
    registration: Registration,
    old: ResourceState,
    inputs: Props,
    deleteBeforeReplace: boolean,
  ): Promise<Registered> {
    if (!deleteBeforeReplace) {
      const replacement = await this.create(run, registration, inputs, "replace");
      run.superseded.push(old);
      return replacement;
    }
    await this.attempt(run, old.urn, () => this.host.delete(old));
    run.deletedForReplacement.add(old.urn);
    return this.create(run, registration, inputs, "replace");
  }

  private async create(run: Run, registration: Registration, inputs: Props, op: "create" | "replace"): Promise<Registered> {
    const { id, outputs } = await this.attemptChange(run, registration, inputs, () => this.host.create(registration.urn, inputs));
    return run.commit(op, stateOf(registration, id, inputs, outputs));
  }

  /** Runs one RPC, recording its failure against the resource. */
  private async attempt<T>(run: Run, urn: string, rpc: () => Promise<T>): Promise<T> {
    try {
      return await rpc();
    } catch (error) {
      throw run.fail(urn, messageOf(error));
    }
  }

  /**
   * Runs Create or Update. When they fail after the resource came into existence, it stays in
   * state with the properties the provider reported.
   */
  private attemptChange<T>(run: Run, registration: Registration, inputs: Props, rpc: () => Promise<T>): Promise<T> {
    return this.attempt(run, registration.urn, () =>
      rpc().catch((error: unknown) => {
        if (error instanceof ResourceInitFailedError) {
          run.registered.set(registration.urn, stateOf(registration, error.id, inputs, error.outputs));
        }
        throw error;
      }),
    );
  }

  private async read(run: Run, resource: ResourceState): Promise<ResourceState | undefined> {
    if (!resource.type.startsWith(DYNAMIC_TYPE_PREFIX)) return resource;
    try {
      const found = await this.host.read(resource);
      run.steps.push({ urn: resource.urn, op: found.id ? "read" : "delete" });
      if (!found.id) return undefined;
      return { ...resource, id: found.id, outputs: found.outputs, inputs: found.inputs ?? resource.inputs };
    } catch (error) {
      run.fail(resource.urn, messageOf(error));
      return resource;
    }
  }

  /** Deletes one by one, in the given order; a resource that fails to delete stays in state. */
  private async deleteFromState(run: Run, resources: ResourceState[]): Promise<void> {
    for (const resource of resources) {
      if (!(await this.delete(run, resource))) continue;
      run.steps.push({ urn: resource.urn, op: "delete" });
      this.resources.delete(resource.urn);
    }
  }

  private async delete(run: Run, resource: ResourceState): Promise<boolean> {
    if (!resource.type.startsWith(DYNAMIC_TYPE_PREFIX)) return true;
    try {
      await this.host.delete(resource);
      return true;
    } catch (error) {
      run.fail(resource.urn, messageOf(error));
      return false;
    }
  }
}

function stateOf(registration: Registration, id: string, inputs: Props, outputs: Props): ResourceState {
  return { urn: registration.urn, type: registration.type, name: registration.name, id, inputs, outputs };
}

function byUrn(resources: ResourceState[]): Map<string, ResourceState> {
  return new Map(resources.map((resource) => [resource.urn, resource]));
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
