/**
 * `polyvisor/provider-impl`: what the dynamic provider's methods run inside Pulumi's provider host.
 * Thin by design: inputs -> spec -> runtime facade -> outputs. The host process lives for one
 * deployment, so one runtime per state file is opened and reused across calls.
 */
import type * as pulumi from "@pulumi/pulumi";
import { Name, SPEC_SCHEMAS, type ManagedKind } from "../schema";
import { type Runtime, defaultStatePath, isPolyvisorError, isStateUnusableError, openRuntime, readDiskImages } from "../runtime";
import type { RuntimeObject } from "../runtime";
import { changeWhenCapacityArrives } from "./concurrency";
import { KIND_TRAITS, OUTPUT_ONLY } from "./kinds";
import { awaitMaintenance, awaitMigration } from "./migrations";
import { judgeUpdateOnFork } from "./preview-refusals";
import { issueField, issuePath } from "../schema/issues";

/** Pulumi's placeholder for a value not known during preview. */
const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
const PROVIDER_KEY = "__provider";

type Props = Record<string, unknown>;

interface ProviderSettings {
  statePath?: string;
  /** A PostgreSQL connection string (`polyvisor:postgres`, POLYVISOR_POSTGRES): a datacenter shared with others. */
  postgres?: string;
  url?: string;
  token?: string;
}

let settings: ProviderSettings = {};
const runtimes = new Map<string, Promise<Runtime>>();

function settingFrom(config: { get(key: string): string | undefined }, key: string, env: string): string | undefined {
  return config.get(`polyvisor:${key}`) || process.env[env] || undefined;
}

export async function configureProvider(req: pulumi.dynamic.ConfigureRequest): Promise<void> {
  settings = {
    statePath: settingFrom(req.config, "statePath", "POLYVISOR_STATE"),
    postgres: settingFrom(req.config, "postgres", "POLYVISOR_POSTGRES"),
    url: settingFrom(req.config, "url", "POLYVISOR_URL"),
    token: settingFrom(req.config, "token", "POLYVISOR_TOKEN"),
  };
}

/** Where the state is: the server's URL, else a state file unless only a PostgreSQL connection string is configured. */
function statePath(): string {
  return settings.url ?? settings.statePath ?? settings.postgres ?? defaultStatePath();
}

/** The runtime of the configured server (the token is a secret: it goes in requests only), state file or database. */
function runtime(): Promise<Runtime> {
  const { url, token } = settings;
  const key = statePath();
  let rt = runtimes.get(key);
  if (!rt) {
    if (url !== undefined) rt = openRuntime({ url, token });
    else rt = openRuntime(settings.statePath === undefined && settings.postgres !== undefined ? { postgres: key } : { path: key });
    runtimes.set(key, rt);
    rt.catch(() => runtimes.delete(key));
  }
  return rt;
}

/** The spec part of a props bag: everything but the name, the outputs and Pulumi's own keys. */
function specOf(props: Props): Props {
  const spec: Props = {};
  for (const [k, v] of Object.entries(props)) {
    if (k !== "name" && k !== PROVIDER_KEY && !(OUTPUT_ONLY as readonly string[]).includes(k) && v !== undefined) spec[k] = v;
  }
  return spec;
}

function containsUnknown(value: unknown): boolean {
  if (value === UNKNOWN) return true;
  if (value !== null && typeof value === "object") return Object.values(value).some(containsUnknown);
  return false;
}

function valueAt(value: unknown, path: readonly PropertyKey[]): unknown {
  return path.reduce<unknown>((v, k) => (v !== null && typeof v === "object" ? (v as Record<PropertyKey, unknown>)[k] : undefined), value);
}

export async function checkResource(kind: ManagedKind, _olds: Props, news: Props) {
  const failures: { property: string; reason: string }[] = [];
  if (news.name !== UNKNOWN) {
    const name = Name.safeParse(news.name);
    if (!name.success) failures.push({ property: "name", reason: name.error.issues[0].message });
  }
  const spec = specOf(news);
  const parsed = SPEC_SCHEMAS[kind].safeParse(spec);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const path = issuePath(issue);
      // During preview an input may still be unknown; it is checked again once known.
      if (path.some((_, i) => containsUnknown(valueAt(spec, path.slice(0, i + 1))))) continue;
      failures.push({ property: issueField(issue, "spec"), reason: issue.message });
    }
  }
  if (kind === "VirtualMachine" && failures.length === 0 && !containsUnknown(spec.disks))
    failures.push(...(await imageFailures(String(news.name), spec)));
  return { inputs: news, failures };
}

/** P2V images that cannot be imported fail preview already, at the disk's `importFrom`. */
async function imageFailures(name: string, spec: Props): Promise<{ property: string; reason: string }[]> {
  try {
    await readDiskImages(name, spec);
    return [];
  } catch (e) {
    if (!isPolyvisorError(e)) throw e;
    return [{ property: e.field ?? "disks", reason: e.message }];
  }
}

/** A spec with defaults filled in, so that `{}` and the defaults it stands for compare equal. */
function normalized(kind: ManagedKind, props: Props): unknown {
  const spec = specOf(props);
  const parsed = SPEC_SCHEMAS[kind].safeParse(spec);
  return parsed.success ? parsed.data : spec;
}

/**
 * The state this stack expected is not there: the file was deleted or replaced since the last
 * `pulumi up` (or the object was deleted outside Pulumi). Saying so beats reporting "no changes"
 * against an empty state and then failing every update with NotFound.
 */
function stateNotThere(kind: ManagedKind, id: string, cause?: string): Error {
  return new Error(
    `${kind} ${id} is not in the Polyvisor state at ${statePath().replace(/\/\/([^:@/]+):[^@/]*@/, "//$1@")}: the state this stack expected is not there ` +
      `(${cause ?? "the file was deleted or replaced, or the object was deleted outside Pulumi"}). ` +
      "Run `pulumi refresh` to drop what is missing from the stack, then `pulumi up` to recreate it.",
  );
}

/** Reads the object through the cached runtime, reopening the state once if its file went away under it. */
async function currentObject(kind: ManagedKind, id: string): Promise<RuntimeObject | undefined> {
  try {
    return await (await runtime()).get(kind, id);
  } catch (e) {
    if (!isStateUnusableError(e)) throw e;
    await forgetRuntime();
    throw stateNotThere(kind, id, e.reason);
  }
}

async function forgetRuntime(): Promise<void> {
  const path = statePath();
  const rt = runtimes.get(path);
  runtimes.delete(path);
  await rt?.then((r) => r.close()).catch(() => undefined);
}

export async function diffResource(kind: ManagedKind, id: string, olds: Props, news: Props) {
  if (!(await currentObject(kind, id))) throw stateNotThere(kind, id);
  const before = normalized(kind, olds) as Props;
  const after = normalized(kind, news) as Props;
  const fields = [...new Set([...Object.keys(before), ...Object.keys(after)])];
  const changed = fields.filter((k) => JSON.stringify(before[k]) !== JSON.stringify(after[k]));
  if (olds.name !== news.name) changed.push("name");
  const replaces = changed.filter((k) => k === "name" || KIND_TRAITS[kind].replaceOnChange.includes(k));
  // An in-place update the runtime would refuse fails here, at preview, with its message.
  if (changed.length > 0 && replaces.length === 0 && !containsUnknown(news)) {
    try {
      await judgeUpdateOnFork(await runtime(), kind, id, specOf(news));
    } catch (e) {
      throw asPulumiError(e);
    }
  }
  // Names are chosen by the user, so the old object must go before its replacement can take the name.
  return { changes: changed.length > 0, replaces, deleteBeforeReplace: replaces.length > 0 };
}

/** Outputs are the inputs plus status (and currentHost), as plain JSON. */
function outputsOf(kind: ManagedKind, inputs: Props, obj: RuntimeObject): Props {
  const outs: Props = { ...specOf(inputs), name: obj.name, status: obj.status };
  if (KIND_TRAITS[kind].exposesCurrentHost) outs.currentHost = (obj.status as { currentHost?: string | null }).currentHost ?? null;
  return JSON.parse(JSON.stringify(outs));
}

function asPulumiError(e: unknown): Error {
  if (!isPolyvisorError(e)) return e as Error;
  // Changed outside this stack since it was last read: refresh reads the change, up applies on top of it.
  const hint = e.code === "Conflict" && e.field === "generation" ? "; run `pulumi refresh`, then `pulumi up`" : "";
  return new Error(`${e.message}${hint}`);
}

/** The generation this stack last read, kept in the outputs' status. */
function lastReadGeneration(olds: Props): number | undefined {
  const generation = (olds.status as { observedGeneration?: unknown } | undefined)?.observedGeneration;
  return typeof generation === "number" ? generation : undefined;
}

export async function createResource(kind: ManagedKind, inputs: Props) {
  try {
    const rt = await runtime();
    const obj = await changeWhenCapacityArrives(() => rt.create({ kind, name: inputs.name as string, spec: specOf(inputs) }));
    return { id: obj.name, outs: outputsOf(kind, inputs, obj) };
  } catch (e) {
    throw asPulumiError(e);
  }
}

export async function updateResource(kind: ManagedKind, id: string, olds: Props, news: Props) {
  try {
    const rt = await runtime();
    const generation = lastReadGeneration(olds);
    if (kind !== "VirtualMachine" && kind !== "Container") {
      const updated = await changeWhenCapacityArrives(() => rt.update({ kind, name: id, spec: specOf(news), generation }));
      const obj = (kind === "Host" ? await awaitMaintenance(rt, id) : undefined) ?? updated;
      return { outs: outputsOf(kind, news, obj) };
    }
    await awaitMigration(rt, kind, id);
    const updated = await changeWhenCapacityArrives(() => rt.update({ kind, name: id, spec: specOf(news), generation }));
    const obj = (await awaitMigration(rt, kind, id)) ?? updated;
    return { outs: outputsOf(kind, news, obj) };
  } catch (e) {
    throw asPulumiError(e);
  }
}

/**
 * Refresh: the spec as the runtime holds it now. Moves made by DRS or HA only change status;
 * a VM pinned to a host but running elsewhere reports that host as its `host`, so the next
 * `pulumi up` shows the broken pin as a change and moves it back.
 */
export async function readResource(kind: ManagedKind, id: string, _props: Props) {
  let obj: RuntimeObject | undefined;
  try {
    obj = await (await runtime()).get(kind, id);
  } catch (e) {
    if (!isStateUnusableError(e)) throw e;
    // The file went away under the cached runtime: refresh reads the state as it is now.
    await forgetRuntime();
    obj = await (await runtime()).get(kind, id);
  }
  if (!obj) return { id: "", props: {} };
  const spec = { ...(obj.spec as Props) };
  // A VM on its way to its pinned host is not a broken pin: it counts as where it is going.
  const status = obj.status as { currentHost?: string | null; migration?: { toHost: string } | null };
  const current = status.migration?.toHost ?? status.currentHost;
  if (typeof spec.host === "string" && typeof current === "string" && current !== spec.host) spec.host = current;
  return { id, props: outputsOf(kind, spec, obj) };
}

export async function deleteResource(kind: ManagedKind, id: string, _props: Props) {
  const rt = await runtime();
  try {
    await rt.delete(kind, id);
  } catch (e) {
    // Already gone (deleted outside Pulumi): the desired end state holds.
    if (isPolyvisorError(e) && e.code === "NotFound") return;
    throw asPulumiError(e);
  }
}
