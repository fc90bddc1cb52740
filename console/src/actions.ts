/**
 * Operator actions: every one goes through the API with the console's token, so the server's roles
 * decide; a refusal is shown with the runtime's own message (the arithmetic of an admission refusal).
 */
import { api } from "./api";
import { h } from "./dom";
import { refresh } from "./state";

let toastArea: HTMLElement | null = null;

export function toasts(): HTMLElement {
  return (toastArea ??= h("div", { class: "toasts", role: "status", "aria-live": "polite" }));
}

export function notify(text: string, kind: "ok" | "error"): void {
  const toast = h(
    "div",
    { class: `toast toast-${kind}` },
    h("span", {}, text),
    h("button", { class: "link", "aria-label": "Dismiss", onclick: () => toast.remove() }, "×"),
  );
  toasts().prepend(toast);
  if (kind === "ok") setTimeout(() => toast.remove(), 4000);
}

/** Runs an action, then re-reads everything (the events it caused arrive on the stream too). */
export async function act(label: string, work: () => Promise<unknown>): Promise<void> {
  try {
    await work();
    notify(label, "ok");
  } catch (e) {
    notify(e instanceof Error ? e.message : String(e), "error");
  }
  refresh();
}

export function actionButton(
  text: string,
  accessibleName: string,
  onclick: () => void,
  opts: { disabled?: boolean; tone?: "danger" | "primary" } = {},
): HTMLElement {
  return h(
    "button",
    {
      class: `btn ${opts.tone ? `btn-${opts.tone}` : ""}`,
      "aria-label": accessibleName,
      title: accessibleName,
      disabled: opts.disabled,
      onclick,
    },
    text,
  );
}

export const advance = (seconds: number, label: string) => act(`advanced ${label}`, () => api.advance(seconds));
/** 0 pauses the server's clock; otherwise it follows wall time at that many simulated seconds per second. */
export const setSpeed = (speed: number) => act(speed === 0 ? "clock paused" : `clock running at ${speed}x`, () => api.setSpeed(speed));
