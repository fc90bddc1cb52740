// What the harness takes from inside @pulumi/pulumi: its copies of grpc-js and google-protobuf, and internal APIs.
import * as path from "node:path";
import type * as StructModule from "google-protobuf/google/protobuf/struct_pb";

export type Props = Record<string, unknown>;

// The generated gRPC stubs check messages and channels against @pulumi/pulumi's own copies of
// grpc-js and google-protobuf: load those same copies, whatever the harness itself would resolve.
const pulumiRoot = path.dirname(require.resolve("@pulumi/pulumi"));

function requireFromPulumi<T>(id: string): T {
  return require(require.resolve(id, { paths: [pulumiRoot] })) as T;
}

export const grpc = requireFromPulumi<typeof import("@grpc/grpc-js")>("@grpc/grpc-js");

const { Struct } = requireFromPulumi<typeof StructModule>("google-protobuf/google/protobuf/struct_pb");

export function toStruct(props: Props): StructModule.Struct {
  return Struct.fromJavaScript(props as Record<string, StructModule.JavaScriptValue>);
}

export function fromStruct(struct: StructModule.Struct | undefined): Props {
  return (struct?.toJavaScript() ?? {}) as Props;
}

/** Resolves once every resource registration started by the program has settled (internal SDK API). */
export const waitForRPCs: () => Promise<void> = require("@pulumi/pulumi/runtime/settings").waitForRPCs;

/** `Output.promise` is internal; it yields `undefined` for values that contain unknowns. */
export interface OutputInternals {
  promise(): Promise<unknown>;
}
