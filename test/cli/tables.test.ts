/** Tables fit the width they are given: long text cells end in an ellipsis, numbers are never cut. */
import { describe, expect, it } from "vitest";
import { formatSeconds, table } from "../../cli/format";

describe("table", () => {
  const rows: (string | number)[][] = [
    ["a-very-long-virtual-machine-name-that-goes-on", "esx1", 4096],
    ["db1", "a-host-with-a-long-name.example.com", 123456789],
  ];

  it("keeps every line within the width, cutting the widest text columns", () => {
    const out = table(["VM", "HOST", "MEM MB"], rows, 40);
    const lines = out.split("\n");
    expect(Math.max(...lines.map((l) => l.length))).toBeLessThanOrEqual(40);
    expect(lines[1]).toMatch(/^a-very-long-.*…\s+esx1\s+4096$/);
    expect(lines[2]).toMatch(/… +123456789$/);
  });

  it("leaves a table alone when there is room, or no width", () => {
    const wide = table(["VM", "HOST", "MEM MB"], rows, 500);
    expect(wide).toBe(table(["VM", "HOST", "MEM MB"], rows, undefined));
    expect(wide).not.toContain("…");
  });

  it("shows days past a day", () => {
    expect(formatSeconds(3 * 86_400 + 4 * 3600 + 25 * 60)).toBe("3d 04:25:00");
    expect(formatSeconds(86_399)).toBe("23:59:59");
    expect(formatSeconds(59.9996)).toBe("00:01:00");
  });
});
