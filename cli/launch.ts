#!/usr/bin/env node
/**
 * The `polyvisor` executable, dist/cli/main.js: the bundled command (cli/main.ts and what it
 * imports, bundled by tools/build-cli.ts) loaded from its code cache. Required as a module, it
 * gives the bundle's exports.
 */
import { loadCli } from "./code-cache";

const cli = loadCli();
export const { buildProgram, examplesOf, main, run } = cli;

if (require.main === module) cli.run();
