/** The planning commands' part of docs/reference.md, generated from the CLI's own definitions. */
import type { Command } from "commander";
import { buildProgram } from "../cli/main";
import { INVENTORY_COLUMNS, SAMPLE_COLUMNS } from "../runtime/planning/inventory";

/** The commands documented here, by their path under `polyvisor`. */
const DOCUMENTED = [["plan", "consolidate"], ["what-if"]];

function find(program: Command, path: string[]): Command {
  return path.reduce((cmd, name) => {
    const next = cmd.commands.find((c) => c.name() === name);
    if (!next) throw new Error(`no command ${path.join(" ")}`);
    return next;
  }, program);
}

const cell = (text: string) => text.replace(/\|/g, "\\|");

function commandSection(program: Command, path: string[]): string {
  const cmd = find(program, path);
  const rows = cmd.options.map((o) => `| \`${cell(o.flags)}\` | ${o.defaultValue === undefined || (Array.isArray(o.defaultValue) && o.defaultValue.length === 0) ? "" : `\`${cell(String(o.defaultValue))}\``} | ${cell(o.description)} |`);
  return [`### polyvisor ${path.join(" ")} ${cmd.usage()}`, "", cmd.description(), "", "| option | default | notes |", "|---|---|---|", ...rows].join("\n");
}

export function renderCommandReference(): string {
  const program = buildProgram();
  return [
    "## Commands: planning",
    "",
    "Generated from the CLI's definitions. Global options: `--state PATH`, `--url URL`, `--json`; exit codes 0 success, 1 refused, 2 bad usage.",
    `The inventory is CSV with the header \`${INVENTORY_COLUMNS.join(",")}\` (more columns allowed; \`image\` names a raw disk image to import) or a JSON array of the same objects; samples are CSV \`${SAMPLE_COLUMNS.join(",")}\`, one row per server and time.`,
    "What-if steps (`--steps FILE`, or `runtime.whatIf(steps)`): `{type: \"failHost\", host, mode?}`, `{type: \"recoverHost\", host}`, `{type: \"addHost\", name, spec}`, `{type: \"removeHost\", name}`, `{type: \"advance\", seconds}`, `{type: \"apply\", kind, name, spec}`, `{type: \"delete\", kind, name}`.",
    "",
    ...DOCUMENTED.flatMap((path) => [commandSection(program, path), ""]),
  ].join("\n");
}
