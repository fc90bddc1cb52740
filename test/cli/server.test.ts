/**
 * The CLI against a server prints exactly what it prints against a state file, with the same exit
 * codes: the same commands run on a file and on a paused server holding the same inventory.
 */
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openRuntime } from "../../runtime";
import { cluster, esxHost, vm } from "../support/fixtures";
import { CLI, type ServerProcess, startServer } from "../support/server-process";
import { tempDir } from "../support/state-file";

const tmp = tempDir();
const fileState = join(tmp.dir, "file.db");
const serverState = join(tmp.dir, "server.db");
let server: ServerProcess;
let token: string;

function polyvisor(args: string[], env: Record<string, string> = {}) {
  const result = spawnSync(process.execPath, [CLI, ...args], {
    encoding: "utf8",
    env: { ...process.env, POLYVISOR_URL: "", POLYVISOR_TOKEN: "", POLYVISOR_STATE: "", ...env },
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

const inventory = [
  cluster("prod", { ha: { enabled: true } }),
  esxHost("esx1"),
  esxHost("esx2"),
  esxHost("esx3"),
  vm("db1"),
  vm("web1", { vcpus: 1 }),
];

beforeAll(async () => {
  const rt = await openRuntime({ path: fileState });
  for (const obj of inventory) await rt.apply(obj);
  await rt.close();
  token = polyvisor(["--state", serverState, "token", "create", "--role", "admin", "--name", "ci"]).stdout.trim();
  server = await startServer(serverState);
  const remote = await openRuntime({ url: server.url, token });
  for (const obj of inventory) await remote.apply(obj);
  await remote.close();
});

afterAll(async () => {
  await server.stop();
  tmp.cleanup();
});

describe("the CLI against a server", () => {
  const session = [
    ["status"],
    ["host", "fail", "esx1"],
    ["sim", "advance", "5m"],
    ["drs", "prod", "--now"],
    ["host", "fail", "esx9"],
    ["--json", "events", "--since", "3"],
  ];

  it("prints the same output with the same exit codes as against a file (--url and --token)", () => {
    for (const args of session) {
      const onFile = polyvisor(["--state", fileState, ...args]);
      const onServer = polyvisor(["--url", server.url, "--token", token, ...args]);
      expect({ args, ...onServer }).toEqual({ args, ...onFile });
    }
  }, 240_000);

  it("takes the server and token from POLYVISOR_URL and POLYVISOR_TOKEN", () => {
    const onServer = polyvisor(["status"], { POLYVISOR_URL: server.url, POLYVISOR_TOKEN: token });
    expect(onServer.code).toBe(0);
    expect(onServer.stdout).toBe(polyvisor(["--state", fileState, "status"]).stdout);
  }, 60_000);

  it("without a token: exit 1 and Unauthorized; an unreachable server: exit 3", () => {
    const refused = polyvisor(["--url", server.url, "status"]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("Unauthorized");
    const unreachable = polyvisor(["--url", "http://127.0.0.1:9", "status"]);
    expect(unreachable.code).toBe(3);
    expect(unreachable.stderr).toContain("http://127.0.0.1:9: unreachable");
  }, 60_000);
});
