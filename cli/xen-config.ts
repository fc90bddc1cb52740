/**
 * Xen 3.0 domain configuration files (/etc/xen/NAME.cfg, read by `xm create`): Python assignments of
 * strings, numbers and lists of strings. The keys that describe the machine become a VirtualMachine
 * spec; keys without a counterpart are returned so the caller can name them.
 * Reference: xmdomain.cfg(5), Xen 3.0 Users' Manual section 3.
 */
import { clip, quote } from "./format";
import { UsageError } from "./usage-error";

type ConfigValue = string | number | string[];

/** Keys with a meaning here; vif and the console/boot keys are accepted without one. */
const MAPPED = new Set([
  "name",
  "memory",
  "vcpus",
  "disk",
  "kernel",
  "ramdisk",
  "builder",
  "vif",
  "root",
  "extra",
  "on_poweroff",
  "on_reboot",
  "on_crash",
  "uuid",
]);

const STRING = String.raw`'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*"`;
const ASSIGNMENT = /^([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.+?)\s*$/;

function parseValue(text: string, line: number): ConfigValue {
  if (/^-?\d+(\.\d+)?$/.test(text)) return Number(text);
  if (new RegExp(`^(?:${STRING})$`).test(text)) return text.slice(1, -1);
  if (text.startsWith("[") && text.endsWith("]")) {
    const items = [...text.slice(1, -1).matchAll(new RegExp(STRING, "g"))].map((m) => m[0].slice(1, -1));
    const rest = text.slice(1, -1).replace(new RegExp(STRING, "g"), "").replace(/[\s,]/g, "");
    if (rest === "") return items;
  }
  throw new UsageError(`line ${line}: cannot read the value ${quote(text)} (a quoted string, a number or a list of quoted strings)`);
}

/** Key-value pairs of a configuration; comments and blank lines skipped, lists may span lines. */
export function parseXenConfig(text: string): Map<string, ConfigValue> {
  const values = new Map<string, ConfigValue>();
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    let statement = lines[i].replace(/#.*$/, "").trim();
    const first = i + 1;
    if (statement === "") continue;
    // A list continues until its closing bracket.
    while (statement.includes("[") && !statement.includes("]") && i + 1 < lines.length)
      statement += ` ${lines[++i].replace(/#.*$/, "").trim()}`;
    const m = ASSIGNMENT.exec(statement);
    if (!m) throw new UsageError(`line ${first}: expected key = value, got ${quote(statement)}`);
    values.set(m[1], parseValue(m[2], first));
  }
  return values;
}

export interface XenDomainOptions {
  host?: string;
  cluster?: string;
  datastore?: string;
  diskGb: number;
  guestOs: string;
}

export interface XenDomain {
  name: string;
  spec: Record<string, unknown>;
  /** Keys the configuration sets that have no counterpart here. */
  ignored: string[];
}

/** 'file:/var/lib/xen/images/a.img,xvda,w' or 'phy:/dev/sda5,xvdb,w' as a VirtualMachine disk. */
function diskOf(entry: string, opts: XenDomainOptions): Record<string, unknown> {
  const [target] = entry.split(",");
  const colon = target.indexOf(":");
  if (colon < 0) throw new UsageError(`disk ${quote(entry)}: expected file:PATH,DEV,MODE or phy:PATH,DEV,MODE`);
  const type = target.slice(0, colon);
  let path = target.slice(colon + 1);
  if (type === "tap") path = path.replace(/^[a-z]+:/, "");
  if (type !== "file" && type !== "tap" && type !== "phy")
    throw new UsageError(`disk ${quote(entry)}: unknown backend ${quote(type)} (file:, tap:aio: or phy:)`);
  if (type === "phy" && !path.startsWith("/dev/")) path = `/dev/${path}`;
  const backend = type === "phy" ? (/\d$/.test(path) && !path.startsWith("/dev/mapper/") ? "partition" : "device") : "image";
  if (opts.datastore === undefined) throw new UsageError("the domain has disks: give --datastore DS, the datastore they live on");
  return { datastore: opts.datastore, sizeGb: opts.diskGb, backend, path };
}

function str(values: Map<string, ConfigValue>, key: string): string | undefined {
  const v = values.get(key);
  if (v === undefined) return undefined;
  if (typeof v !== "string") throw new UsageError(`${key} must be a quoted string`);
  return v;
}

function num(values: Map<string, ConfigValue>, key: string): number | undefined {
  const v = values.get(key);
  if (v === undefined) return undefined;
  const n = typeof v === "string" ? Number(v) : v;
  if (typeof n !== "number" || !Number.isFinite(n)) throw new UsageError(`${key} must be a number`);
  return n;
}

export function xenDomain(text: string, opts: XenDomainOptions): XenDomain {
  const values = parseXenConfig(text);
  const name = str(values, "name");
  if (name === undefined) throw new UsageError("the configuration has no name = '...'");
  const memoryMb = num(values, "memory");
  if (memoryMb === undefined) throw new UsageError("the configuration has no memory = MB");
  const disks = values.get("disk") ?? [];
  if (!Array.isArray(disks)) throw new UsageError("disk must be a list, e.g. ['file:/var/lib/xen/images/a.img,xvda,w']");
  if (opts.host === undefined && opts.cluster === undefined)
    throw new UsageError("give --host H (the Xen host to start the domain on) or --cluster C");
  const hvm = str(values, "builder") === "hvm";
  const paravirtual = values.has("kernel") && !hvm;
  const spec: Record<string, unknown> = {
    ...(opts.host !== undefined ? { host: opts.host } : {}),
    ...(opts.cluster !== undefined ? { cluster: opts.cluster } : {}),
    vcpus: num(values, "vcpus") ?? 1,
    memoryMb,
    guestOs: opts.guestOs,
    ...(hvm ? { virtualization: "hardware" } : paravirtual ? { virtualization: "paravirtual" } : {}),
    disks: disks.map((d) => diskOf(d, opts)),
  };
  const ignored = [...values.keys()].filter((k) => !MAPPED.has(k)).map((k) => clip(k, 40));
  return { name, spec, ignored };
}
