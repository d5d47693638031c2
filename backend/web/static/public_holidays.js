// The Korean public holidays and the company days (GET /api/holidays) of the months shown, kept
// once read: the grid and the day's list name them, in red. Company days change live
// (company_day_added / company_day_removed, see company_days.js).

import { api } from "./api.js";
import { monthRange } from "./dates.js";

const known = new Map(); // "YYYY-MM" -> Map("YYYY-MM-DD" -> [{name, kind}], public first)

// Read the month's holidays unless they are known; true when they were read now.
export async function loadHolidays(month) {
  if (known.has(month)) return false;
  const { from, to } = monthRange(month);
  const { data } = await api(`/api/holidays?from=${from}&to=${to}`);
  const days = new Map();
  for (const day of data) days.set(day.date, [...(days.get(day.date) || []), { name: day.name, kind: day.kind }]);
  known.set(month, days);
  return true;
}

function daysOn(iso) {
  const month = known.get(iso.slice(0, 7));
  return (month && month.get(iso)) || [];
}

// The names of the holiday and company day on `iso` ("어린이날 · 창립기념일"), or "" (none, or its month not read).
export function holidayOn(iso) {
  return daysOn(iso).map((day) => day.name).join(" · ");
}

// The company day's name on `iso`, or "".
export function companyDayOn(iso) {
  const day = daysOn(iso).find((one) => one.kind === "company");
  return day ? day.name : "";
}

// A company day added (name) or removed (null) on `iso`, in a month already read; true when the
// page shows something else now.
export function setCompanyDay(iso, name) {
  const month = known.get(iso.slice(0, 7));
  if (!month) return false;
  const others = (month.get(iso) || []).filter((day) => day.kind !== "company");
  const days = name ? [...others, { name, kind: "company" }] : others;
  if (days.length) month.set(iso, days);
  else month.delete(iso);
  return true;
}

// Forget every month read (after a reconnect: company days may have changed meanwhile).
export function forgetHolidays() {
  known.clear();
}
