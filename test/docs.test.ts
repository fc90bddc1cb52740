import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { renderReference } from "../tools/reference";

describe("docs/reference.md", () => {
  it("matches the schemas (regenerate with `npm run docs`)", () => {
    expect(readFileSync(join(__dirname, "..", "docs", "reference.md"), "utf8")).toBe(renderReference());
  });
});
