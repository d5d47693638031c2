// Drag an event's chip to another day of the month grid to move it there (its last day moves
// with it). The write carries If-Match: someone else's change first is told, not overwritten.
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

async function move(event, iso, handlers) {
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
