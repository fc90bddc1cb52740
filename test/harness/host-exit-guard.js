// Preloaded into the dynamic provider host: exit once the process that spawned it is gone (its end
// of our stdin closes), whether or not it closed the engine, and however it ended.
process.stdin.on("end", () => process.exit(0));
process.stdin.resume();
