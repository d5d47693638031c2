// The Korean public holidays (GET /api/holidays) of the months shown, kept once read: the grid
// and the day's list name them, in red.

import { api } from "./api.js";
import { monthRange } from "./dates.js";

const known = new Map(); // "YYYY-MM" -> Map("YYYY-MM-DD" -> name)

// Read the month's holidays unless they are known; true when they were read now.
export async function loadHolidays(month) {
  if (known.has(month)) return false;
  const { from, to } = monthRange(month);
  const { data } = await api(`/api/holidays?from=${from}&to=${to}`);
  known.set(month, new Map(data.map((day) => [day.date, day.name])));
  return true;
}

// The holiday's name on `iso`, or "" (no holiday, or its month not read).
export function holidayOn(iso) {
  const month = known.get(iso.slice(0, 7));
  return (month && month.get(iso)) || "";
}
