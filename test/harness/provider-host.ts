// Pulumi's real dynamic provider host process, driven over gRPC as the engine drives it.
import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import * as path from "node:path";
import * as readline from "node:readline";
import type { ServiceError } from "@grpc/grpc-js";
import { ResourceProviderClient } from "@pulumi/pulumi/proto/provider_grpc_pb";
import * as proto from "@pulumi/pulumi/proto/provider_pb";
import { Status } from "@pulumi/pulumi/proto/status_pb";
import { fromStruct, grpc, toStruct, type Props } from "./pulumi-internals";

export type RpcMethod = "Configure" | "Check" | "Diff" | "Create" | "Update" | "Delete" | "Read";
export interface RpcRecord {
  method: RpcMethod;
  urn?: string;
}

export interface CheckFailure {
  property: string;
  reason: string;
}
export interface CheckResult {
  inputs: Props;
  failures: CheckFailure[];
}
export interface DiffResult {
  changes: "none" | "some" | "unknown";
  replaces: string[];
  deleteBeforeReplace: boolean;
}
export interface ReadResult {
  id: string;
  outputs: Props;
  inputs?: Props;
}
/** A resource the provider already manages. */
export interface ExistingResource {
  urn: string;
  id: string;
  inputs: Props;
  outputs: Props;
}

/** Create or Update failed, but the resource exists (the host's ErrorResourceInitFailed). */
export class ResourceInitFailedError extends Error {
  constructor(
    message: string,
    readonly id: string,
    readonly outputs: Props,
  ) {
    super(message);
  }
}

export interface HostOptions {
  cwd: string;
  env: Record<string, string>;
  onRpc: (record: RpcRecord) => void;
}

// The host requires an engine address argument but never dials it.
const UNUSED_ENGINE_ADDRESS = "127.0.0.1:0";
const LOG_TAIL_LINES = 40;
const EXIT_GUARD = path.join(__dirname, "host-exit-guard.js");
const CHANGES: Record<proto.DiffResponse.DiffChanges, DiffResult["changes"]> = {
  [proto.DiffResponse.DiffChanges.DIFF_UNKNOWN]: "unknown",
  [proto.DiffResponse.DiffChanges.DIFF_NONE]: "none",
  [proto.DiffResponse.DiffChanges.DIFF_SOME]: "some",
};

type Callback<Res> = (error: ServiceError | null, response: Res) => void;

export class ProviderHost {
  private constructor(
    private readonly child: ChildProcess,
    private readonly client: ResourceProviderClient,
    private readonly log: HostLog,
    private readonly onRpc: HostOptions["onRpc"],
  ) {}

  /** Spawns the host as the engine does: from the program folder's node_modules, with that folder as cwd. */
  static async start(options: HostOptions): Promise<ProviderHost> {
    // The guard ends the host along with this process, closed or not.
    const args = ["--require", EXIT_GUARD, hostScript(options.cwd), UNUSED_ENGINE_ADDRESS];
    const child = spawn(process.execPath, args, {
      cwd: options.cwd,
      env: { ...process.env, ...options.env },
      stdio: ["pipe", "pipe", "pipe"],
    });
    const log = new HostLog();
    readline.createInterface({ input: child.stderr! }).on("line", (line) => log.add(line));
    try {
      const port = await readPort(child, log);
      const client = new ResourceProviderClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
      return new ProviderHost(child, client, log, options.onRpc);
    } catch (error) {
      child.kill();
      throw error;
    }
  }

  async configure(config: Record<string, string>): Promise<void> {
    const request = new proto.ConfigureRequest();
    request.setArgs(toStruct(config));
    for (const [key, value] of Object.entries(config)) request.getVariablesMap().set(key, value);
    await this.send<proto.ConfigureResponse>({ method: "Configure" }, (done) => this.client.configure(request, done));
  }

  async check(urn: string, olds: Props, news: Props): Promise<CheckResult> {
    const request = new proto.CheckRequest();
    request.setUrn(urn);
    request.setOlds(toStruct(olds));
    request.setNews(toStruct(news));
    const response = await this.send<proto.CheckResponse>({ method: "Check", urn }, (done) => this.client.check(request, done));
    return {
      inputs: fromStruct(response.getInputs()),
      failures: response.getFailuresList().map((f) => ({ property: f.getProperty(), reason: f.getReason() })),
    };
  }

  async diff(old: ExistingResource, news: Props): Promise<DiffResult> {
    const request = new proto.DiffRequest();
    request.setId(old.id);
    request.setUrn(old.urn);
    request.setOlds(toStruct(old.outputs));
    request.setOldInputs(toStruct(old.inputs));
    request.setNews(toStruct(news));
    const response = await this.send<proto.DiffResponse>({ method: "Diff", urn: old.urn }, (done) => this.client.diff(request, done));
    return {
      changes: CHANGES[response.getChanges()],
      replaces: response.getReplacesList(),
      deleteBeforeReplace: response.getDeletebeforereplace(),
    };
  }

  async create(urn: string, inputs: Props): Promise<{ id: string; outputs: Props }> {
    const request = new proto.CreateRequest();
    request.setUrn(urn);
    request.setProperties(toStruct(inputs));
    const response = await this.send<proto.CreateResponse>({ method: "Create", urn }, (done) => this.client.create(request, done));
    return { id: response.getId(), outputs: fromStruct(response.getProperties()) };
  }

  async update(old: ExistingResource, news: Props): Promise<Props> {
    const request = new proto.UpdateRequest();
    request.setId(old.id);
    request.setUrn(old.urn);
    request.setOlds(toStruct(old.outputs));
    request.setOldInputs(toStruct(old.inputs));
    request.setNews(toStruct(news));
    const response = await this.send<proto.UpdateResponse>({ method: "Update", urn: old.urn }, (done) => this.client.update(request, done));
    return fromStruct(response.getProperties());
  }

  async delete(old: ExistingResource): Promise<void> {
    const request = new proto.DeleteRequest();
    request.setId(old.id);
    request.setUrn(old.urn);
    request.setProperties(toStruct(old.outputs));
    request.setOldInputs(toStruct(old.inputs));
    await this.send({ method: "Delete", urn: old.urn }, (done) => this.client.delete(request, done));
  }

  async read(old: ExistingResource): Promise<ReadResult> {
    const request = new proto.ReadRequest();
    request.setId(old.id);
    request.setUrn(old.urn);
    request.setProperties(toStruct(old.outputs));
    request.setInputs(toStruct(old.inputs));
    const response = await this.send<proto.ReadResponse>({ method: "Read", urn: old.urn }, (done) => this.client.read(request, done));
    return {
      id: response.getId(),
      outputs: fromStruct(response.getProperties()),
      inputs: response.hasInputs() ? fromStruct(response.getInputs()) : undefined,
    };
  }

  async close(): Promise<void> {
    this.client.close();
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = once(this.child, "exit");
    this.child.kill();
    await exited;
  }

  private send<Res>(record: RpcRecord, call: (done: Callback<Res>) => void): Promise<Res> {
    this.onRpc(record);
    return new Promise((resolve, reject) => {
      call((error, response) => (error ? reject(this.toError(error)) : resolve(response)));
    });
  }

  private toError(error: ServiceError): Error {
    const exited = this.child.exitCode !== null || this.child.signalCode !== null;
    const message = exited ? `${error.details}\nprovider host exited; its last output:\n${this.log.text()}` : error.details;
    const initFailure = initFailureOf(error);
    if (!initFailure) return new Error(message);
    return new ResourceInitFailedError(message, initFailure.getId(), fromStruct(initFailure.getProperties()));
  }
}

function hostScript(programDir: string): string {
  try {
    return require.resolve("@pulumi/pulumi/cmd/dynamic-provider/index.js", { paths: [programDir] });
  } catch {
    throw new Error(`${programDir} does not resolve @pulumi/pulumi, which the dynamic provider host is started from`);
  }
}

/** The last lines the host printed, to explain its failures. */
class HostLog {
  private readonly lines: string[] = [];

  add(line: string): void {
    this.lines.push(line);
    if (this.lines.length > LOG_TAIL_LINES) this.lines.shift();
  }

  text(): string {
    return this.lines.join("\n");
  }
}

/** The host prints its port on its first stdout line; later lines are provider output. */
function readPort(child: ChildProcess, log: HostLog): Promise<number> {
  return new Promise((resolve, reject) => {
    let listening = false;
    readline.createInterface({ input: child.stdout! }).on("line", (line) => {
      if (listening) return log.add(line);
      listening = true;
      const port = Number(line);
      if (Number.isInteger(port)) resolve(port);
      else reject(new Error(`dynamic provider host printed "${line}" instead of its port`));
    });
    child.once("error", reject);
    child.once("close", (code) => reject(new Error(`dynamic provider host exited with code ${code} before listening:\n${log.text()}`)));
  });
}

/** The host packs ErrorResourceInitFailed into the grpc-status-details-bin trailer. */
function initFailureOf(error: ServiceError): proto.ErrorResourceInitFailed | undefined {
  const [details] = error.metadata?.get("grpc-status-details-bin") ?? [];
  if (!details) return undefined;
  for (const detail of Status.deserializeBinary(details as Buffer).getDetailsList()) {
    const failure = detail.unpack(proto.ErrorResourceInitFailed.deserializeBinary, "pulumirpc.ErrorResourceInitFailed");
    if (failure) return failure;
  }
  return undefined;
}
