/** The planning facade: what the CLI (and programs) use to plan a consolidation. */
export { type HaPolicy, type Plan, planConsolidation } from "./consolidate";
export { HostModelFields, defaultFeatures, parseHosts } from "./hosts-file";
export { parseInventory, parseSamples, samplesByServer } from "./inventory";
export { programFiles } from "./program";
