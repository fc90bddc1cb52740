/**
 * IP address management: every IPv4 address belongs to at most one container in the runtime.
 * Addresses are kept as 32-bit integers so that "the next free address after x" is arithmetic; the
 * address book maps each held address to its holder. All functions are pure: they answer what an
 * assignment would be, and the caller records it.
 * Glossary: IPAM = IP address management.
 */
import { formatIpv4, parseIpv4 } from "../../../schema/ipv4";

/** Who holds an address (as an integer), if anyone: a Map, or a view over the runtime's index. */
export interface AddressBook {
  get(address: number): string | undefined;
}

const LAST_ADDRESS = 0xffffffff;

export interface AddressConflict {
  address: string;
  holder: string;
}

/** The addresses in `wanted` that another container than `holder` holds, with who holds them. */
export function conflicts(book: AddressBook, holder: string, wanted: readonly string[]): AddressConflict[] {
  const found: AddressConflict[] = [];
  for (const address of wanted) {
    const other = book.get(parseIpv4(address));
    if (other !== undefined && other !== holder) found.push({ address, holder: other });
  }
  return found;
}

/**
 * The `count` lowest addresses at or after `from` that nobody but `holder` holds, in order; undefined
 * when the address space ends first. Farms call it member by member, so a farm built from one start
 * address gets consecutive addresses, stepping over those others hold.
 */
export function nextFree(book: AddressBook, holder: string, from: string, count = 1): string[] | undefined {
  const out: string[] = [];
  for (let n = parseIpv4(from); out.length < count; n++) {
    if (n > LAST_ADDRESS) return undefined;
    const other = book.get(n);
    if (other === undefined || other === holder) out.push(formatIpv4(n));
  }
  return out;
}

/** The book after `holder` gives up its old addresses and takes `addresses` (which must be free to it). */
export function reassign(
  book: ReadonlyMap<number, string>,
  holder: string,
  old: readonly string[],
  addresses: readonly string[],
): Map<number, string> {
  const next = new Map(book);
  for (const a of old) if (next.get(parseIpv4(a)) === holder) next.delete(parseIpv4(a));
  for (const a of addresses) {
    const n = parseIpv4(a);
    const other = next.get(n);
    if (other !== undefined && other !== holder) throw new Error(`internal: ${a} is held by ${other}, not free to ${holder}`);
    next.set(n, holder);
  }
  return next;
}
