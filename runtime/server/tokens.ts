/**
 * API tokens: 256 random bits shown once, stored as their SHA-256 (a hash of that much entropy needs
 * no salt or slow KDF), checked against every stored hash in constant time.
 */
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import { resolve } from "node:path";
import { Name } from "../../schema";
import { PolyvisorError } from "../api";
import { SqliteStore } from "../store/sqlite";
import type { Store, TokenRecord } from "../store/store";
import type { Role } from "./routes";

const PREFIX = "pv_";

function hashOf(token: string): Buffer {
  return createHash("sha256").update(token, "utf8").digest();
}

export interface Principal {
  role: Role;
  /** The token's name; absent on a server without tokens. */
  name?: string;
}

export class TokenRegistry {
  constructor(private readonly store: Store) {}

  list(): Promise<TokenRecord[]> {
    return this.store.tokens();
  }

  /** Creates a token and returns its secret, which is stored nowhere. */
  async create(role: Role, name: string, now: Date): Promise<string> {
    const parsed = Name.safeParse(name);
    if (!parsed.success)
      throw new PolyvisorError(
        "InvalidSpec",
        { kind: "Token", name: JSON.stringify(name).slice(0, 100), field: "name" },
        parsed.error.issues[0].message,
      );
    const token = PREFIX + randomBytes(32).toString("base64url");
    const added = await this.store.addToken({ name, role, hash: hashOf(token).toString("hex"), createdAt: now.toISOString() });
    if (!added)
      throw new PolyvisorError(
        "Conflict",
        { kind: "Token", name },
        "a token of this name exists; revoke it first or choose another --name",
      );
    return token;
  }

  async revoke(name: string): Promise<void> {
    if (!(await this.store.removeToken(name)))
      throw new PolyvisorError("NotFound", { kind: "Token", name: name.slice(0, 100) }, "no token of this name exists");
  }

  /**
   * Who presents `token`: undefined for no match. Every stored hash is compared, in constant time,
   * so the answer's timing tells nothing about which hash came close.
   */
  async authenticate(token: string, tokens: readonly TokenRecord[]): Promise<Principal | undefined> {
    const presented = hashOf(token);
    let match: TokenRecord | undefined;
    for (const record of tokens) {
      if (timingSafeEqual(presented, Buffer.from(record.hash, "hex")) && !match) match = record;
    }
    return match && { role: match.role, name: match.name };
  }
}

/** A name for a token created without --name: the role and a short random suffix. */
export function defaultTokenName(role: Role): string {
  return `${role}-${randomBytes(3).toString("hex")}`;
}

/** The token registry of a state file, for the `token` commands; close it when done. */
export function openTokenRegistry(statePath: string): { tokens: TokenRegistry; close(): Promise<void> } {
  const store = new SqliteStore(resolve(statePath), { seed: 1 });
  return { tokens: new TokenRegistry(store), close: () => store.close() };
}
