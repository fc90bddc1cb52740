/**
 * Output that survives a pipe: the CLI writes everything it printed before it exits, however slow
 * the reader. 5 MB of --json output goes through a pipe into another process and parses whole.
 */
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openRuntime } from "../../runtime";
import { CLI } from "../support/cli-process";
import { cluster, esxHost, vm } from "../support/fixtures";
import { tempDir } from "../support/state-file";

const tmp = tempDir();
afterAll(() => tmp.cleanup());
const state = join(tmp.dir, "big.db");
const VMS = 3600;

beforeAll(async () => {
  expect(existsSync(CLI), "run `npm run build` first").toBe(true);
  const rt = await openRuntime({ path: state });
  await rt.apply(cluster("prod"));
  for (let h = 0; h < 16; h++) await rt.apply(esxHost(`esx${h}`));
  for (let i = 0; i < VMS; i++) await rt.apply(vm(`vm${String(i).padStart(5, "0")}`, { vcpus: 1, memoryMb: 64 }));
  await rt.close();
}, 300_000);

/** Runs `polyvisor ARGS | node -e READER` in a shell and returns what the reader printed. */
function throughPipe(args: string[], reader: string): string {
  const quoted = [CLI, "--state", state, ...args].map((a) => `'${a}'`).join(" ");
  return execFileSync("sh", ["-c", `'${process.execPath}' ${quoted} | '${process.execPath}' -e '${reader}'; exit $?`], {
    encoding: "utf8",
    maxBuffer: 1024 * 1024,
  });
}

/** Reads stdin slowly (a chunk every few milliseconds), then parses it as one JSON document. */
const SLOW_JSON_READER = `
const chunks = [];
process.stdin.on("data", (c) => { chunks.push(c); process.stdin.pause(); setTimeout(() => process.stdin.resume(), 2); });
process.stdin.on("end", () => { const text = Buffer.concat(chunks).toString(); const v = JSON.parse(text); console.log(JSON.stringify({ bytes: Buffer.byteLength(text), vms: (v.vms ?? v.objects ?? v).length })); });
`.replace(/\n/g, " ");

describe("output through a pipe", () => {
  it("--json status of 3,600 VMs (over 5 MB) reaches a slow reader whole", () => {
    const result = JSON.parse(throughPipe(["--json", "status"], SLOW_JSON_READER));
    expect(result.bytes).toBeGreaterThan(5 * 1024 * 1024);
    expect(result.vms).toBe(VMS);
  });

  it("get vm -o json and state export - are complete too", () => {
    expect(JSON.parse(throughPipe(["get", "vm", "-o", "json"], SLOW_JSON_READER)).vms).toBe(VMS);
    expect(JSON.parse(throughPipe(["state", "export", "-"], SLOW_JSON_READER)).vms).toBe(VMS + 17);
  });

  it("a reader that stops early ends the command quietly", () => {
    const errors = join(tmp.dir, "stderr.txt");
    const out = execFileSync("sh", ["-c", `'${process.execPath}' '${CLI}' --state '${state}' --json status 2>'${errors}' | head -c 20`], {
      encoding: "utf8",
    });
    expect(out).toBe('{\n  "timeSeconds": 0');
    expect(readFileSync(errors, "utf8")).toBe("");
  });
});
