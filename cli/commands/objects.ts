/** `polyvisor apply|get|describe|delete`: objects of every kind, as kubectl does for its resources. */
import type { Runtime, RuntimeObject } from "../../runtime";
import { isPolyvisorError } from "../../runtime/api";
import { type Cli, examples } from "../context";
import { AlreadyReported, EXIT_REFUSED, describeError } from "../errors";
import { table } from "../format";
import { KIND_COLUMNS, parseKind } from "../kinds";
import { type ManifestEntry, parseManifest, readInput } from "../manifest";
import { getOrRefuse } from "../operation";
import { print, toJson, toYaml } from "../output";
import { UsageError } from "../usage-error";
import { renderEvents } from "./events";

type Outcome = "created" | "configured" | "unchanged" | "refused";

interface ApplyResult {
  kind: string;
  name: string;
  outcome: Outcome;
  object?: RuntimeObject;
  error?: Record<string, unknown>;
}

/**
 * Applies each entry in order; a refusal is reported and the others still go ahead. With
 * `expectGeneration`, each object is refused with Conflict if it changed since the generation its
 * entry carries, instead of undoing someone else's change.
 */
async function applyEntries(rt: Runtime, entries: ManifestEntry[], expectGeneration = false): Promise<ApplyResult[]> {
  const results: ApplyResult[] = [];
  for (const { generation, ...entry } of entries) {
    const before = await rt.get(entry.kind, entry.name);
    try {
      const object = await rt.apply(expectGeneration ? { ...entry, generation } : entry);
      const outcome = !before ? "created" : before.generation === object.generation ? "unchanged" : "configured";
      results.push({ kind: entry.kind, name: entry.name, outcome, object });
    } catch (e) {
      if (!isPolyvisorError(e)) throw e;
      results.push({ kind: entry.kind, name: entry.name, outcome: "refused", error: describeError(e).json ?? undefined });
    }
  }
  return results;
}

/** --dry-run: the same changes on a copy of the state in memory; the state itself is not touched. */
async function dryRun(rt: Runtime, entries: ManifestEntry[], expectGeneration: boolean): Promise<ApplyResult[]> {
  const { openRuntime } = await import("../../runtime");
  const copy = await openRuntime({ path: ":memory:" });
  try {
    await copy.importState(await rt.exportState());
    return await applyEntries(copy, entries, expectGeneration);
  } finally {
    await copy.close();
  }
}

function renderApply(results: ApplyResult[], dry: boolean): string {
  return results
    .map((r) => {
      const verb = dry && r.outcome !== "refused" ? `would be ${r.outcome}` : r.outcome;
      return r.outcome === "refused"
        ? `${r.kind} ${r.name} ${dry ? "would be refused" : "refused"}: ${String(r.error?.message)}`
        : `${r.kind} ${r.name} ${verb}`;
    })
    .join("\n");
}

function renderObjects(objects: RuntimeObject[]): string {
  if (objects.length === 0) return "No objects.";
  const columns = KIND_COLUMNS[objects[0].kind];
  return table(
    ["NAME", ...columns.map(([header]) => header)],
    objects.map((o) => [o.name, ...columns.map(([, value]) => value(o.spec, o.status ?? {}))]),
  );
}

function printAs(format: string | undefined, value: unknown, json: boolean, render: () => string): void {
  if (format === "yaml") return print(toYaml(value));
  if (format === "json" || json) return print(toJson(value));
  print(render());
}

/** Events of one object shown by describe. */
const DESCRIBE_EVENTS = 20;

export function registerObjects(cli: Cli): void {
  const { program } = cli;
  examples(
    program
      .command("apply")
      .description("create or update objects from YAML or JSON (several per file, separated by ---)")
      .requiredOption("-f, --filename <file>", "the file to read, or - for stdin")
      .option("--dry-run", "say what would change and what would be refused, changing nothing")
      .option(
        "--expect-generation",
        "refuse (Conflict) an object changed since the generation its entry carries, as `get -o yaml` writes it",
      ),
    "polyvisor apply -f datacenter.yaml",
    "polyvisor get vm db1 -o yaml | sed 's/vcpus: 2/vcpus: 4/' | polyvisor apply -f -",
    "polyvisor apply -f change.yaml --dry-run",
    "polyvisor get vm db1 -o yaml > db1.yaml; $EDITOR db1.yaml; polyvisor apply -f db1.yaml --expect-generation",
  ).action((o: { filename: string; dryRun?: boolean; expectGeneration?: boolean }) => {
    const entries = parseManifest(readInput(o.filename), o.filename === "-" ? "stdin" : o.filename);
    const expect = o.expectGeneration === true;
    const missing = expect ? entries.find((e) => e.generation === undefined) : undefined;
    if (missing)
      throw new UsageError(`--expect-generation: ${missing.kind} ${missing.name} carries no generation (write it as get -o yaml does)`);
    return cli.withRuntime(
      async (rt) => {
        const results = o.dryRun ? await dryRun(rt, entries, expect) : await applyEntries(rt, entries, expect);
        cli.emit(results, (r) => renderApply(r, o.dryRun === true));
        if (results.some((r) => r.outcome === "refused")) throw new AlreadyReported(EXIT_REFUSED);
      },
      { create: o.dryRun ? false : undefined },
    );
  });

  examples(
    program
      .command("get <kind> [name]")
      .description("list objects of a kind (vm, host, ct, cluster, ds, dsc, pool, template, rule), or one object")
      .option("-o, --output <format>", "json or yaml: the whole object(s), spec and status"),
    "polyvisor get vm",
    "polyvisor get VirtualMachine db1 -o yaml",
  ).action((kindText: string, name: string | undefined, o: { output?: string }) => {
    const kind = parseKind(kindText);
    if (o.output !== undefined && o.output !== "json" && o.output !== "yaml") throw new UsageError("-o takes json or yaml");
    return cli.withRuntime(
      async (rt) => {
        const value = name === undefined ? await rt.list(kind) : await getOrRefuse(rt, kind, name);
        printAs(o.output, value, cli.globals().json === true, () => renderObjects(Array.isArray(value) ? value : [value]));
      },
      { create: false },
    );
  });

  examples(
    program.command("describe <kind> <name>").description("one object in full: spec, status and its recent events"),
    "polyvisor describe vm db1",
    "polyvisor describe host esx2",
  ).action((kindText: string, name: string) => {
    const kind = parseKind(kindText);
    return cli.withRuntime(
      async (rt) => {
        const object = await getOrRefuse(rt, kind, name);
        const events = (await rt.events()).filter((e) => e.kind === kind && e.name === name).slice(-DESCRIBE_EVENTS);
        cli.emit({ ...object, events }, (d) =>
          [
            `${kind} ${name} (generation ${d.generation})`,
            "",
            "Spec:",
            toYaml(d.spec),
            "",
            "Status:",
            toYaml(d.status),
            "",
            `Events (last ${DESCRIBE_EVENTS}):`,
            renderEvents(d.events),
          ].join("\n"),
        );
      },
      { create: false },
    );
  });

  examples(program.command("delete <kind> <name>").description("delete an object"), "polyvisor delete vm db1").action(
    (kindText: string, name: string) => {
      const kind = parseKind(kindText);
      return cli.withRuntime(
        async (rt) => {
          await getOrRefuse(rt, kind, name);
          await rt.delete(kind, name);
          cli.emit({ kind, name, deleted: true }, () => `${kind} ${name} deleted`);
        },
        { create: false },
      );
    },
  );
}
