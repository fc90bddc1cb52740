/**
 * The provider against a `polyvisor serve` process (polyvisor:url, polyvisor:token) through Pulumi's
 * real dynamic provider host: two programs, each with its own provider host process, deploy to one
 * server; the token never reaches the outputs or the Pulumi state.
 */
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type VirtualMachineObject, openRuntime } from "../../runtime";
import { PulumiEngine } from "../harness/engine";
import { steps } from "./example-session";
import { exampleSource, programFolder } from "./program-loader";
import { CLI, type ServerProcess, startServer } from "../support/server-process";
import { tempDir } from "../support/state-file";

const DEV_PROGRAM = `
import * as pv from "polyvisor";
export = async () => {
  const dev = new pv.Cluster("dev", {});
  const host = new pv.Host("dev-esx1", {
    cluster: dev.name, hypervisor: "esx", memoryMb: 65536,
    cpu: { sockets: 2, coresPerSocket: 8, mhz: 2600, vendor: "intel", features: ["vmx", "ept", "lm"] },
  });
  const app = new pv.VirtualMachine("app1", { cluster: dev.name, vcpus: 2, memoryMb: 4096, guestOs: "linux" }, { dependsOn: [host] });
  return { appHost: app.currentHost };
};
`;

const tmp = tempDir();
let server: ServerProcess;
let token: string;
const folders = [programFolder(), programFolder()];
const engines: PulumiEngine[] = [];

beforeAll(async () => {
  const state = join(tmp.dir, "server.db");
  token = spawnSync(process.execPath, [CLI, "--state", state, "token", "create", "--role", "admin", "--name", "pulumi"], {
    encoding: "utf8",
  }).stdout.trim();
  server = await startServer(state);
  for (const [i, folder] of folders.entries()) {
    // The state path is set too: a server URL wins over it.
    engines.push(
      await PulumiEngine.start({
        projectDir: folder.dir,
        project: `p${i}`,
        config: { "polyvisor:url": server.url, "polyvisor:token": token, "polyvisor:statePath": folder.statePath },
      }),
    );
  }
}, 120_000);

afterAll(async () => {
  for (const engine of engines) await engine.close();
  for (const folder of folders) folder.remove();
  await server.stop();
  tmp.cleanup();
});

describe("the provider against a server", () => {
  it("two programs with their own provider hosts deploy to one server; nothing is lost", async () => {
    const [prod, dev] = await Promise.all([
      engines[0].up(folders[0].load(exampleSource("esx-cluster"))),
      engines[1].up(folders[1].load(DEV_PROGRAM)),
    ]);
    expect(prod.errors).toEqual([]);
    expect(dev.errors).toEqual([]);
    expect(steps(prod)).toEqual(["create db1", "create esx1", "create esx2", "create esx3", "create prod", "create web"]);
    expect(steps(dev)).toEqual(["create app1", "create dev", "create dev-esx1"]);
    const rt = await openRuntime({ url: server.url, token });
    expect((await rt.list("VirtualMachine")).map((v) => v.name)).toEqual(["app1", "db1"]);
    expect(((await rt.get("VirtualMachine", "db1")) as VirtualMachineObject).status.currentHost).toBe(prod.outputs.dbHost);
    expect(dev.outputs.appHost).toBe("dev-esx1");
    await rt.close();
  }, 240_000);

  it("the token appears in no output and no resource state", () => {
    for (const engine of engines) expect(JSON.stringify([...engine.state.values()])).not.toContain(token);
  });

  it("a wrong token fails the deployment with Unauthorized", async () => {
    const folder = programFolder();
    const engine = await PulumiEngine.start({
      projectDir: folder.dir,
      project: "wrong",
      config: { "polyvisor:url": server.url, "polyvisor:token": "pv_wrong" },
    });
    try {
      const result = await engine.up(folder.load(DEV_PROGRAM));
      expect(result.errors.map((e) => e.message).join("\n")).toContain("Unauthorized");
      expect(result.errors.map((e) => e.message).join("\n")).not.toContain("pv_wrong");
    } finally {
      await engine.close();
      folder.remove();
    }
  }, 120_000);
});
