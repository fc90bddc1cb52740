import { describe, expect, it } from "vitest";
import { parseInventory, parseSamples, percentile, samplesByServer } from "../../runtime/planning/inventory";

const HEADER = "name,os,arch,cores,mhz,memoryMb,diskGb,cpuPercent,memoryPercent";

describe("inventory", () => {
  it("reads CSV with extra columns, quoted fields and comments, and JSON", () => {
    const csv = `# exported from the CMDB\n${HEADER},owner,image\nweb1,linux,x86_64,4,3000,8192,40,25,50,"Ops, team",/img/web1.img\n`;
    expect(parseInventory(csv, "a.csv")).toEqual([
      {
        name: "web1",
        os: "linux",
        arch: "x86_64",
        cores: 4,
        mhz: 3000,
        memoryMb: 8192,
        diskGb: 40,
        cpuPercent: 25,
        memoryPercent: 50,
        image: "/img/web1.img",
      },
    ]);
    const json = JSON.stringify([
      { name: "db", os: "windows", arch: "x86", cores: 2, mhz: 2000, memoryMb: 4096, diskGb: 80, cpuPercent: 10, memoryPercent: 70 },
    ]);
    expect(parseInventory(json, "a.json")[0].name).toBe("db");
  });

  it("refuses bad rows naming the server, the field and why, with bounded values", () => {
    expect(() => parseInventory(`${HEADER}\nx,beos,x86,1,2000,512,1,1,1\n`, "a.csv")).toThrow(/InvalidSpec: Server x: field os:/);
    expect(() => parseInventory(`${HEADER}\nx,linux,x86,1,2000,512,1,${"9".repeat(500)},1\n`, "a.csv")).toThrow(
      /field cpuPercent: .*\(got 9{40}\.\.\.\)$/,
    );
    expect(() => parseInventory(`name,os\nx,linux\n`, "a.csv")).toThrow(
      /InvalidSpec: Inventory a.csv: field header: missing column\(s\) arch, cores/,
    );
    expect(() => parseInventory(`${HEADER}\nx,linux,x86,1,2000,512,1,1\n`, "a.csv")).toThrow(
      /Inventory a.csv line 2: 8 fields, the header has 9/,
    );
    expect(() => parseInventory(`${HEADER}\nx,linux,x86,1,2000,512,1,1,1\nx,linux,x86,1,2000,512,1,1,1\n`, "a.csv")).toThrow(
      /InvalidSpec: Server x: field name: listed twice/,
    );
    expect(() => parseInventory(`[{"name": `, "a.json")).toThrow(/InvalidSpec: Inventory a.json: not valid JSON/);
    expect(() => parseInventory(`[{"name": "x"}]`, "a.json")).toThrow(/InvalidSpec: Server x: field os:/);
  });

  it("samples must cover every server at every time", () => {
    const servers = parseInventory(`${HEADER}\na,linux,x86,1,2000,512,1,1,1\nb,linux,x86,1,2000,512,1,1,1\n`, "a.csv");
    const ok = parseSamples("name,time,cpuPercent,memoryPercent\na,01,10,20\na,02,30,40\nb,02,5,5\nb,01,6,6\n", "s.csv");
    expect(
      samplesByServer(servers, ok, "s.csv")
        .byServer.get("b")!
        .map((s) => s.cpuPercent),
    ).toEqual([6, 5]);
    const missing = parseSamples("name,time,cpuPercent,memoryPercent\na,01,10,20\na,02,30,40\nb,01,6,6\n", "s.csv");
    expect(() => samplesByServer(servers, missing, "s.csv")).toThrow(/InvalidSpec: Server b: field time: no sample at 02/);
  });

  it("percentile is the nearest rank: always a measured value", () => {
    expect(percentile([5, 1, 4, 2, 3], 95)).toBe(5);
    expect(percentile([5, 1, 4, 2, 3], 50)).toBe(3);
    expect(percentile([5, 1, 4, 2, 3], 1)).toBe(1);
  });
});
