// A client process for the concurrency tests: opens the state, says "ready", waits for "go" on stdin
// (so that all clients start together), creates one VM and prints "created" or the refusal's code.
const { openRuntime } = require("../../dist/runtime");

async function main() {
  const [path, name] = process.argv.slice(2);
  const rt = await openRuntime({ path });
  process.stdout.write("ready\n");
  await new Promise((resolve) => process.stdin.once("data", resolve));
  try {
    await rt.create({
      kind: "VirtualMachine",
      name,
      spec: { cluster: "prod", vcpus: 1, memoryMb: 512, guestOs: "linux", memoryOverheadMb: 0 },
    });
    process.stdout.write("created\n");
  } catch (e) {
    process.stdout.write(`${e.code ?? e.name}\n`);
  }
  await rt.close();
  process.stdin.destroy();
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
