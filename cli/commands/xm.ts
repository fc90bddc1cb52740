/** `polyvisor xm`: Xen domains as Xen 3.0's xm handles them. */
import type { HostObject, VirtualMachineObject } from "../../runtime";
import { GuestOs } from "../../schema";
import { type Cli, examples } from "../context";
import { quote, table } from "../format";
import { readInput } from "../manifest";
import { patchSpec, runOperation } from "../operation";
import { UsageError } from "../usage-error";
import { xenDomain } from "../xen-config";

const KIND = "VirtualMachine";

function renderDomains(domains: VirtualMachineObject[]): string {
  if (domains.length === 0) return "No Xen domains.";
  return table(
    ["Name", "Host", "Mem", "VCPUs", "State", "Mode"],
    domains.map((d) => [
      d.name,
      d.status.currentHost ?? "-",
      d.spec.memoryMb,
      d.spec.vcpus,
      d.status.powerState === "on" ? "r-----" : "------",
      d.status.virtualization ?? "-",
    ]),
  );
}

export function registerXm(cli: Cli): void {
  const xm = cli.program.command("xm").description("Xen domains, as Xen 3.0's xm tool handles them");
  examples(
    xm
      .command("create <config>")
      .description("create and start a domain from a Xen configuration file (name, memory, vcpus, disk, kernel or builder = 'hvm')")
      .option("--host <host>", "the Xen host to start it on")
      .option("--cluster <cluster>", "the cluster to place it in (instead of --host)")
      .option("--datastore <ds>", "the datastore the domain's disks live on")
      .option("--disk-gb <gb>", "size of each disk in GB", "10")
      .option("--guest-os <os>", `guest OS: ${GuestOs.options.join(", ")}`, "linux"),
    "polyvisor xm create /etc/xen/web1.cfg --host xen1 --datastore local-xen1",
  ).action((config: string, o: { host?: string; cluster?: string; datastore?: string; diskGb: string; guestOs: string }) => {
    const diskGb = Number(o.diskGb);
    if (!Number.isFinite(diskGb) || diskGb <= 0) throw new UsageError(`--disk-gb takes a positive number, got ${quote(o.diskGb)}`);
    let domain: ReturnType<typeof xenDomain>;
    try {
      domain = xenDomain(readInput(config), { ...o, diskGb });
    } catch (e) {
      if (e instanceof UsageError) throw new UsageError(`${quote(config)}: ${e.message}`);
      throw e;
    }
    if (domain.ignored.length > 0)
      process.stderr.write(`polyvisor: warning: ${config}: ignored keys with no counterpart: ${domain.ignored.join(", ")}\n`);
    const { name, spec } = domain;
    return runOperation(cli, (rt) => rt.create({ kind: KIND, name, spec }));
  });
  examples(xm.command("list").description("VMs on Xen hosts"), "polyvisor xm list").action(() =>
    cli.withRuntime(
      async (rt) => {
        const xen = new Set(((await rt.list("Host")) as HostObject[]).filter((h) => h.spec.hypervisor === "xen").map((h) => h.name));
        const domains = ((await rt.list(KIND)) as VirtualMachineObject[]).filter((v) => xen.has(v.status.currentHost ?? v.spec.host ?? ""));
        cli.emit(domains, renderDomains);
      },
      { create: false },
    ),
  );
  examples(
    xm
      .command("migrate <name> <host>")
      .description("live-migrate a domain; waits until it lands")
      .option("--live", "live migration (the only kind modelled)")
      .option("--no-wait", "return once the migration has started"),
    "polyvisor xm migrate --live web1 xen2",
  ).action((name: string, host: string, o: { live?: boolean; wait: boolean }) => {
    if (!o.live) throw new UsageError("only live migration is modelled: add --live");
    return runOperation(cli, (rt) => patchSpec(rt, KIND, name, { host }), { wait: o.wait });
  });
  examples(xm.command("shutdown <name>").description("shut a domain down (power off)"), "polyvisor xm shutdown web1").action(
    (name: string) => runOperation(cli, (rt) => patchSpec(rt, KIND, name, { powerState: "off" })),
  );
}
