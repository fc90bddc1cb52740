/** `polyvisor vm`: power operations and live migration of one VM. */
import { type Cli, examples } from "../context";
import { quote } from "../format";
import { patchSpec, runOperation } from "../operation";
import { UsageError } from "../usage-error";

const KIND = "VirtualMachine";

export function registerVm(cli: Cli): void {
  const vm = cli.program.command("vm").description("power and move one VM (like govc vm.power and vm.migrate)");
  examples(vm.command("start <name>").description("power on: placed, subject to admission control"), "polyvisor vm start db1").action(
    (name: string) => runOperation(cli, (rt) => patchSpec(rt, KIND, name, { powerState: "on" })),
  );
  examples(vm.command("stop <name>").description("power off: its disks still take space"), "polyvisor vm stop db1").action((name: string) =>
    runOperation(cli, (rt) => patchSpec(rt, KIND, name, { powerState: "off" })),
  );
  examples(
    vm.command("restart <name>").description("power off, then on again (placement may choose another host)"),
    "polyvisor vm restart db1",
  ).action((name: string) =>
    runOperation(cli, async (rt) => {
      await patchSpec(rt, KIND, name, { powerState: "off" });
      return patchSpec(rt, KIND, name, { powerState: "on" });
    }),
  );
  examples(
    vm
      .command("fail <name>")
      .description("the guest stops sending heartbeats (or crashes); with the cluster's ha.vmMonitoring, HA resets it")
      .option("--mode <mode>", "heartbeat or crash", "heartbeat"),
    "polyvisor vm fail web1",
    "polyvisor vm fail web1 --mode crash",
  ).action((name: string, o: { mode: string }) => {
    if (o.mode !== "heartbeat" && o.mode !== "crash") throw new UsageError(`--mode must be heartbeat or crash, got ${quote(o.mode)}`);
    const mode = o.mode;
    return runOperation(
      cli,
      async (rt) => {
        await rt.failVm(name, { mode });
        return undefined;
      },
      {
        hint: "VM monitoring acts as the clock moves: polyvisor sim advance 5m",
      },
    );
  });
  examples(
    vm
      .command("migrate <name> <host>")
      .description("live-migrate to a host and pin it there; waits (moving the simulated clock) until it lands")
      .option("--no-wait", "return once the migration has started"),
    "polyvisor vm migrate db1 esx3",
  ).action((name: string, host: string, o: { wait: boolean }) =>
    runOperation(cli, (rt) => patchSpec(rt, KIND, name, { host }), { wait: o.wait }),
  );
}
