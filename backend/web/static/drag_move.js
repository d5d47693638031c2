// Drag an event's chip to another day of the month grid to move it there (its last day moves
// with it), or by keyboard: Alt+arrows on an event of the day's list (a day, a week). Every move
// (also from the week and day views, time_drag.js) goes through moveEvent: an occurrence of a
// series first asks which events move, the write carries If-Match, and someone else's change
// first opens the event's dialog with both versions (handlers.onConflict), never overwritten.

import { api, ApiError } from "./api.js";
import { shiftDay } from "./dates.js";
import { askScope } from "./move_scope.js";
import { daysBetween, seriesWrite } from "./series_move.js";

// handlers: eventOf(id), onStored(event), onSeriesChanged(), onConflict(event, changes, scope,
// current), onFailed(error).
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

// Move `event` to day `iso`, its last day with it.
export function move(event, iso, handlers) {
  const shift = daysBetween(event.event_date, iso);
  if (!shift) return Promise.resolve();
  return moveEvent(event, { event_date: iso, ...(event.end_date ? { end_date: shiftDay(event.end_date, shift) } : {}) }, handlers);
}

// Write `changes` to `event` (for an occurrence, to the events the person chooses).
export async function moveEvent(event, changes, handlers) {
  const scope = event.recurring_event_id ? await askScope(event, changes.event_date || event.event_date) : "";
  if (event.recurring_event_id && !scope) return;
  try {
    const { path, version, body } = scope ? await seriesWrite(event, changes, scope) : { path: `/api/events/${event.id}`, version: event.version, body: changes };
    const { data } = await api(path, { method: "PUT", body, headers: { "If-Match": `"${version}"` } });
    handlers.onStored(data);
    if (scope) handlers.onSeriesChanged();
  } catch (error) {
    if (error instanceof ApiError && error.status === 412 && error.body.current) handlers.onConflict(event, changes, scope, error.body.current);
    else handlers.onFailed(error);
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
    if (!days || !key.altKey || key.ctrlKey || key.metaKey || !event) return;
    if (document.body.dataset.role === "viewer") return;
    key.preventDefault();
    const iso = shiftDay(event.event_date, days);
    onMoving(iso);
    move(event, iso, handlers);
  });
}
