/**
 * The command reference in docs/reference.md, generated from the CLI's own definitions (names,
 * arguments, options, descriptions and the examples shown by --help), so it lists every command.
 */
import type { Command } from "commander";
import { EXIT_CODES_HELP } from "../cli/errors";
// One module for both: dist/cli/main.js is a bundle holding its own copy of cli/context.
import { buildProgram, examplesOf } from "../cli/main";

function usageOf(command: Command, path: string[]): string {
  const args = command.registeredArguments.map((a) => (a.required ? `<${a.name()}>` : `[${a.name()}]`));
  return ["polyvisor", ...path, ...args].join(" ");
}

function section(command: Command, path: string[]): string[] {
  const out: string[] = [];
  const children = command.commands.filter((c) => c.name() !== "help");
  if (children.length === 0) {
    out.push(`### \`${usageOf(command, path)}\``, "", command.description(), "");
    const options = command.options.filter((o) => o.long !== "--help");
    if (options.length > 0)
      out.push(
        ...options.map(
          (o) =>
            `- \`${o.flags}\`: ${o.description}${o.defaultValue !== undefined && o.defaultValue !== false && !(Array.isArray(o.defaultValue) && o.defaultValue.length === 0) ? ` [${String(o.defaultValue)}]` : ""}`,
        ),
        "",
      );
    const examples = examplesOf(command);
    if (examples.length > 0) out.push("```sh", ...examples.map((e) => `$ ${e}`), "```", "");
  }
  for (const child of children) out.push(...section(child, [...path, child.name()]));
  return out;
}

export function renderCliReference(): string {
  const program = buildProgram();
  const globals = program.options.filter((o) => o.long !== "--help").map((o) => `- \`${o.flags}\`: ${o.description}`);
  return [
    "# Command reference (`polyvisor`)",
    "",
    "Global options, before the command:",
    "",
    ...globals,
    "",
    "```text",
    EXIT_CODES_HELP,
    "```",
    "",
    ...program.commands.flatMap((c) => section(c, [c.name()])),
  ].join("\n");
}
