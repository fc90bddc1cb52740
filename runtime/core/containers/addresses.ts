/**
 * IP address management in the runtime: the address book is the index of containers by address, so
 * "who holds 10.0.0.7" costs one lookup. A container keeps its addresses for life; a change of
 * `ipAddresses` (or of `ipFrom`) releases the old ones in the same operation.
 */
import type { ContainerSpec, ContainerStatus } from "../../../schema/container";
import { refuse } from "../kernel/errors";
import type { Txn } from "../kernel/txn";
import { formatIpv4 } from "../../../schema/ipv4";
import { type AddressBook, conflicts, nextFree } from "./ipam";

function bookOf(txn: Txn): AddressBook {
  return { get: (address) => txn.related("containersByAddress", formatIpv4(address))[0] };
}

/** The addresses the container holds after this change. */
export function assignAddresses(
  txn: Txn,
  name: string,
  spec: ContainerSpec,
  before: { spec: ContainerSpec; status: ContainerStatus } | undefined,
): string[] {
  const book = bookOf(txn);
  if (spec.ipAddresses.length > 0) {
    const taken = conflicts(book, name, spec.ipAddresses);
    if (taken.length > 0) {
      refuse(
        "Conflict",
        { kind: "Container", name, field: "ipAddresses" },
        `${taken.map((t) => `${t.address} is held by container ${t.holder}`).join("; ")}: addresses are unique across the runtime`,
      );
    }
    return spec.ipAddresses;
  }
  if (spec.ipFrom === undefined) return [];
  if (before && before.spec.ipFrom === spec.ipFrom && before.status.ipAddresses.length > 0) return before.status.ipAddresses;
  const free = nextFree(book, name, spec.ipFrom);
  if (!free) refuse("InsufficientCapacity", { kind: "Container", name, field: "ipFrom" }, `no free address at or after ${spec.ipFrom}`);
  return free;
}
