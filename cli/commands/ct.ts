/** `polyvisor ct`: OS containers in the spirit of OpenVZ's vzctl and vzlist. */
import type { Command } from "commander";
import type { ContainerObject } from "../../runtime";
import { type Cli, examples } from "../context";
import { quote, table } from "../format";
import { getOrRefuse, patchSpec, runOperation } from "../operation";
import { UsageError } from "../usage-error";

const KIND = "Container";

interface CtOptions {
  template?: string;
  host?: string;
  cluster?: string;
  ipadd: string[];
  ipdel?: string[];
  hostname?: string;
  memory?: string;
  disk?: string;
  cpuunits?: string;
  cpulimit?: string;
  cpus?: string;
}

const collect = (value: string, previous: string[]) => [...previous, value];

function numberOption(flag: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (text.trim() === "" || !Number.isFinite(n)) throw new UsageError(`${flag} takes a number, got ${quote(text)}`);
  return n;
}

/** The options `create` and `set` share: resources and identity. */
function resourceOptions(command: Command): Command {
  return command
    .option("--ipadd <ip>", "add an IPv4 address (repeatable)", collect, [])
    .option("--hostname <name>", "host name inside the container")
    .option("--memory <mb>", "memory limit in MB (physpages)")
    .option("--disk <gb>", "disk quota in GB (diskspace)")
    .option("--cpuunits <n>", "CPU weight among the host's busy containers")
    .option("--cpulimit <percent>", "hard CPU cap in percent of one CPU")
    .option("--cpus <n>", "CPUs the container sees");
}

/** The spec fields the resource options set, over `spec`. */
function applyResources(spec: Record<string, unknown>, o: CtOptions): Record<string, unknown> {
  const next = { ...spec };
  const memoryMb = numberOption("--memory", o.memory);
  const diskGb = numberOption("--disk", o.disk);
  if (memoryMb !== undefined) next.memoryMb = memoryMb;
  if (diskGb !== undefined) next.diskGb = diskGb;
  if (o.hostname !== undefined) next.hostname = o.hostname;
  const ips = ((spec.ipAddresses as string[] | undefined) ?? []).filter((ip) => !(o.ipdel ?? []).includes(ip));
  if (o.ipadd.length > 0 || (o.ipdel ?? []).length > 0) next.ipAddresses = [...ips, ...o.ipadd.filter((ip) => !ips.includes(ip))];
  const cpu = { ...((spec.cpu as Record<string, unknown> | undefined) ?? {}) };
  for (const [field, flag, text] of [
    ["units", "--cpuunits", o.cpuunits],
    ["limitPercent", "--cpulimit", o.cpulimit],
    ["cpus", "--cpus", o.cpus],
  ] as const) {
    const n = numberOption(flag, text);
    if (n !== undefined) cpu[field] = n;
  }
  next.cpu = cpu;
  return next;
}

function renderList(cts: ContainerObject[]): string {
  if (cts.length === 0) return "No containers.";
  return table(
    ["CTID", "STATUS", "HOST", "IP_ADDR", "HOSTNAME", "TEMPLATE"],
    cts.map((c) => [
      c.name,
      c.status.migration ? "migrating" : c.status.state,
      c.status.currentHost ?? "-",
      c.status.ipAddresses.join(" ") || "-",
      c.spec.hostname ?? "-",
      c.spec.template,
    ]),
  );
}

export function registerCt(cli: Cli): void {
  const ct = cli.program.command("ct").description("OS containers (OpenVZ, Virtuozzo, Solaris zones), as vzctl and vzlist handle them");
  examples(
    resourceOptions(
      ct
        .command("create <ctid>")
        .description("create and start a container from an OS template (512 MB and 2 GB unless --memory and --disk say otherwise)")
        .requiredOption("--template <name>", "OS template, e.g. centos-5-x86_64 (vzctl's --ostemplate)")
        .option("--host <host>", "the host to run on")
        .option("--cluster <cluster>", "the cluster to place it in (instead of --host)"),
    ),
    "polyvisor ct create 101 --template centos-5-x86_64 --ipadd 10.0.0.5 --host ovz1",
  ).action((ctid: string, o: CtOptions) => {
    if (o.host === undefined && o.cluster === undefined) throw new UsageError("give --host H or --cluster C");
    const base = {
      template: o.template,
      memoryMb: 512,
      diskGb: 2,
      ...(o.host ? { host: o.host } : {}),
      ...(o.cluster ? { cluster: o.cluster } : {}),
    };
    return runOperation(cli, async (rt) => rt.create({ kind: KIND, name: ctid, spec: applyResources(base, o) }));
  });
  examples(ct.command("start <ctid>").description("start a stopped container"), "polyvisor ct start 101").action((ctid: string) =>
    runOperation(cli, (rt) => patchSpec(rt, KIND, ctid, { state: "running" })),
  );
  examples(ct.command("stop <ctid>").description("stop a container; its disk and addresses stay"), "polyvisor ct stop 101").action(
    (ctid: string) => runOperation(cli, (rt) => patchSpec(rt, KIND, ctid, { state: "stopped" })),
  );
  examples(
    resourceOptions(
      ct
        .command("set <ctid>")
        .description("change a container's resources, addresses or host name")
        .option("--ipdel <ip>", "remove an IPv4 address (repeatable)", collect, []),
    ),
    "polyvisor ct set 101 --memory 1024 --cpuunits 2000",
    "polyvisor ct set 101 --ipdel 10.0.0.5 --ipadd 10.0.0.6",
  ).action((ctid: string, o: CtOptions) =>
    runOperation(cli, async (rt) => {
      const current = await getOrRefuse(rt, KIND, ctid);
      return rt.update({ kind: KIND, name: ctid, spec: applyResources(current.spec as Record<string, unknown>, o) });
    }),
  );
  examples(
    ct
      .command("migrate <ctid> <host>")
      .description("move to another host by checkpoint/restore (zones: detach/attach); waits until it lands")
      .option("--no-wait", "return once the move has started"),
    "polyvisor ct migrate 101 ovz2",
  ).action((ctid: string, host: string, o: { wait: boolean }) =>
    runOperation(cli, (rt) => patchSpec(rt, KIND, ctid, { host }), { wait: o.wait }),
  );
  examples(ct.command("list").description("containers with their state, host and addresses (like vzlist -a)"), "polyvisor ct list").action(
    () => cli.withRuntime(async (rt) => cli.emit((await rt.list(KIND)) as ContainerObject[], renderList), { create: false }),
  );
}
