/**
 * A consolidation plan as a Pulumi TypeScript project (Pulumi.yaml, package.json, tsconfig.json,
 * index.ts) declaring the planned cluster, its hosts and one VM per server, pinned to its planned
 * host, with the source server recorded beside each VM and P2V `importFrom` where the inventory names
 * a disk image. The objects are planObjects' (objects.ts), so the program and the runtime agree.
 */
import type { Plan } from "./consolidate";
import { plannedDatastore, plannedVmSpec } from "./objects";

const js = (value: unknown) => JSON.stringify(value);

function sourceNote(server: Plan["vmSpecs"][number]["server"]): string {
  return `${server.cores} cores x ${server.mhz} MHz, ${server.memoryMb} MB, ${server.os} ${server.arch}, CPU ${server.cpuPercent}% / memory ${server.memoryPercent}% used`;
}

export function programIndex(plan: Plan): string {
  const ds = plannedDatastore(plan);
  const lines = [
    `// Planned by \`polyvisor plan consolidate\`: ${plan.placements.length} servers on ${plan.hosts} hosts (lower bound ${plan.lowerBound}).`,
    `import * as pv from "polyvisor";`,
    ``,
    `export = async () => {`,
    `  const cluster = new pv.Cluster(${js(plan.cluster.name)}, ${js(plan.cluster.spec)});`,
  ];
  if (ds) lines.push(`  const images = new pv.Datastore(${js(ds.name)}, { type: "nfs", capacityGb: ${ds.capacityGb} });`);
  lines.push(`  const hosts = [`);
  for (const h of plan.hostSpecs) {
    const spec = ds ? { ...h.spec, datastores: [ds.name] } : h.spec;
    lines.push(`    new pv.Host(${js(h.name)}, ${js(spec)}, { dependsOn: [cluster${ds ? ", images" : ""}] }),`);
  }
  lines.push(`  ];`, `  // Each VM carries one physical server (P2V): the VM's name is the server's.`, `  const vms = [`);
  for (const v of plan.vmSpecs) {
    lines.push(`    // source server ${v.name}: ${sourceNote(v.server)}`);
    lines.push(`    new pv.VirtualMachine(${js(v.name)}, ${js(plannedVmSpec(v, ds?.name))}, { dependsOn: hosts }),`);
  }
  lines.push(
    `  ];`,
    `  // Where each server runs, as the runtime placed it: the plan's host for every one.`,
    `  const servers = ${js(plan.vmSpecs.map((v) => v.name))};`,
    `  return { placements: Object.fromEntries(vms.map((vm, i) => [servers[i], vm.currentHost])) };`,
    `};`,
    ``,
  );
  return lines.join("\n");
}

/** The project's files by name. `polyvisorVersion` is the dependency range package.json asks for. */
export function programFiles(plan: Plan, project: string, polyvisorVersion: string): Record<string, string> {
  return {
    "Pulumi.yaml": `name: ${project}\ndescription: ${plan.placements.length} servers consolidated on ${plan.hosts} hosts, planned by polyvisor\nruntime:\n  name: nodejs\n  options:\n    typescript: true\n`,
    "package.json": `${JSON.stringify(
      {
        name: project,
        private: true,
        main: "index.ts",
        dependencies: { "@pulumi/pulumi": "^3.248.0", polyvisor: polyvisorVersion },
        devDependencies: { "@types/node": "^20.19.43", typescript: "^5.9.3" },
      },
      null,
      2,
    )}\n`,
    "tsconfig.json": `${JSON.stringify(
      {
        compilerOptions: {
          strict: true,
          target: "ES2022",
          module: "commonjs",
          moduleResolution: "node",
          esModuleInterop: true,
          skipLibCheck: true,
        },
        files: ["index.ts"],
      },
      null,
      2,
    )}\n`,
    "index.ts": programIndex(plan),
  };
}
