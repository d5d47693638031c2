// Which view the page shows and of which days, as the URL keeps it: the month grid and its 목록
// as ?month=YYYY-MM (&view=agenda), a week or a day as ?view=week|day&date=YYYY-MM-DD (the
// department before either). Reload, back and forward show the same.

import { dayLabel, monthLabel, monthRange, parseMonth, shiftDay, shiftMonth, todayIso, weekday } from "./dates.js";

export const VIEWS = ["month", "week", "day", "agenda"];
const TIMED = ["week", "day"];
const PREVIOUS = { month: "이전 달", agenda: "이전 달", week: "이전 주", day: "이전 날" };
const NEXT = { month: "다음 달", agenda: "다음 달", week: "다음 주", day: "다음 날" };

// Whether `view` is a time grid (a week or a day with hours).
export function isTimed(view) {
  return TIMED.includes(view);
}

// "YYYY-MM-DD" when `text` is a real date, else null.
export function parseDate(text) {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text || "");
  return match && parseMonth(text.slice(0, 7)) && shiftDay(text, 0) === text ? text : null;
}

// state.view, state.date (the day a week or day view shows) and state.month from the URL.
export function readView(state, params) {
  state.view = VIEWS.includes(params.get("view")) ? params.get("view") : "month";
  // A week or a day without a (real) date: today's.
  state.date = isTimed(state.view) ? parseDate(params.get("date")) || todayIso() : null;
  state.month = state.date ? state.date.slice(0, 7) : parseMonth(params.get("month")) || todayIso().slice(0, 7);
}

// The view's part of the URL's query.
export function writeView(state, params) {
  if (isTimed(state.view)) {
    params.set("view", state.view);
    params.set("date", state.date);
    return;
  }
  params.set("month", state.month);
  if (state.view !== "month") params.set("view", state.view);
}

// The Sunday its week starts on.
export function weekStart(iso) {
  return shiftDay(iso, -weekday(iso));
}

// The days a week or day view shows, in order.
export function daysShown(state) {
  if (state.view === "day") return [state.date];
  const first = weekStart(state.date);
  return [0, 1, 2, 3, 4, 5, 6].map((days) => shiftDay(first, days));
}

// The days listed from the API ({from, to}) for the view.
export function rangeShown(state) {
  if (!isTimed(state.view)) return monthRange(state.month);
  const days = daysShown(state);
  return { from: days[0], to: days[days.length - 1] };
}

// The months a view's days fall in (a week may cross into the next).
export function monthsShown(state) {
  const { from, to } = rangeShown(state);
  return [...new Set([from.slice(0, 7), to.slice(0, 7)])];
}

// Go to `view` showing `date` (a week or a day) or the month of it.
export function goTo(state, view, date) {
  state.view = view;
  state.date = isTimed(view) ? date : null;
  state.month = date.slice(0, 7);
}

// One step back (-1) or on (1): a month, a week or a day.
export function step(state, delta) {
  if (state.view === "week") goTo(state, "week", shiftDay(state.date, 7 * delta));
  else if (state.view === "day") goTo(state, "day", shiftDay(state.date, delta));
  else state.month = shiftMonth(state.month, delta);
}

// The heading over the view: "2031년 3월", "2031년 3월 9일 – 15일" or a day's label.
export function viewTitle(state) {
  if (!isTimed(state.view)) return monthLabel(state.month);
  if (state.view === "day") return dayLabel(state.date);
  const days = daysShown(state);
  const last = days[6];
  const [year, month, day] = days[0].split("-").map(Number);
  const end = last.slice(0, 7) === days[0].slice(0, 7) ? `${Number(last.slice(8))}일`
    : last.slice(0, 4) === days[0].slice(0, 4) ? `${Number(last.slice(5, 7))}월 ${Number(last.slice(8))}일`
      : `${last.slice(0, 4)}년 ${Number(last.slice(5, 7))}월 ${Number(last.slice(8))}일`;
  return `${year}년 ${month}월 ${day}일 – ${end}`;
}

// The names of the buttons before and after the heading.
export function stepNames(view) {
  return { previous: PREVIOUS[view], next: NEXT[view] };
}
