import { describe, expect, it } from "vitest";
import { z } from "zod";
import { invalidInput } from "../../runtime/core/kernel/errors";
import { issueField } from "../../schema/issues";

const Options = z.strictObject({ mode: z.enum(["crash", "isolation"]).optional(), limits: z.strictObject({ n: z.number() }).optional() });

function firstIssue(value: unknown) {
  const parsed = Options.safeParse(value);
  if (parsed.success) throw new Error("expected a zod issue");
  return parsed.error;
}

describe("zod issues as refusals", () => {
  it("names a nested field by its path, an unknown key by itself, and the whole input when no field is to blame", () => {
    expect(issueField(firstIssue({ limits: { n: "x" } }).issues[0], "options")).toBe("limits.n");
    expect(issueField(firstIssue({ limits: { n: 1, m: 2 } }).issues[0], "options")).toBe("limits.m");
    expect(issueField(firstIssue("crash").issues[0], "options")).toBe("options");
  });

  it("invalidInput is InvalidSpec naming the subject, the field and zod's reason", () => {
    const e = invalidInput({ kind: "Host", name: "esx1" }, firstIssue({ mode: "melt" }), "options");
    expect(e.code).toBe("InvalidSpec");
    expect(e.field).toBe("mode");
    expect(e.message).toMatch(/^InvalidSpec: Host esx1: field mode: /);
  });
});
