/** The planning facade: what the CLI (and programs) use to plan a consolidation. */
export { type HaPolicy, type Plan, planConsolidation } from "./consolidate";
export { parseInventory, parseSamples, samplesByServer } from "./inventory";
export { programFiles } from "./program";
