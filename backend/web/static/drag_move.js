// Drag an event's chip to another day of the month grid to move it there (its last day moves
// with it), or by keyboard: Alt+arrows on an event of the day's list (a day, a week). The write carries If-Match: someone else's change first is told, not overwritten.
// A series' occurrences are not dragged (which of them to move is the dialog's question).

import { api } from "./api.js";
import { shiftDay } from "./dates.js";

const DAY_MS = 24 * 60 * 60 * 1000;

function daysBetween(from, to) {
  return Math.round((Date.parse(to) - Date.parse(from)) / DAY_MS);
}

// handlers: eventOf(id), onStored(event), onFailed(error).
export function wireDragMove(body, handlers) {
  let dragged = null;
  body.addEventListener("dragstart", (drag) => {
    const chip = drag.target.closest && drag.target.closest(".chip[draggable='true']");
    if (!chip) return;
    dragged = chip.dataset.id;
    drag.dataTransfer.setData("text/plain", dragged);
    drag.dataTransfer.effectAllowed = "move";
  });
  body.addEventListener("dragover", (over) => {
    if (dragged && over.target.closest("td button[data-date], td:has(button[data-date])")) over.preventDefault();
  });
  body.addEventListener("drop", (drop) => {
    const cell = drop.target.closest("td");
    const day = cell && cell.querySelector("button[data-date]");
    const event = dragged && handlers.eventOf(dragged);
    dragged = null;
    if (!day || !event) return;
    drop.preventDefault();
    move(event, day.dataset.date, handlers);
  });
  body.addEventListener("dragend", () => {
    dragged = null;
  });
}

// Move `event` to day `iso` (a single event; a series' occurrence is left to the dialog).
export async function move(event, iso, handlers) {
  if (event.recurring_event_id) return;
  const shift = daysBetween(event.event_date, iso);
  if (!shift) return;
  const changes = { event_date: iso, ...(event.end_date ? { end_date: shiftDay(event.end_date, shift) } : {}) };
  try {
    const { data } = await api(`/api/events/${event.id}`, { method: "PUT", body: changes, headers: { "If-Match": `"${event.version}"` } });
    handlers.onStored(data);
  } catch (error) {
    handlers.onFailed(error);
  }
}

const KEY_DAYS = { ArrowLeft: -1, ArrowRight: 1, ArrowUp: -7, ArrowDown: 7 };

// Alt+arrow on an event's button in `list` (li[data-id]) moves it a day or a week; onMoving(iso)
// first says where it goes.
export function wireKeyMove(list, handlers, onMoving) {
  list.addEventListener("keydown", (key) => {
    const days = KEY_DAYS[key.key];
    const item = key.target.closest && key.target.closest("li[data-id]");
    const event = item && handlers.eventOf(item.dataset.id);
    if (!days || !key.altKey || key.ctrlKey || key.metaKey || !event || event.recurring_event_id) return;
    if (document.body.dataset.role === "viewer") return;
    key.preventDefault();
    const iso = shiftDay(event.event_date, days);
    onMoving(iso);
    move(event, iso, handlers);
  });
}
