/**
 * Who holds a SQLite state's write lock: SQLite cannot say, so a long write leaves a note beside
 * the file (`STATE.writer`: pid, what it does, since when) while it holds the lock, and a writer
 * that gave up waiting reads it. Short writes leave none: they never keep anyone waiting long.
 */
import { readFileSync, rmSync, writeFileSync } from "node:fs";

interface WriterNote {
  pid: number;
  operation: string;
  sinceMs: number;
}

function notePath(statePath: string): string {
  return `${statePath}.writer`;
}

/** Leaves the note; call it once the write lock is held, so a waiter never reads a note of its own. */
export function leaveWriterNote(statePath: string, operation: string): void {
  const note: WriterNote = { pid: process.pid, operation, sinceMs: Date.now() };
  try {
    writeFileSync(notePath(statePath), JSON.stringify(note));
  } catch {
    // A note that cannot be written only makes a waiter's message less precise.
  }
}

export function removeWriterNote(statePath: string): void {
  rmSync(notePath(statePath), { force: true });
}

/** "pid 4242, advance 3600 s, for 12.3 s", or what is known when no long writer left a note. */
export function describeHolder(statePath: string): string {
  try {
    const note = JSON.parse(readFileSync(notePath(statePath), "utf8")) as WriterNote;
    const seconds = Math.max(0, (Date.now() - note.sinceMs) / 1000);
    return `pid ${Number(note.pid)}, ${String(note.operation).slice(0, 80)}, for ${seconds.toFixed(1)} s`;
  } catch {
    return "another process; it left no note of what it does";
  }
}
