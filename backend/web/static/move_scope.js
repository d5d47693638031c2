// Moving an occurrence of a series (by drag or key) first asks which of its events move: this one,
// this and the following, or all. Resolves to "this", "following", "all", or "" (cancelled).

import { byId } from "./dom.js";
import { dayLabel } from "./dates.js";

export function askScope(event, to) {
  const dialog = byId("move-scope-dialog");
  byId("move-scope-what").textContent = `'${event.title}' (${dayLabel(event.event_date)}) → ${dayLabel(to)}`;
  dialog.returnValue = "";
  dialog.showModal();
  dialog.querySelector('button[value="this"]').focus();
  return new Promise((resolve) => {
    dialog.addEventListener("close", () => resolve(dialog.returnValue), { once: true });
  });
}
