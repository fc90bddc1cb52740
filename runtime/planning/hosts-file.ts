/**
 * Existing hosts to plan onto, from a file: CSV with the header `name,cores,mhz,memoryMb,hypervisor`
 * (more columns allowed; optional `hypervisorVersion`, `vendor`, `features`, as the host model's
 * flags name them; features default to the vendor's hardware virtualization, nested paging and 64-bit) or JSON (an array of the same objects). Every row is validated; an error names
 * the host, the field, the file and line, and why.
 */
import { z } from "zod";
import { Name } from "../../schema/common";
import { CpuFeature, Hypervisor } from "../../schema/host";
import { refuse } from "../core/kernel/errors";
import { csvRows, jsonRows, refuseDuplicates, validated } from "./inventory";

export const HOST_COLUMNS = ["name", "cores", "mhz", "memoryMb", "hypervisor"] as const;
const OPTIONAL_COLUMNS = ["hypervisorVersion", "vendor", "features"] as const;

/** Hardware virtualization, nested paging and 64-bit: what a host of each vendor has when no feature is named. */
export function defaultFeatures(vendor: "intel" | "amd"): CpuFeature[] {
  return vendor === "amd" ? ["svm", "npt", "lm"] : ["vmx", "ept", "lm"];
}

/** One host's hardware: what the `--host-*` flags give for a host model, and each row of a hosts file. */
export const HostModelFields = {
  cores: z.int().min(1).max(256),
  mhz: z.int().min(100).max(10_000),
  memoryMb: z
    .int()
    .min(256)
    .max(64 * 1024 * 1024),
  hypervisor: Hypervisor,
  hypervisorVersion: z.string().min(1).max(16).optional(),
  vendor: z.enum(["intel", "amd"]).default("intel"),
  /** Comma-separated in CSV (quoted) and on the command line; a list or the same text in JSON. */
  features: z
    .preprocess(
      (v) =>
        typeof v === "string"
          ? v
              .split(",")
              .map((f) => f.trim())
              .filter((f) => f !== "")
          : v,
      z.array(CpuFeature).max(16),
    )
    .optional(),
};

export const ExistingHost = z
  .strictObject({ name: Name, ...HostModelFields })
  .transform((h) => ({ ...h, features: h.features ?? defaultFeatures(h.vendor) }));
export type ExistingHost = z.infer<typeof ExistingHost>;

/** Hosts from a CSV or JSON text (JSON when it starts with `[`). */
export function parseHosts(text: string, file: string): ExistingHost[] {
  const rows = text.trimStart().startsWith("[")
    ? jsonRows(text, file, "HostsFile", "hosts")
    : csvRows(text, file, HOST_COLUMNS, [...HOST_COLUMNS, ...OPTIONAL_COLUMNS], "HostsFile");
  const hosts = validated(ExistingHost, rows, "Host");
  if (hosts.length === 0) refuse("InvalidSpec", { kind: "HostsFile", name: file }, "lists no host");
  refuseDuplicates(
    hosts.map((h) => h.name),
    "Host",
  );
  return hosts;
}
