import { z } from "zod";
import { Name } from "./common";

/**
 * What an alarm watches, like vCenter's and Virtuozzo's alarms: each metric belongs to one kind of
 * target and is raised above its threshold, or below it for the capacities that run out.
 */
export const ALARM_METRICS = {
  hostCpuUsedPercent: { target: "Host", raisedWhen: "above", describe: "CPU used, percent of the host's capacity" },
  hostMemoryUsedPercent: { target: "Host", raisedWhen: "above", describe: "memory used, percent of the host's capacity" },
  clusterImbalance: {
    target: "Cluster",
    raisedWhen: "above",
    describe: "DRS imbalance of the last pass (standard deviation of normalized entitlements)",
  },
  haFailoverCapacity: { target: "Cluster", raisedWhen: "below", describe: "host failures HA can tolerate now (current failover capacity)" },
  datastoreFreePercent: { target: "Datastore", raisedWhen: "below", describe: "free space, percent of the datastore's capacity" },
  vmCpuReadyPercent: {
    target: "VirtualMachine",
    raisedWhen: "above",
    describe: "CPU the VM demands but does not get, percent of its demand",
  },
  vmEntitlementShortfallMhz: { target: "VirtualMachine", raisedWhen: "above", describe: "CPU demand beyond the VM's entitlement, in MHz" },
} as const;
export type AlarmMetric = keyof typeof ALARM_METRICS;
const METRIC_NAMES = Object.keys(ALARM_METRICS) as [AlarmMetric, ...AlarmMetric[]];

export const AlarmSpec = z
  .strictObject({
    target: z
      .strictObject({
        kind: z.enum(["Cluster", "Host", "Datastore", "VirtualMachine"]).describe("Kind of the watched object"),
        name: Name.describe("Name of the watched object"),
      })
      .describe("The object the alarm watches"),
    metric: z
      .enum(METRIC_NAMES)
      .describe(
        `What is watched: ${METRIC_NAMES.map((m) => `${m} (${ALARM_METRICS[m].target}: ${ALARM_METRICS[m].describe}; raised ${ALARM_METRICS[m].raisedWhen} the threshold)`).join(", ")}`,
      ),
    threshold: z.number().min(-1e9).max(1e9).describe("The value the metric is compared with"),
    forSeconds: z
      .number()
      .min(0)
      .max(366 * 86400)
      .default(0)
      .describe("How long the condition must hold, in simulated seconds, before the alarm is raised"),
    severity: z.enum(["warning", "critical"]).default("warning").describe("How the console and /metrics show a raised alarm"),
  })
  .superRefine((alarm, ctx) => {
    const wanted = ALARM_METRICS[alarm.metric].target;
    if (alarm.target.kind !== wanted)
      ctx.addIssue({
        code: "custom",
        path: ["target", "kind"],
        message: `metric ${alarm.metric} watches a ${wanted}, not a ${alarm.target.kind}`,
      });
  });
export type AlarmSpec = z.infer<typeof AlarmSpec>;
export type AlarmSpecInput = z.input<typeof AlarmSpec>;

export const AlarmStatus = z.object({
  observedGeneration: z.int(),
  /** normal; pending: the condition holds but not yet for forSeconds; raised. */
  state: z.enum(["normal", "pending", "raised"]),
  /** The metric now; null when the target cannot be measured (missing, or a VM powered off). */
  value: z.number().nullable(),
  /** Since when the state has held (pending: since the condition began). */
  sinceSeconds: z.number().nullable(),
  /** How many times the alarm has been raised. */
  raisedCount: z.int(),
});
export type AlarmStatus = z.infer<typeof AlarmStatus>;
