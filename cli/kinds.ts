/** Kind names as typed on the command line: the schema's names, any case, and short aliases. */
import { KINDS, type Kind } from "../schema";
import { quote } from "./format";
import { UsageError } from "./usage-error";

const ALIASES: Record<string, Kind> = {
  vm: "VirtualMachine",
  vms: "VirtualMachine",
  ct: "Container",
  cts: "Container",
  ds: "Datastore",
  dsc: "DatastoreCluster",
  pool: "ResourcePool",
  rp: "ResourcePool",
};

export function parseKind(text: string): Kind {
  const lower = text.toLowerCase();
  const kind = ALIASES[lower] ?? KINDS.find((k) => k.toLowerCase() === lower || `${k.toLowerCase()}s` === lower);
  if (!kind) throw new UsageError(`unknown kind ${quote(text)}: use one of ${KINDS.join(", ")} (or vm, ct, ds, dsc, pool)`);
  return kind;
}

/** Columns `get KIND` shows after NAME; the whole object is in -o json|yaml. */
// biome-ignore lint/suspicious/noExplicitAny: each row reads its own kind's spec and status, checked by the schema when stored
type Column = [header: string, value: (spec: any, status: any) => string | number];

const dash = (v: unknown) => (v === undefined || v === null ? "-" : String(v));

export const KIND_COLUMNS: Record<Kind, Column[]> = {
  Cluster: [
    ["HOSTS", (_, st) => st.hosts?.length ?? 0],
    ["DRS", (sp) => (sp.drs?.enabled ? sp.drs.automationLevel : "off")],
    ["HA", (sp) => (sp.ha?.enabled ? "on" : "off")],
  ],
  Host: [
    ["CLUSTER", (sp) => dash(sp.cluster)],
    ["HYPERVISOR", (sp, st) => `${sp.hypervisor} ${dash(st.hypervisorVersion)}`],
    ["STATE", (_, st) => dash(st.state)],
    ["VMS", (_, st) => st.vms?.length ?? 0],
  ],
  Datastore: [
    ["USED GB", (_, st) => st.usedGb ?? 0],
    ["FREE GB", (_, st) => st.freeGb ?? 0],
  ],
  ResourcePool: [
    ["CLUSTER", (sp) => dash(sp.cluster)],
    ["PARENT", (sp) => dash(sp.parent)],
    ["VMS", (_, st) => st.vms?.length ?? 0],
  ],
  VirtualMachine: [
    ["POWER", (_, st) => dash(st.powerState)],
    ["HOST", (_, st) => (st.migration ? `${st.migration.fromHost} -> ${st.migration.toHost}` : dash(st.currentHost))],
    ["VCPUS", (sp) => sp.vcpus],
    ["MEM MB", (sp) => sp.memoryMb],
  ],
  Alarm: [
    ["TARGET", (sp) => `${sp.target.kind}/${sp.target.name}`],
    ["METRIC", (sp) => sp.metric],
    ["STATE", (_, st) => dash(st.state)],
    ["VALUE", (_, st) => dash(st.value)],
  ],
  Container: [
    ["STATE", (_, st) => dash(st.state)],
    ["HOST", (_, st) => (st.migration ? `${st.migration.fromHost} -> ${st.migration.toHost}` : dash(st.currentHost))],
    ["TEMPLATE", (sp) => dash(sp.template)],
    ["IP", (_, st) => (st.ipAddresses ?? []).join(",") || "-"],
  ],
  Template: [
    ["TYPE", (sp) => dash(sp.type)],
    ["OS FAMILY", (sp) => dash(sp.osFamily)],
    ["VERSION", (sp) => dash(sp.version)],
  ],
  DatastoreCluster: [
    ["DATASTORES", (sp) => (sp.datastores ?? []).join(",") || "-"],
    ["SDRS", (sp) => dash(sp.storageDrs?.automationLevel)],
    ["FREE GB", (_, st) => st.freeGb ?? 0],
    ["RECOMMENDATIONS", (_, st) => (Array.isArray(st.recommendations) ? st.recommendations.length : 0)],
  ],
  Rule: [
    ["CLUSTER", (sp) => dash(sp.cluster)],
    ["TYPE", (sp) => dash(sp.type)],
    ["VIOLATIONS", (_, st) => (Array.isArray(st.violations) ? st.violations.length : 0)],
  ],
};
