import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { renderReference } from "../tools/reference";

describe("docs/reference.md", () => {
  it("matches the schemas (regenerate with `npm run docs`)", () => {
    expect(readFileSync(join(__dirname, "..", "docs", "reference.md"), "utf8")).toBe(renderReference());
  });

  it("explains every spec field: each row has notes (a `.describe()` on the field)", () => {
    const fieldRows = renderReference()
      .split("\n")
      .filter((line) => line.startsWith("| `"));
    const undescribed = fieldRows.filter((line) => /\|\s*\|$/.test(line)).map((line) => line.split("`")[1]);
    expect(fieldRows).not.toHaveLength(0);
    expect(undescribed).toEqual([]);
  });
});
