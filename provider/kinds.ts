/** What the provider needs to know per kind beyond the schema. */
import type { ManagedKind } from "../schema";

export interface KindTraits {
  /** Spec fields whose change replaces the object instead of updating it in place. */
  replaceOnChange: readonly string[];
  /** Whether outputs carry `currentHost` at the top level. */
  exposesCurrentHost: boolean;
}

export const KIND_TRAITS: Record<ManagedKind, KindTraits> = {
  Cluster: { replaceOnChange: [], exposesCurrentHost: false },
  Host: { replaceOnChange: ["cluster", "hypervisor"], exposesCurrentHost: false },
  Datastore: { replaceOnChange: [], exposesCurrentHost: false },
  ResourcePool: { replaceOnChange: ["cluster"], exposesCurrentHost: false },
  VirtualMachine: { replaceOnChange: ["cluster", "guestOs", "guestArch"], exposesCurrentHost: true },
  Container: { replaceOnChange: ["cluster", "template"], exposesCurrentHost: true },
  Template: { replaceOnChange: [], exposesCurrentHost: false },
  Rule: { replaceOnChange: ["cluster"], exposesCurrentHost: false },
  Alarm: { replaceOnChange: [], exposesCurrentHost: false },
  DatastoreCluster: { replaceOnChange: [], exposesCurrentHost: false },
};

/** Properties the provider adds to outputs; they are never part of a spec. */
export const OUTPUT_ONLY = ["status", "currentHost"] as const;
