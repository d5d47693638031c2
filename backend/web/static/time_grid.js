// The week and day views: a column per day under its heading, an all-day row (all-day and
// multi-day events, public holidays named in red), the hours with each timed event placed from
// its start to its end (overlapping ones side by side) and a line at the current time.
// Positions are CSS custom properties set through the CSSOM, which the strict CSP allows.

import { el } from "./dom.js";
import { dayLabel, todayIso, weekday, WEEKDAYS } from "./dates.js";
import { clockOf, isTimedEvent, layOut } from "./day_layout.js";
import { barLanes, isMultiDay } from "./month_bars.js";
import { holidayOn } from "./public_holidays.js";

const WEEKEND_CLASS = { 0: "sun", 6: "sat" };
const MORNING = 7 * 60; // a time grid opens scrolled to this hour
const SHORT = 45; // minutes: a block this short has room for one line

function nowMinutes() {
  const now = new Date();
  return now.getHours() * 60 + now.getMinutes();
}

function dayClasses(iso, base) {
  return [base, WEEKEND_CLASS[weekday(iso)], holidayOn(iso) && "holiday", iso === todayIso() && "today"]
    .filter(Boolean).join(" ");
}

// The day's heading: its number and weekday, a button that shows the day alone.
function dayHead(iso, onOpenDay) {
  const label = `${Number(iso.slice(8))} (${WEEKDAYS[weekday(iso)]})`;
  const button = el("button", { className: "tg-day-button", text: label,
    attrs: { type: "button", "data-date": iso, "aria-label": `${label}, ${dayLabel(iso)}${holidayOn(iso) ? `, ${holidayOn(iso)}` : ""} 하루 보기` } });
  if (iso === todayIso()) button.setAttribute("aria-current", "date");
  button.addEventListener("click", () => onOpenDay(iso));
  return el("div", { className: dayClasses(iso, "tg-cell tg-day-head") }, [button]);
}

function editButton(event, className, text, onEdit) {
  const button = el("button", { className, attrs: { type: "button", "data-id": event.id, title: `${text} ${event.title}`.trim() } });
  if (event.recurring_event_id) button.classList.add("recurring");
  if (text) button.append(el("time", { className: "tg-time", text }), " ");
  if (event.recurring_event_id) button.append(el("span", { className: "recur", text: "↻", attrs: { role: "img", "aria-label": "반복 일정" } }));
  button.append(el("span", { className: "tg-title", text: event.title }));
  button.addEventListener("click", () => onEdit(event.id));
  return button;
}

// The all-day row's cell: the holiday's name, the multi-day events as bars across the days shown
// (lanes as on the month, month_bars.js), then the day's all-day events.
function allDayCell(iso, store, onEdit, lanes) {
  const cell = el("div", { className: dayClasses(iso, "tg-cell tg-allday-cell"), attrs: { "data-date": iso } });
  const holiday = holidayOn(iso);
  // An empty line where another day of the row names a holiday, so the bars' lanes line up.
  cell.append(holiday ? el("p", { className: "holiday-name", text: holiday }) : el("p", { className: "holiday-space", attrs: { "aria-hidden": "true" } }));
  for (const lane of lanes) {
    if (!lane || lane === "through") cell.append(el("span", { className: "tg-bar-space", attrs: { "aria-hidden": "true" } }));
    else cell.append(place(editButton(lane.event, "tg-chip tg-bar", "", onEdit), { span: lane.span }));
  }
  for (const event of store.forDay(iso).filter((one) => !isTimedEvent(one) && !isMultiDay(one))) {
    cell.append(editButton(event, "tg-chip", "", onEdit));
  }
  return cell;
}

function place(node, properties) {
  for (const [name, value] of Object.entries(properties)) node.style.setProperty(`--${name}`, String(value));
  return node;
}

// The day's column on the hours: its timed events placed, the current time's line on today.
function dayColumn(iso, store, onEdit) {
  const column = el("div", { className: dayClasses(iso, "tg-col"), attrs: { "data-date": iso } });
  for (const block of layOut(store.forDay(iso).filter(isTimedEvent))) {
    const text = `${clockOf(block.start)}–${clockOf(block.end)}`;
    const button = editButton(block.event, "tg-event", text, onEdit);
    button.draggable = false; // moved by pointer (time_grid_drag.js), its lower edge resizing it
    if (block.end - block.start <= SHORT) button.classList.add("tg-short"); // time and title on one line
    button.append(el("span", { className: "tg-resize needs-editor", attrs: { "aria-hidden": "true" } }));
    column.append(place(button, { start: block.start, length: block.end - block.start, lane: block.lane, lanes: block.lanes }));
  }
  if (iso === todayIso()) column.append(place(el("div", { className: "tg-now", attrs: { "aria-hidden": "true" } }), { start: nowMinutes() }));
  return column;
}

function hourLabels() {
  const hours = [];
  for (let hour = 0; hour < 24; hour += 1) hours.push(el("div", { className: "tg-hour", text: clockOf(hour * 60) }));
  return el("div", { className: "tg-gutter", attrs: { "aria-hidden": "true" } }, hours);
}

// nodes: {section, head, allDay, body, scroll}; handlers: {onEdit(id), onOpenDay(iso)}.
export function renderTimeGrid(nodes, days, store, handlers) {
  nodes.section.classList.toggle("one-day", days.length === 1);
  nodes.head.replaceChildren(el("div", { className: "tg-corner" }), ...days.map((iso) => dayHead(iso, handlers.onOpenDay)));
  const lanes = barLanes(days, store);
  nodes.allDay.replaceChildren(el("div", { className: "tg-corner tg-allday-label", text: "종일" }),
    ...days.map((iso, column) => allDayCell(iso, store, handlers.onEdit, lanes[column])));
  nodes.body.replaceChildren(hourLabels(), ...days.map((iso) => dayColumn(iso, store, handlers.onEdit)));
  if (!nodes.scroll.dataset.placed && nodes.scroll.clientHeight) {
    nodes.scroll.dataset.placed = "1";
    nodes.scroll.scrollTop = (MORNING / (24 * 60)) * nodes.body.scrollHeight;
  }
}

// The line at the current time follows the clock.
setInterval(() => {
  for (const line of document.querySelectorAll(".tg-now")) place(line, { start: nowMinutes() });
}, 30_000);
