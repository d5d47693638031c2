// What a moved occurrence of a series writes, by the scope chosen: `this` changes the occurrence
// (its version as If-Match); `following` and `all` change the series (its version, read now). With
// `all` the series' first day moves as far as the occurrence did; a weekly rule's weekdays move
// with a move to another weekday, its other lines kept (with `following`, those from this day on,
// and a count what is left of it).

import { api } from "./api.js";
import { shiftDay } from "./dates.js";
import { withRule } from "./recurrence_form.js";

const DAYS = ["SU", "MO", "TU", "WE", "TH", "FR", "SA"];
const DAY_MS = 24 * 60 * 60 * 1000;

export function daysBetween(from, to) {
  return Math.round((Date.parse(to) - Date.parse(from)) / DAY_MS);
}

// The RRULE line with its BYDAY weekdays `days` later (null when it has none).
function shiftedRule(lines, days) {
  const rule = (lines || []).find((line) => /^RRULE:/i.test(line));
  if (!rule || !/BYDAY=/i.test(rule)) return null;
  return rule.replace(/BYDAY=([A-Z,]+)/i, (_, list) => `BYDAY=${list.split(",")
    .map((day) => DAYS[(DAYS.indexOf(day.toUpperCase()) + (days % 7) + 7) % 7]).join(",")}`);
}

// {path, version, body} of the write that moves `event` (an occurrence) by `changes` for `scope`.
export async function seriesWrite(event, changes, scope) {
  const path = `/api/events/${event.id}?scope=${scope}`;
  if (scope === "this") return { path, version: event.version, body: changes };
  const { data: series } = await api(`/api/events/${event.department_id}/${event.recurring_event_id}`);
  const days = changes.event_date ? daysBetween(event.event_date, changes.event_date) : 0;
  const body = { ...changes };
  if (scope === "all" && days) {
    body.event_date = shiftDay(series.event_date, days);
    if (series.end_date) body.end_date = shiftDay(series.end_date, days);
  }
  let rule = days % 7 ? shiftedRule(series.recurrence, days) : null;
  if (rule && scope === "following") rule = await countedFrom(rule, event, series);
  if (rule) body.recurrence = withRule(series.recurrence, rule, scope === "all" ? "" : event.original_date);
  return { path, version: series.version, body };
}

// With `following` the rule starts again at this occurrence: a COUNT counts what is left of it
// (the occurrences before it listed; one listing reaches back a year at most).
async function countedFrom(rule, event, series) {
  const match = /COUNT=(\d+)/i.exec(rule);
  if (!match || event.original_date <= series.event_date) return rule;
  const to = shiftDay(event.original_date, -1);
  const { data } = await api(`/api/events/${event.department_id}?from=${series.event_date}&to=${to}`);
  const before = data.filter((one) => one.recurring_event_id === series.id && one.original_date < event.original_date).length;
  return rule.replace(/COUNT=\d+/i, `COUNT=${Math.max(1, Number(match[1]) - before)}`);
}
