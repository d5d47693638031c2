// Dragging on the week and day views: an event's block moves to another time (in steps of 15
// minutes) or another day's column; its lower edge resizes its end. The block follows the pointer;
// on release the move goes through moveEvent (drag_move.js): If-Match, a series asks which events
// move, a 412 opens the dialog with both versions. By keyboard, on a block: Alt and ↑/↓ move it
// 15 minutes, Alt and ←/→ a day, Alt+Shift and ↑/↓ move its end.

import { shiftDay } from "./dates.js";
import { moveEvent } from "./drag_move.js";
import { clockOf, spanOf } from "./day_layout.js";

const STEP = 15; // minutes
const DAY_MINUTES = 24 * 60;
const THRESHOLD = 4; // px the pointer moves before a press becomes a drag

function columnAt(body, x) {
  return [...body.querySelectorAll(".tg-col")].find((column) => {
    const { left, right } = column.getBoundingClientRect();
    return x >= left && x < right;
  });
}

// The changes a drag makes: {start, end} and the day dropped on, against the event's span.
function changesOf(drag) {
  const { event, span } = drag;
  if (drag.resize) return drag.end === span.end ? null : { end_time: clockOf(drag.end) };
  if (drag.start === span.start && drag.day === event.event_date) return null;
  const changes = { start_time: clockOf(drag.start), ...(event.time ? { time: "" } : {}) };
  if (event.end_time || drag.end !== drag.start + 60) changes.end_time = clockOf(drag.end);
  if (drag.day !== event.event_date) changes.event_date = drag.day;
  return changes;
}

// Where the block would go for the pointer at (x, y): its start, end and day.
function follow(drag, body, x, y) {
  const steps = Math.round(((y - drag.y) / drag.hour) * (60 / STEP)) * STEP;
  if (drag.resize) {
    drag.end = Math.min(DAY_MINUTES, Math.max(drag.span.start + STEP, drag.span.end + steps));
  } else {
    const length = drag.span.end - drag.span.start;
    drag.start = Math.min(DAY_MINUTES - length, Math.max(0, drag.span.start + steps));
    drag.end = drag.start + length;
    const column = columnAt(body, x);
    if (column) {
      drag.day = column.dataset.date;
      if (drag.block.parentElement !== column) column.append(drag.block);
    }
  }
  drag.block.style.setProperty("--start", String(drag.start));
  drag.block.style.setProperty("--length", String(drag.end - drag.start));
  drag.block.classList.add("dragging");
}

function begin(press, handlers) {
  const block = press.target.closest(".tg-event");
  const event = block && handlers.eventOf(block.dataset.id);
  if (!event || press.button !== 0 || document.body.dataset.role === "viewer") return null;
  const span = spanOf(event);
  const hour = block.parentElement.getBoundingClientRect().height / 24;
  return { block, event, span, hour, x: press.clientX, y: press.clientY, moved: false,
    resize: Boolean(press.target.closest(".tg-resize")), start: span.start, end: span.end, day: event.event_date };
}

// body: the element holding the day columns; handlers as moveEvent's, plus eventOf(id) and redraw().
export function wireTimeDrag(body, handlers) {
  let drag = null;
  body.addEventListener("pointerdown", (press) => {
    drag = begin(press, handlers);
    if (drag) drag.block.setPointerCapture(press.pointerId);
  });
  body.addEventListener("pointermove", (move) => {
    if (!drag) return;
    if (!drag.moved && Math.hypot(move.clientX - drag.x, move.clientY - drag.y) < THRESHOLD) return;
    drag.moved = true;
    follow(drag, body, move.clientX, move.clientY);
  });
  body.addEventListener("pointerup", () => {
    const done = drag;
    drag = null;
    if (!done || !done.moved) return;
    done.block.dataset.dragged = "1"; // the click that follows the release opens nothing
    const changes = changesOf(done);
    // Drawn again after: where it was stored (moved, or back when nothing moved or it was cancelled).
    Promise.resolve(changes && moveEvent(done.event, changes, handlers)).then(handlers.redraw);
  });
  body.addEventListener("click", (click) => {
    const block = click.target.closest(".tg-event");
    if (block && block.dataset.dragged) {
      click.stopPropagation();
      delete block.dataset.dragged;
    }
  }, true);
}

const KEY_STEPS = { ArrowUp: [0, -STEP], ArrowDown: [0, STEP], ArrowLeft: [-1, 0], ArrowRight: [1, 0] };

// The move Alt (+Shift) and an arrow make of `event`, or null past the day's edge.
function keyMove(event, key) {
  const [days, minutes] = KEY_STEPS[key.key];
  const span = spanOf(event);
  const resize = key.shiftKey && Boolean(minutes);
  const start = resize ? span.start : span.start + minutes;
  const end = span.end + minutes;
  if (start < 0 || end > DAY_MINUTES || end <= start) return null;
  return changesOf({ event, span, resize, start, end, day: shiftDay(event.event_date, days) });
}

// handlers as wireTimeDrag's, plus onKeyMoving(iso): the day a key moves an event to, first.
export function wireTimeKeys(body, handlers) {
  body.addEventListener("keydown", (key) => {
    const block = KEY_STEPS[key.key] && key.altKey && key.target.closest && key.target.closest(".tg-event");
    const event = block && handlers.eventOf(block.dataset.id);
    if (!event || key.ctrlKey || key.metaKey || document.body.dataset.role === "viewer") return;
    key.preventDefault();
    const changes = keyMove(event, key);
    if (!changes) return;
    if (changes.event_date) handlers.onKeyMoving(changes.event_date);
    moveEvent(event, changes, handlers);
  });
}
