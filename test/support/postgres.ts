/**
 * A real PostgreSQL server for the store tests: POLYVISOR_TEST_POSTGRES when set (a connection string
 * of a user that may create databases), else a throwaway cluster started from Debian's binaries
 * (/usr/lib/postgresql/N/bin) in a temp folder on a free port, stopped by `stop()`. Each test gets its
 * own database. Without either, the suite is skipped, except in CI (CI=1), where that is a failure.
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Client } from "pg";

export interface TestPostgres {
  /** A new, empty database; its connection string. */
  createDatabase(): Promise<string>;
  /** Crashes the server (immediate stop), leaves it down for `downMs`, and starts it again; only a throwaway cluster can. */
  restart?: (downMs: number) => Promise<void>;
  stop(): Promise<void>;
}

function binDir(): string | undefined {
  const root = "/usr/lib/postgresql";
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root)
    .filter((v) => existsSync(join(root, v, "bin", "initdb")))
    .sort((a, b) => Number(b) - Number(a));
  return versions.length ? join(root, versions[0], "bin") : undefined;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** Runs a PostgreSQL binary; as root, as the postgres user (initdb and postgres refuse to run as root). */
function runPg(bin: string, args: string[]): void {
  const asRoot = process.getuid?.() === 0;
  const [file, argv] = asRoot ? ["runuser", ["-u", "postgres", "--", bin, ...args]] : [bin, args];
  execFileSync(file, argv, { stdio: ["ignore", "ignore", "pipe"] });
}

let counter = 0;

function withDatabases(adminUrl: string, stop: () => Promise<void>, restart?: TestPostgres["restart"]): TestPostgres {
  return {
    restart,
    async createDatabase() {
      const name = `polyvisor_test_${process.pid}_${Date.now().toString(36)}_${counter++}`;
      const admin = new Client({ connectionString: adminUrl });
      await admin.connect();
      try {
        await admin.query(`CREATE DATABASE ${name}`);
      } finally {
        await admin.end();
      }
      const url = new URL(adminUrl);
      url.pathname = `/${name}`;
      return url.toString();
    },
    stop,
  };
}

/** Starts (or connects to) a server; undefined when none can run here. */
export async function startTestPostgres(): Promise<TestPostgres | undefined> {
  const given = process.env.POLYVISOR_TEST_POSTGRES;
  if (given) return withDatabases(given, async () => {});
  const bin = binDir();
  if (!bin) return undefined;
  const dir = mkdtempSync(join(tmpdir(), "polyvisor-pg-"));
  if (process.getuid?.() === 0) execFileSync("chown", ["-R", "postgres", dir]);
  const data = join(dir, "data");
  runPg(join(bin, "initdb"), ["-D", data, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync", "--no-instructions"]);
  const port = await freePort();
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off -c max_connections=200`;
  const start = () => runPg(join(bin, "pg_ctl"), ["-D", data, "-o", options, "-l", join(dir, "server.log"), "-w", "start"]);
  const crash = () => runPg(join(bin, "pg_ctl"), ["-D", data, "-m", "immediate", "-w", "stop"]);
  start();
  let stopped = false;
  return withDatabases(
    `postgres://postgres@127.0.0.1:${port}/postgres`,
    async () => {
      if (stopped) return;
      stopped = true;
      try {
        crash();
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
    async (downMs) => {
      crash();
      await new Promise((resolve) => setTimeout(resolve, downMs));
      start();
    },
  );
}

/** Whether a PostgreSQL suite can run here; in CI it must (its setup then fails loudly when it cannot). */
export function postgresExpected(): boolean {
  return Boolean(process.env.CI || process.env.POLYVISOR_TEST_POSTGRES || binDir());
}

/** Why the PostgreSQL suite cannot run, as a failure in CI and a skip elsewhere. */
export const NO_POSTGRES = "no PostgreSQL server: set POLYVISOR_TEST_POSTGRES or install Debian's postgresql (apt-get install postgresql)";
