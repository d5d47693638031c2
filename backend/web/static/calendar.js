// The month grid (weeks start on Sunday; public holidays named in red; a multi-day event one bar
// across its days, month_bars.js) and the list of one day's events.

import { el } from "./dom.js";
import { dayLabel, monthWeeks, shiftDay, timeKey, todayIso, weekday } from "./dates.js";
import { lastDay } from "./store.js";
import { barLanes, isMultiDay } from "./month_bars.js";
import { holidayOn } from "./public_holidays.js";

const WEEKEND_CLASS = { 0: "sun", 6: "sat" };

// marks: the day `selected` (its list shown) and the `current` one, the grid's one stop for Tab
// (the arrows move between the others, grid_keys.js).
function dayCell(iso, store, onOpenDay, { selected, current }, lanes) {
  if (!iso) return el("td", { className: "outside", attrs: { "aria-hidden": "true" } });
  const events = store.forDay(iso);
  const holiday = holidayOn(iso);
  const cell = el("td", { className: WEEKEND_CLASS[weekday(iso)] || "" });
  if (holiday) cell.classList.add("holiday");
  const count = events.length ? `, 일정 ${events.length}개` : "";
  const number = String(Number(iso.slice(8)));
  // The name starts with the number shown, so a person who says what they see (voice control) hits it.
  const button = el("button", {
    className: "day-number", text: number,
    attrs: { type: "button", "data-date": iso, "aria-label": `${number}, ${dayLabel(iso)}${holiday ? `, ${holiday}` : ""}${count}`,
      tabindex: iso === current ? "0" : "-1" },
  });
  if (iso === todayIso()) {
    cell.classList.add("today");
    button.setAttribute("aria-current", "date");
  }
  if (iso === selected) cell.classList.add("selected");
  button.addEventListener("click", () => onOpenDay(iso));
  cell.addEventListener("click", (click) => {
    if (click.target === cell) onOpenDay(iso);
  });
  const chips = el("ul", { className: "chips" }, lanes.map((lane) => (lane && lane !== "through" ? bar(lane, iso)
    : el("li", { className: "bar-space", attrs: { "aria-hidden": "true" } }))));
  for (const event of events.filter((one) => !isMultiDay(one))) chips.append(chipOf(event, iso, "chip"));
  cell.append(button);
  if (holiday) cell.append(el("p", { className: "holiday-name", text: holiday, attrs: { "aria-hidden": "true" } }));
  cell.append(chips);
  return cell;
}

// An event's chip on day `iso`: its start time (on its first day), the series marker, its title.
function chipOf(event, iso, className) {
  const start = startClock(event, iso);
  // An event moves by dragging its chip (drag_move.js), where the page offers editing.
  const movable = document.body.dataset.role !== "viewer";
  const chip = el("li", { className: event.recurring_event_id ? `${className} recurring` : className,
    attrs: { title: start ? `${start} ${event.title}` : event.title, "data-id": event.id, draggable: String(movable) } });
  if (start) chip.append(el("time", { className: "chip-time", text: start }), " ");
  chip.append(...marker(event), event.title);
  return chip;
}

// A multi-day event's bar, from `iso` across `lane.span` days of the week.
function bar(lane, iso) {
  const chip = chipOf(lane.event, iso, "chip bar");
  chip.style.setProperty("--span", String(lane.span));
  if (lane.event.event_date < iso) chip.classList.add("bar-continued"); // began in an earlier week
  if (lastDay(lane.event) > shiftDay(iso, lane.span - 1)) chip.classList.add("bar-continues");
  return chip;
}

export function renderGrid(body, month, store, onOpenDay, marks) {
  const rows = monthWeeks(month).map((week) => {
    const lanes = barLanes(week, store);
    return el("tr", {}, week.map((iso, column) => dayCell(iso, store, onOpenDay, marks, lanes[column])));
  });
  body.replaceChildren(...rows);
}

// When the event starts (HH:MM) as its chip on `iso` shows it: on its first day only, from its
// start time or else a free-text time the page can read ("오후 2:00"); "" for an all-day event.
function startClock(event, iso) {
  if (iso !== event.event_date) return "";
  if (event.start_time) return event.start_time;
  const minutes = timeKey(event.time);
  const two = (number) => String(number).padStart(2, "0");
  return minutes < 0 ? "" : `${two(Math.floor(minutes / 60))}:${two(minutes % 60)}`;
}

// "↻" before an occurrence of a series, read out as "반복 일정".
function marker(event) {
  return event.recurring_event_id ? [el("span", { className: "recur", text: "↻", attrs: { role: "img", "aria-label": "반복 일정" } })] : [];
}

// The time as shown (as the feed and the C# client show it): the structured start–end, else the
// free text of an event that has nothing else (migrated data), else all-day; and the days of a
// multi-day event.
export function timeLabel(event) {
  const clock = event.start_time ? `${event.start_time}${event.end_time ? `–${event.end_time}` : ""}` : "";
  const label = clock || event.time || "종일";
  return event.end_date && event.end_date !== event.event_date
    ? `${label} (${shortDate(event.event_date)}~${shortDate(event.end_date)})` : label;
}

function shortDate(iso) {
  return `${Number(iso.slice(5, 7))}/${Number(iso.slice(8))}`;
}

function audit(event) {
  const made = `작성 ${event.created_by}`;
  return event.updated_by && event.version > 1 ? `${made} · 수정 ${event.updated_by}` : made;
}

function eventItem(event, onEdit) {
  const details = [el("span", { className: "event-time", text: timeLabel(event) }), ...marker(event),
    el("strong", { className: "event-title", text: event.title })];
  const item = el("li", { className: "event", attrs: { "data-id": event.id } }, [el("div", { className: "event-head" }, details)]);
  if (event.description) item.append(el("p", { className: "event-description", text: event.description }));
  if (/^https?:\/\//i.test(event.url || "")) {
    item.append(el("a", { className: "event-url", text: event.url,
      attrs: { href: event.url, target: "_blank", rel: "noopener noreferrer" } }));
  }
  item.append(el("p", { className: "event-audit note", text: audit(event) }));
  const edit = el("button", { className: "secondary needs-editor", text: "편집", attrs: { type: "button", "aria-label": `${event.title} 편집` } });
  edit.addEventListener("click", () => onEdit(event.id));
  item.append(edit);
  return item;
}

export function renderDay(nodes, iso, store, onEdit) {
  const holiday = holidayOn(iso);
  nodes.title.replaceChildren(dayLabel(iso), ...(holiday ? [" ", el("span", { className: "holiday-name", text: holiday })] : []));
  const events = store.forDay(iso);
  nodes.list.replaceChildren(...events.map((event) => eventItem(event, onEdit)));
  nodes.empty.hidden = events.length > 0;
}

// The agenda: each day of the month that has events, in order, with the day's list under it.
export function renderAgenda(nodes, month, store, onEdit) {
  const days = monthWeeks(month).flat().filter((iso) => iso && store.forDay(iso).length);
  nodes.list.replaceChildren(...days.map((iso) => {
    const holiday = holidayOn(iso);
    const title = el("h3", { className: "agenda-day", text: dayLabel(iso) });
    if (holiday) title.append(" ", el("span", { className: "holiday-name", text: holiday }));
    const events = el("ol", { className: "day-events" }, store.forDay(iso).map((event) => eventItem(event, onEdit)));
    return el("li", { attrs: { "data-date": iso } }, [title, events]);
  }));
  nodes.empty.hidden = days.length > 0;
}
