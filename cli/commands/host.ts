/** `polyvisor host`: fail and recover hosts, maintenance mode. */
import type { HostObject } from "../../runtime";
import { type Cli, examples } from "../context";
import { patchSpec, runOperation } from "../operation";
import { UsageError } from "../usage-error";
import { formatSeconds, quote } from "../format";

const HA_HINT = "HA acts as the clock moves: polyvisor sim advance 5m";

export function registerHost(cli: Cli): void {
  const host = cli.program.command("host").description("host operations: failures, recovery, maintenance mode");
  examples(
    host
      .command("fail <name>")
      .description("inject a host failure: a crash, or a network isolation")
      .option("--mode <mode>", "crash or isolation", "crash"),
    "polyvisor host fail esx2",
    "polyvisor host fail esx2 --mode isolation",
  ).action((name: string, o: { mode: string }) => {
    if (o.mode !== "crash" && o.mode !== "isolation") throw new UsageError(`--mode must be crash or isolation, got ${quote(o.mode)}`);
    const mode = o.mode;
    return runOperation(
      cli,
      async (rt) => {
        await rt.failHost(name, { mode });
        return undefined;
      },
      { hint: HA_HINT },
    );
  });
  examples(host.command("recover <name>").description("bring a failed or isolated host back"), "polyvisor host recover esx2").action(
    (name: string) =>
      runOperation(
        cli,
        async (rt) => {
          await rt.recoverHost(name);
          return undefined;
        },
        {
          hint: "DRS gives it load as the clock moves: polyvisor sim advance 5m",
        },
      ),
  );
  const maintenance = host.command("maintenance").description("vSphere maintenance mode: DRS moves the VMs and containers away first");
  examples(
    maintenance
      .command("enter <name>")
      .description("enter maintenance mode; waits (moving the simulated clock) until the host is evacuated")
      .option("--no-wait", "return once the evacuation has started"),
    "polyvisor host maintenance enter esx1",
    "polyvisor host maintenance enter esx1 --no-wait && polyvisor events --follow --name esx1",
  ).action((name: string, o: { wait: boolean }) =>
    runOperation(cli, async (rt) => patchSpec(rt, "Host", name, { maintenance: true }), {
      wait: o.wait,
      progress: async (rt) => {
        const host = (await rt.get("Host", name)) as HostObject | undefined;
        const left = host ? host.status.vms.length + (host.status.containers?.length ?? 0) : 0;
        return `evacuating ${name}: ${left} guest(s) left at ${formatSeconds(await rt.now())}`;
      },
    }),
  );
  examples(
    maintenance.command("exit <name>").description("leave maintenance mode: the host takes VMs again"),
    "polyvisor host maintenance exit esx1",
  ).action((name: string) => runOperation(cli, (rt) => patchSpec(rt, "Host", name, { maintenance: false })));
}
