/** `polyvisor token create|list|revoke`: the API tokens of a server's state file. */
import type { Cli } from "../context";
import type { Role } from "../../runtime/server/routes";
import type { TokenRegistry } from "../../runtime/server/tokens";
import { UsageError, table } from "../format";

export function registerToken({ program }: Cli): void {
  const globals = () => program.opts<{ state?: string; json?: boolean }>();
  // The registry's modules (the server's roles, the store) are loaded by the token commands alone.
  const withTokens = async (work: (tokens: TokenRegistry) => Promise<void>) => {
    const { defaultStatePath } = await import("../../runtime");
    const { openTokenRegistry } = await import("../../runtime/server/tokens");
    const registry = openTokenRegistry(globals().state ?? defaultStatePath());
    try {
      await work(registry.tokens);
    } finally {
      await registry.close();
    }
  };
  const token = program.command("token").description("API tokens of `polyvisor serve` (stored hashed in the state)");
  token
    .command("create")
    .description("create a token and print it (alone, once: it is stored only as a hash)")
    .requiredOption("--role <role>", "viewer (reads), operator (also host failures, the clock, DRS) or admin (everything)")
    .option("--name <name>", "a name to list and revoke it by (default: the role and a random suffix)")
    .action(async (o: { role: string; name?: string }) => {
      const { ROLES } = await import("../../runtime/server/routes");
      if (!(ROLES as readonly string[]).includes(o.role))
        throw new UsageError(`--role must be one of ${ROLES.join(", ")}, got "${o.role.slice(0, 40)}"`);
      const role = o.role as Role;
      const { defaultTokenName } = await import("../../runtime/server/tokens");
      return withTokens(async (tokens) => {
        process.stdout.write(`${await tokens.create(role, o.name ?? defaultTokenName(role), new Date())}\n`);
      });
    });
  token
    .command("list")
    .description("the tokens by name, with role and creation time (never the secret)")
    .action(() =>
      withTokens(async (tokens) => {
        const list = (await tokens.list()).map(({ name, role, createdAt }) => ({ name, role, createdAt }));
        process.stdout.write(
          `${
            globals().json
              ? JSON.stringify(list, null, 2)
              : table(
                  ["NAME", "ROLE", "CREATED"],
                  list.map((t) => [t.name, t.role, t.createdAt]),
                )
          }\n`,
        );
      }),
    );
  token
    .command("revoke <name>")
    .description("revoke a token: requests carrying it are refused from now on")
    .action((name: string) => withTokens((tokens) => tokens.revoke(name)));
}
