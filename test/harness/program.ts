// Runs a Pulumi program in this process under pulumi.runtime.setMocks and hands every resource
// registration to a handler, which plays the engine's part.
import * as pulumi from "@pulumi/pulumi";
import type { MockMonitor } from "@pulumi/pulumi/runtime/mocks";
import { RegisterResourceResponse, type RegisterResourceRequest } from "@pulumi/pulumi/proto/resource_pb";
import { fromStruct, toStruct, waitForRPCs, type OutputInternals, type Props } from "./pulumi-internals";

// A Pulumi program may return nothing at all, as Pulumi's own typings allow.
// biome-ignore lint/suspicious/noConfusingVoidType: void is the return type of a program that exports nothing
export type Program = () => Promise<Record<string, unknown> | void> | Record<string, unknown> | void;

export interface Registration {
  urn: string;
  type: string;
  name: string;
  custom: boolean;
  /** As the engine forwards them to a provider that accepts neither secrets nor resource references. */
  inputs: Props;
  /** The deleteBeforeReplace resource option. */
  deleteBeforeReplace: boolean;
}

export interface Registered {
  id: string;
  outputs: Props;
}

export interface ProgramSettings {
  project: string;
  stack: string;
  preview: boolean;
  config: Record<string, string>;
  register: (registration: Registration) => Promise<Registered>;
}

export interface ProgramResult {
  /** The program's exports as plain values; values still unknown in a preview are undefined. */
  outputs: Record<string, unknown>;
  /** Failures of the program itself; failed registrations are left to the register handler to report. */
  errors: unknown[];
}

// The SDK's wording for a failed registration (also quoted by its dependents): the handler reported its cause.
const REGISTRATION_FAILURE = "failed to register new resource";

// setMocks configures process-wide SDK state, so the runs of every engine in a process take turns.
let previousRun: Promise<unknown> = Promise.resolve();

export function runExclusively<T>(operation: () => Promise<T>): Promise<T> {
  const result = previousRun.then(operation);
  previousRun = result.catch(() => undefined);
  return result;
}

/**
 * Like the language host, gives up on the program at its first unhandled rejection (a failed
 * registration leaves outputs that never resolve), then waits for in-flight registrations.
 * Exports are only resolved for a run without errors, as only then does the engine save them.
 *
 * After a failure the SDK's own count of pending registrations never drains: a resource whose
 * dependency failed never registers, and one whose inputs read that resource's outputs waits for
 * them forever (the real language host exits instead). So once a rejection arrives, only the
 * registrations the engine is executing are awaited.
 */
export async function runProgram(program: Program, settings: ProgramSettings): Promise<ProgramResult> {
  await installMocks(settings);
  const restoreStackTraces = shortenStackTraces();
  try {
    return await evaluate(program);
  } finally {
    restoreStackTraces();
  }
}

async function evaluate(program: Program): Promise<ProgramResult> {
  const rejections = trapUnhandledRejections();
  const errors: unknown[] = [];
  const exported = await Promise.race([Promise.resolve().then(program), rejections.first]).catch((error: unknown) => {
    errors.push(error);
  });
  const failed = await Promise.race([waitForRPCs().then(() => false), rejections.first.then(() => true)]);
  if (failed) await executingDrained();
  errors.push(...(await rejections.release()));
  const programErrors = [...new Set(errors)].filter((error) => !isRegistrationFailure(error));
  if (errors.length > 0) return { outputs: {}, errors: programErrors };
  try {
    return { outputs: await resolveExports(exported ?? {}), errors: [] };
  } catch (error) {
    return { outputs: {}, errors: [error] };
  }
}

export function stackUrn(project: string, stack: string): string {
  return `urn:pulumi:${stack}::${project}::pulumi:pulumi:Stack::${project}-${stack}`;
}

async function installMocks(settings: ProgramSettings): Promise<void> {
  await pulumi.runtime.setMocks(unsupportedCalls, settings.project, settings.stack, settings.preview);
  pulumi.runtime.setAllConfig(settings.config);
  const monitor = pulumi.runtime.getMonitor() as unknown as MockMonitor;
  // Mocks' newResource is told neither the parent (needed for the URN) nor the resource options.
  monitor.registerResource = (request: RegisterResourceRequest, callback) =>
    registerThrough(monitor, request, settings.register).then(
      (response) => callback(null, response),
      (error: unknown) => callback(error, undefined),
    );
}

const unsupportedCalls: pulumi.runtime.Mocks = {
  newResource: (args) => Promise.reject(new Error(`reading existing resources (${args.type}) is not emulated`)),
  call: (args) => Promise.reject(new Error(`invokes (${args.token}) are not emulated`)),
};

/** Registrations the engine is executing: RegisterResource calls the mock monitor has not answered yet. */
const executing = new Set<Promise<unknown>>();

/** Resolves once no registration is executing, including any that the ones finishing let start. */
async function executingDrained(): Promise<void> {
  for (;;) {
    // A registration whose dependencies just settled reaches the monitor once the microtasks have run.
    await new Promise((resolve) => setImmediate(resolve));
    if (executing.size === 0) return;
    await Promise.allSettled([...executing]);
  }
}

function registerThrough(
  monitor: MockMonitor,
  request: RegisterResourceRequest,
  register: ProgramSettings["register"],
): Promise<RegisterResourceResponse> {
  const work = registerNow(monitor, request, register);
  executing.add(work);
  const done = () => executing.delete(work);
  work.then(done, done);
  return work;
}

async function registerNow(
  monitor: MockMonitor,
  request: RegisterResourceRequest,
  register: ProgramSettings["register"],
): Promise<RegisterResourceResponse> {
  const urn = resourceUrn(request.getParent(), request.getType(), request.getName());
  const wireInputs = fromStruct(request.getObject());
  const { id, outputs } = await register({
    urn,
    type: request.getType(),
    name: request.getName(),
    custom: request.getCustom(),
    inputs: withoutSecretsOrReferences(wireInputs) as Props,
    deleteBeforeReplace: request.getDeletebeforereplace(),
  });
  const state = remarkSecrets(outputs, secretKeys(wireInputs));
  monitor.resources.set(urn, { urn, id, state });
  const response = new RegisterResourceResponse();
  response.setUrn(urn);
  response.setId(id);
  response.setObject(toStruct(state));
  return response;
}

/** The URN the mock monitor would give (children's types are qualified by their parent's). */
function resourceUrn(parentUrn: string, type: string, name: string): string {
  const parentType = parentUrn ? parentUrn.split("::")[2].split("$").pop() : undefined;
  const qualifiedType = parentType ? `${parentType}$${type}` : type;
  return `urn:pulumi:${pulumi.getStack()}::${pulumi.getProject()}::${qualifiedType}::${name}`;
}

function isSignature(value: unknown, signature: string): value is Props {
  return typeof value === "object" && value !== null && (value as Props)[pulumi.runtime.specialSigKey] === signature;
}

/** The dynamic provider host accepts neither: the engine sends plain values and ids/URNs instead. */
function withoutSecretsOrReferences(value: unknown): unknown {
  if (isSignature(value, pulumi.runtime.specialSecretSig)) return withoutSecretsOrReferences(value.value);
  if (isSignature(value, pulumi.runtime.specialResourceSig)) return value.id ?? value.urn;
  if (Array.isArray(value)) return value.map(withoutSecretsOrReferences);
  if (typeof value === "object" && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, withoutSecretsOrReferences(item)]));
  }
  return value;
}

function secretKeys(wireInputs: Props): string[] {
  return Object.keys(wireInputs).filter((key) => isSignature(wireInputs[key], pulumi.runtime.specialSecretSig));
}

/** As the engine does, outputs named like secret inputs are secret again. */
function remarkSecrets(outputs: Props, keys: string[]): Props {
  const marked = { ...outputs };
  for (const key of keys.filter((k) => k in outputs)) {
    marked[key] = { [pulumi.runtime.specialSigKey]: pulumi.runtime.specialSecretSig, value: outputs[key] };
  }
  return marked;
}

async function resolveExports(exported: Record<string, unknown>): Promise<Record<string, unknown>> {
  const entries = await Promise.all(Object.entries(exported).map(async ([key, value]) => [key, await plainValue(value)] as const));
  return Object.fromEntries(entries);
}

function plainValue(value: unknown): Promise<unknown> {
  return (pulumi.output(value) as unknown as OutputInternals).promise();
}

function isRegistrationFailure(error: unknown): boolean {
  return error instanceof Error && error.message.includes(REGISTRATION_FAILURE);
}

/**
 * The SDK captures a stack trace for every promise it makes, which under vitest's source-mapped
 * traces costs about 3 ms per resource. Run errors carry messages only, so one frame is enough.
 */
function shortenStackTraces(): () => void {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 1;
  return () => {
    Error.stackTraceLimit = limit;
  };
}

/**
 * The SDK leaves a rejected promise nobody awaits for every failed registration (the real language
 * host reports those as the program's failure), and vitest fails a run on any unhandled rejection.
 * While a program runs, they are collected instead.
 */
function trapUnhandledRejections(): { first: Promise<void>; release(): Promise<unknown[]> } {
  const previousListeners = process.listeners("unhandledRejection");
  const reasons: unknown[] = [];
  let signalFirst!: () => void;
  const first = new Promise<void>((resolve) => (signalFirst = resolve));
  const collect = (reason: unknown) => {
    reasons.push(reason);
    signalFirst();
  };
  process.removeAllListeners("unhandledRejection");
  process.on("unhandledRejection", collect);
  return {
    first,
    async release() {
      // Node reports unhandled rejections once the microtask queue drains: let those pending arrive.
      await new Promise((resolve) => setImmediate(resolve));
      process.off("unhandledRejection", collect);
      for (const listener of previousListeners) process.on("unhandledRejection", listener);
      return reasons;
    },
  };
}
