/**
 * Pulumi sends the creates of independent resources concurrently, so a resource pool's or a VM's
 * reservation can reach the runtime before the hosts that give the cluster its capacity (the pool
 * in `new ResourcePool("web", { cluster: cluster.name, cpu: { reservationMhz: 4000 } })` does not
 * depend on any host). The runtime refuses such a reservation, as vSphere does (and HA admission
 * control refuses a power-on while too few hosts have joined); the provider then waits for the
 * other changes of the same deployment and tries again. Only a change that succeeds can bring
 * capacity: a refused one, another waiting attempt's retry among them, is no reason to try again
 * (two refused changes would otherwise wake each other forever). It gives up, with the runtime's
 * message, once no other change is in flight and none has succeeded for a quiet spell
 * (POLYVISOR_CAPACITY_WAIT_MS, 400 ms by default: the engine sends the next change within it on a
 * machine that is not overloaded; a loaded CI machine may need more).
 */
import { z } from "zod";
import { PolyvisorError, isPolyvisorError } from "../runtime";

const QUIET_MS_DEFAULT = 400;
const QuietMs = z.coerce.number().int().min(1).max(600_000);

function quietMs(): number {
  const raw = process.env.POLYVISOR_CAPACITY_WAIT_MS;
  if (raw === undefined || raw === "") return QUIET_MS_DEFAULT;
  const parsed = QuietMs.safeParse(raw);
  if (!parsed.success)
    throw new PolyvisorError(
      "InvalidSpec",
      { kind: "Environment", name: "POLYVISOR_CAPACITY_WAIT_MS" },
      "must be a whole number of milliseconds from 1 to 600000",
    );
  return parsed.data;
}

let inFlight = 0;
/** Changes that succeeded so far. */
let landed = 0;
let listeners: (() => void)[] = [];

function notify(): void {
  const waiting = listeners;
  listeners = [];
  for (const wake of waiting) wake();
}

/** Runs one runtime change, counting it as in flight so that waiting attempts can see it. */
async function tracked<T>(work: () => Promise<T>): Promise<T> {
  inFlight++;
  notify();
  try {
    const result = await work();
    landed++;
    return result;
  } finally {
    inFlight--;
    notify();
  }
}

/** Resolves true when another change succeeds after `since`, false after a quiet spell with none in flight. */
function otherChangeLanded(since: number): Promise<boolean> {
  const wait = quietMs();
  return new Promise((resolve) => {
    let quiet: NodeJS.Timeout | undefined;
    let done = false;
    const finish = (value: boolean) => {
      done = true;
      clearTimeout(quiet);
      resolve(value);
    };
    const check = () => {
      if (done) return;
      if (landed > since) return finish(true);
      clearTimeout(quiet);
      quiet = inFlight === 0 ? setTimeout(() => finish(false), wait) : undefined;
      listeners.push(check);
    };
    check();
  });
}

/** Refusals that another change of the same deployment (a host joining) can lift. */
const CAPACITY_CODES: ReadonlySet<string> = new Set(["InsufficientCapacity", "AdmissionControl"]);

/** Runs a change; a refusal for capacity is retried while other changes of the deployment land. */
export async function changeWhenCapacityArrives<T>(work: () => Promise<T>): Promise<T> {
  for (;;) {
    const seen = landed;
    try {
      return await tracked(work);
    } catch (e) {
      if (!isPolyvisorError(e) || !CAPACITY_CODES.has(e.code)) throw e;
      if (!(await otherChangeLanded(seen))) throw e;
    }
  }
}
