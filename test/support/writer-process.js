// A second writer for the store tests: applies `count` VMs named `<prefix>-<i>` to the state file.
// Runs the compiled runtime, as another polyvisor process (CLI, provider host) would.
const { openRuntime } = require("../../dist/runtime");

async function main() {
  const [path, prefix, count] = process.argv.slice(2);
  const rt = await openRuntime({ path });
  for (let i = 0; i < Number(count); i++) {
    await rt.apply({
      kind: "VirtualMachine",
      name: `${prefix}-${i}`,
      spec: {
        cluster: "prod",
        vcpus: 1,
        memoryMb: 1024,
        guestOs: "linux",
        memoryOverheadMb: 0,
        cpu: { reservationMhz: 100 },
        memory: { reservationMb: 100 },
      },
    });
  }
  await rt.close();
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
