/**
 * place() over a table of hosts, for lists long enough that the walk's cost per host decides. The
 * walk calls every plugin on every host record, and each call works the guest's fit out again from
 * the host's spec. The table keeps what the hottest plugins read in columns instead: per host, its
 * state, failover role and load totals (re-read only when the host's record is replaced, which is how
 * every change to a host shows); per guest class (the guest shape and its memory size, which decide
 * the resolution and overheads) and host, whether the guest runs there and its overheads (worked out
 * again only when the host's spec is replaced). HostState, FailoverHosts, Compatibility, Capacity,
 * Balance and DrsBalance are answered from the columns with the plugins' own arithmetic; any other
 * plugin the request needs (pinning, rules, storage, CPU compatibility) is called as in the walk.
 * Every host is still filtered, so the feasible count is exact, and ties still go to the name that
 * sorts first: the result is the walk's, bit for bit (test/runtime/placement-table.property.test.ts).
 *
 * Tables are kept by the list's length and first host (lists are rebuilt per decision from the same
 * records, so identity of the list says little); a table serves any list, each slot checked against
 * its record. Keeping them is a cache only: a table that was built for another list just re-reads
 * the slots that differ, and the answer never depends on what was kept.
 */
import type { HostSpec } from "../../../schema/host";
import { hostCpuMhz } from "../allocation/vm-claims";
import type { HostRecord } from "../kernel/model";
import type { PlacementPlugin, PlacementRequest } from "./plugin";
import { guestOnHost } from "./guest-on-host";
import { balance, balanceScore, coresOf, loadAfter } from "./plugins/balance";
import { capacity } from "./plugins/capacity";
import { compatibility } from "./plugins/compatibility";
import { drsBalance, drsBalanceScore } from "./plugins/drs-balance";
import { failoverHosts, keepsOffFailoverHosts } from "./plugins/failover-hosts";
import { hostState, takesVms } from "./plugins/host-state";
import { tidy } from "./score-rounding";

type Filter = NonNullable<PlacementPlugin["filter"]>;
type Score = NonNullable<PlacementPlugin["score"]>;

const OTHER = 0;
const BALANCE = 1;
const DRS_BALANCE = 2;

/** A profile's applying plugins, split into what the table answers and what it calls. */
export interface TablePlan {
  /** Tells plans apart in the keys of kept scores. */
  id: number;
  hostState: boolean;
  failoverHosts: boolean;
  compatibility: boolean;
  capacity: boolean;
  /** Filters the table does not answer, called per host. */
  others: Filter[];
  /** Every scorer in the profile's order (the order of the sum), marked by what the table computes itself. */
  scorers: { kind: number; weight: number; score: Score }[];
  /** Every scorer is tabled: totals may be kept (otherwise other scorers come first in the sum). */
  keepScores: boolean;
  /**
   * Every scorer is tabled and weighs positively: a host's score with the guest is then at most its
   * score without it (each tabled score falls as load rises), a bound that spares working out the
   * scores of hosts that cannot win.
   */
  bounded: boolean;
}

let plans = 0;

export function tablePlan(applying: readonly { plugin: PlacementPlugin; weight: number }[]): TablePlan {
  const tabled = new Set<PlacementPlugin>([hostState, failoverHosts, compatibility, capacity]);
  const has = (p: PlacementPlugin) => applying.some((a) => a.plugin === p);
  const scorers = applying.flatMap(({ plugin, weight }) =>
    plugin.score && weight !== 0
      ? [{ kind: plugin === balance ? BALANCE : plugin === drsBalance ? DRS_BALANCE : OTHER, weight, score: plugin.score }]
      : [],
  );
  return {
    id: plans++,
    hostState: has(hostState),
    failoverHosts: has(failoverHosts),
    compatibility: has(compatibility),
    capacity: has(capacity),
    others: applying.flatMap(({ plugin }) => (plugin.filter && !tabled.has(plugin) ? [plugin.filter] : [])),
    scorers,
    keepScores: scorers.every((s) => s.kind !== OTHER),
    bounded: scorers.every((s) => s.kind !== OTHER && s.weight > 0),
  };
}

/** One guest class on every host of a table: filled per slot on first use, and again once the host's spec is replaced. */
class GuestColumn {
  /** The slot's specVersion when filled (0: never). */
  readonly specVersion: Uint32Array;
  readonly compatible: Uint8Array;
  readonly cpuOverheadPercent: Float64Array;
  readonly memoryOverheadMb: Float64Array;

  constructor(readonly size: number) {
    this.specVersion = new Uint32Array(size);
    this.compatible = new Uint8Array(size);
    this.cpuOverheadPercent = new Float64Array(size);
    this.memoryOverheadMb = new Float64Array(size);
  }

  fill(i: number, specVersion: number, host: HostRecord, req: PlacementRequest): void {
    const on = guestOnHost(host, req);
    this.specVersion[i] = specVersion;
    this.compatible[i] = on.compatible ? 1 : 0;
    this.cpuOverheadPercent[i] = on.cpuOverheadPercent;
    this.memoryOverheadMb[i] = on.memoryOverheadMb;
  }
}

/**
 * For one set of request figures (keptKey), per slot: whether the host passes the tabled filters and
 * its total score when every scorer is tabled (NaN until a decision needs it), valid while the slot
 * keeps the record they were worked out for. Between two decisions of the same figures only the hosts
 * that changed are worked out again.
 */
class KeptVerdicts {
  readonly recordVersion: Uint32Array;
  readonly passes: Uint8Array;
  readonly score: Float64Array;
  /** Decisions served since the set was made (or cleared for other figures). */
  decisions = 0;

  constructor(size: number) {
    this.recordVersion = new Uint32Array(size);
    this.passes = new Uint8Array(size);
    this.score = new Float64Array(size);
  }

  /** Forgets every verdict, so that the arrays serve another set of figures. */
  clear(): this {
    this.recordVersion.fill(0);
    this.decisions = 0;
    return this;
  }
}

/** Per slot, a bound on the host's total score with a guest (bounded plans), valid for the slot's record version. */
class ScoreBounds {
  readonly recordVersion: Uint32Array;
  readonly score: Float64Array;

  constructor(size: number) {
    this.recordVersion = new Uint32Array(size);
    this.score = new Float64Array(size);
  }
}

/** Guest classes kept per table before they are all dropped (a bound on memory, not a tuning knob). */
const MAX_COLUMNS = 256;
/**
 * Verdicts kept over all tables, in host slots (about 27 MB): past it the oldest set of figures goes
 * first, whichever table holds it. In a running world demand makes most entitlements new, so most
 * sets are never met again; the bound keeps them from piling up.
 */
const KEPT_CELLS = 1 << 21;
const keptInOrder = new Map<KeptVerdicts, { table: HostTable; key: string }>();
let keptCells = 0;

class HostTable {
  readonly records: (HostRecord | undefined)[];
  readonly specs: (HostSpec | undefined)[];
  readonly names: string[];
  /** Bumped each time the slot's record (or spec) is replaced; 0: never read. */
  readonly recordVersion: Uint32Array;
  readonly specVersion: Uint32Array;
  readonly takesVms: Uint8Array;
  readonly failoverHost: Uint8Array;
  readonly cpuCapacityMhz: Float64Array;
  readonly memoryCapacityMb: Float64Array;
  readonly cpuReservedMhz: Float64Array;
  readonly memoryReservedMb: Float64Array;
  readonly vcpusCommitted: Float64Array;
  readonly cores: Float64Array;
  readonly memoryCommittedMb: Float64Array;
  readonly cpuEntitlementMhz: Float64Array;
  readonly memoryEntitlementMb: Float64Array;
  private readonly columns = new Map<string, GuestColumn>();
  private readonly kept = new Map<string, KeptVerdicts>();
  /** By plan and guest vCPUs. */
  private readonly bounds = new Map<string, ScoreBounds>();

  constructor(readonly size: number) {
    this.records = new Array<HostRecord | undefined>(size).fill(undefined);
    this.specs = new Array<HostSpec | undefined>(size).fill(undefined);
    this.names = new Array<string>(size).fill("");
    this.unsorted = size;
    this.recordVersion = new Uint32Array(size);
    this.specVersion = new Uint32Array(size);
    this.takesVms = new Uint8Array(size);
    this.failoverHost = new Uint8Array(size);
    this.cpuCapacityMhz = new Float64Array(size);
    this.memoryCapacityMb = new Float64Array(size);
    this.cpuReservedMhz = new Float64Array(size);
    this.memoryReservedMb = new Float64Array(size);
    this.vcpusCommitted = new Float64Array(size);
    this.cores = new Float64Array(size);
    this.memoryCommittedMb = new Float64Array(size);
    this.cpuEntitlementMhz = new Float64Array(size);
    this.memoryEntitlementMb = new Float64Array(size);
  }

  read(i: number, host: HostRecord): void {
    const s = host.status;
    this.records[i] = host;
    this.recordVersion[i]++;
    if (this.specs[i] !== host.spec) {
      this.specs[i] = host.spec;
      this.specVersion[i]++;
    }
    if (this.names[i] !== host.name) this.rename(i, host.name);
    this.takesVms[i] = takesVms(host) ? 1 : 0;
    this.failoverHost[i] = s.haFailoverHost === true ? 1 : 0;
    this.cpuCapacityMhz[i] = s.cpuCapacityMhz;
    this.memoryCapacityMb[i] = s.memoryCapacityMb;
    this.cpuReservedMhz[i] = s.cpuReservedMhz;
    this.memoryReservedMb[i] = s.memoryReservedMb;
    this.vcpusCommitted[i] = s.vcpusCommitted;
    this.cores[i] = coresOf(host);
    this.memoryCommittedMb[i] = s.memoryCommittedMb;
    this.cpuEntitlementMhz[i] = s.cpuEntitlementMhz;
    this.memoryEntitlementMb[i] = s.memoryEntitlementMb;
  }

  /**
   * Slots whose name does not sort after the one before (slot 0 is counted until named): at 0 the
   * names ascend, so a later host never wins a tie and the loop need not compare names.
   */
  unsorted: number;

  private rename(i: number, name: string): void {
    const { names } = this;
    const outOfOrder = (j: number) => ((j === 0 ? names[0] === "" : !(names[j - 1] < names[j])) ? 1 : 0);
    const last = i + 1 < this.size ? i + 1 : i;
    for (let j = i; j <= last; j++) this.unsorted -= outOfOrder(j);
    names[i] = name;
    for (let j = i; j <= last; j++) this.unsorted += outOfOrder(j);
  }

  /** The guest class: every guest field the resolution and overheads read (the guest shape, the memory size). */
  column(key: string): GuestColumn {
    let column = this.columns.get(key);
    if (column === undefined) {
      if (this.columns.size >= MAX_COLUMNS) this.columns.clear();
      this.columns.set(key, (column = new GuestColumn(this.size)));
    }
    return column;
  }

  keptVerdicts(key: string): KeptVerdicts {
    let verdicts = this.kept.get(key);
    if (verdicts === undefined) {
      // Sets dropped for room are reused when they fit: a failover wave asks for a new set per restart.
      let reusable: KeptVerdicts | undefined;
      for (const [set, { table, key: oldest }] of keptInOrder) {
        if (keptCells + this.size <= KEPT_CELLS) break;
        table.kept.delete(oldest);
        keptInOrder.delete(set);
        keptCells -= table.size;
        if (table.size === this.size) reusable = set;
      }
      this.kept.set(key, (verdicts = reusable?.clear() ?? new KeptVerdicts(this.size)));
      keptInOrder.set(verdicts, { table: this, key });
      keptCells += this.size;
    }
    return verdicts;
  }

  scoreBounds(plan: TablePlan, vcpus: number): ScoreBounds {
    const key = `${plan.id}/${vcpus}`;
    let bounds = this.bounds.get(key);
    if (bounds === undefined) this.bounds.set(key, (bounds = new ScoreBounds(this.size)));
    return bounds;
  }
}

const MAX_TABLES = 16;
const tables = new Map<string, HostTable>();

function tableFor(hosts: readonly HostRecord[]): HostTable {
  const key = `${hosts.length}/${hosts[0].name}`;
  let table = tables.get(key);
  if (table === undefined) {
    if (tables.size >= MAX_TABLES) tables.delete(tables.keys().next().value as string);
    tables.set(key, (table = new HostTable(hosts.length)));
  }
  return table;
}

export interface Choice {
  /** Index in the list of the host chosen, -1 when none passes every filter. */
  best: number;
  score: number;
  feasible: number;
}

/**
 * What place() decides among `hosts` (not empty), answered through a host table. One function with
 * every column in a local: the loop calls out (to fill a column, to other plugins), after which the
 * engine would otherwise load each column from its owner again for every host.
 */
export function chooseThroughTable(plan: TablePlan, req: PlacementRequest, hosts: readonly HostRecord[]): Choice {
  const t = tableFor(hosts);
  const { records, names, recordVersion, specVersion, takesVms, failoverHost } = t;
  const { cpuCapacityMhz, memoryCapacityMb, cpuReservedMhz, memoryReservedMb } = t;
  for (let i = 0; i < hosts.length; i++) if (records[i] !== hosts[i]) t.read(i, hosts[i]);
  const unsorted = t.unsorted !== 0;
  const { spec, cpuReservationMhz, memoryReservationMb } = req;
  const classKey = `${req.guestId}/${spec.memoryMb}/${spec.memoryOverheadMb}`;
  const column = t.column(classKey);
  const { compatible, cpuOverheadPercent, memoryOverheadMb } = column;
  const filled = column.specVersion;
  const { others, hostState: onlyTakingVms, compatibility: onlyCompatible, capacity: withRoom } = plan;
  const keepOffFailover = plan.failoverHosts && keepsOffFailoverHosts(req.purpose);
  // Every figure the tabled filters and scorers read besides the host's record and the guest class.
  const kept = t.keptVerdicts(
    `${plan.id}/${classKey}/${keepOffFailover}/${cpuReservationMhz}/${memoryReservationMb}/${req.cpuEntitlementMhz}/${req.memoryEntitlementMb}`,
  );
  const keptVersion = kept.recordVersion;
  const keptPasses = kept.passes;
  const keptScore = kept.score;
  const { keepScores } = plan;
  // Bounds pay on a set's first decision, when every host is new to it and most have their bound kept
  // from other decisions. Later, the hosts new to the set are those that changed since: mostly the hosts
  // chosen meanwhile, the least loaded, whose bounds rarely spare a score.
  const bounds = plan.bounded && kept.decisions++ === 0 ? boundsFor(t, plan, hosts.length, req.spec.vcpus) : undefined;
  let best = -1;
  let bestScore = Number.NEGATIVE_INFINITY;
  let feasible = 0;
  eachHost: for (let i = 0; i < hosts.length; i++) {
    if (keptVersion[i] === recordVersion[i]) {
      if (keptPasses[i] === 0) continue;
    } else {
      // HostState, FailoverHosts, Compatibility and Capacity, those the plan holds, then the tabled scores.
      keptVersion[i] = recordVersion[i];
      keptPasses[i] = 0;
      if (onlyTakingVms && takesVms[i] === 0) continue;
      if (keepOffFailover && failoverHost[i] === 1) continue;
      if (filled[i] !== specVersion[i]) column.fill(i, specVersion[i], hosts[i], req);
      if (onlyCompatible && compatible[i] === 0) continue;
      // Capacity's test (plugins/capacity.ts): each need, overhead included, against what is unreserved.
      const percent = cpuOverheadPercent[i];
      const cpuNeedMhz = hostCpuMhz(cpuReservationMhz, percent);
      const memoryNeedMb = memoryReservationMb + memoryOverheadMb[i];
      if (withRoom && (cpuNeedMhz > cpuCapacityMhz[i] - cpuReservedMhz[i] || memoryNeedMb > memoryCapacityMb[i] - memoryReservedMb[i]))
        continue;
      keptPasses[i] = 1;
      keptScore[i] = Number.NaN;
    }
    for (let f = 0; f < others.length; f++) if (others[f](req, hosts[i]) !== undefined) continue eachHost;
    feasible++;
    let score = keptScore[i];
    if (Number.isNaN(score)) {
      // A host whose score without the guest is below the best cannot win, nor tie: its score waits.
      if (bounds !== undefined && bounds[i] < bestScore) continue;
      // Kept verdicts outlive a column dropped for room: the scores read it, so it may need filling again.
      if (filled[i] !== specVersion[i]) column.fill(i, specVersion[i], hosts[i], req);
      const percent = cpuOverheadPercent[i];
      score = totalScore(
        t,
        i,
        plan,
        req,
        hostCpuMhz(cpuReservationMhz, percent),
        memoryReservationMb + memoryOverheadMb[i],
        req.spec.vcpus,
        req.spec.memoryMb,
        hostCpuMhz(req.cpuEntitlementMhz, percent),
        req.memoryEntitlementMb + memoryOverheadMb[i],
      );
      if (keepScores) keptScore[i] = score;
    }
    if (score > bestScore || (score === bestScore && unsorted && names[i] < names[best])) {
      best = i;
      bestScore = score;
    }
  }
  return { best, score: bestScore, feasible };
}

/**
 * Each of the first `size` hosts' total score with only the guest's vCPUs added (bounded plans), by
 * the same arithmetic as a decision's: adding the rest of the guest's needs, none negative, can only
 * lower it. The vCPUs are what most often decides a host's load, and guests have few distinct counts,
 * so bounds are kept per count. Worked out again only for the hosts whose record changed; apart from
 * the decision's loop, which stays small.
 */
function boundsFor(t: HostTable, plan: TablePlan, size: number, vcpus: number): Float64Array {
  const bounds = t.scoreBounds(plan, vcpus);
  for (let i = 0; i < size; i++) {
    if (bounds.recordVersion[i] === t.recordVersion[i]) continue;
    bounds.recordVersion[i] = t.recordVersion[i];
    bounds.score[i] = totalScore(t, i, plan, undefined, 0, 0, vcpus, 0, 0, 0);
  }
  return bounds.score;
}

/**
 * The host's total score: every scorer in the profile's order, as the walk sums them, the tabled ones
 * from the columns plus what the guest adds there (in host terms, overheads included); `req` for the others.
 */
function totalScore(
  t: HostTable,
  i: number,
  plan: TablePlan,
  req: PlacementRequest | undefined,
  cpuReservedMhz: number,
  memoryReservedMb: number,
  vcpus: number,
  memoryMb: number,
  cpuEntitlementMhz: number,
  memoryEntitlementMb: number,
): number {
  const { scorers } = plan;
  let total = 0;
  for (let k = 0; k < scorers.length; k++) {
    const s = scorers[k];
    let part: number;
    if (s.kind === BALANCE) {
      part = balanceScore(
        loadAfter(
          t.cpuReservedMhz[i] + cpuReservedMhz,
          t.cpuCapacityMhz[i],
          t.memoryReservedMb[i] + memoryReservedMb,
          t.memoryCapacityMb[i],
          t.vcpusCommitted[i] + vcpus,
          t.cores[i],
          t.memoryCommittedMb[i] + memoryMb,
        ),
      );
    } else if (s.kind === DRS_BALANCE) {
      part = drsBalanceScore(
        t.cpuEntitlementMhz[i] + cpuEntitlementMhz,
        t.cpuCapacityMhz[i],
        t.memoryEntitlementMb[i] + memoryEntitlementMb,
        t.memoryCapacityMb[i],
      );
    } else {
      part = s.score(req!, t.records[i]!);
    }
    total += s.weight * part;
  }
  return tidy(total);
}
