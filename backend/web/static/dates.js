// Dates as the API writes them (YYYY-MM-DD), months (YYYY-MM) and their Korean labels.

export const WEEKDAYS = ["일", "월", "화", "수", "목", "금", "토"];

function pad(number) {
  return String(number).padStart(2, "0");
}

export function isoDate(year, month, day) {
  return `${year}-${pad(month)}-${pad(day)}`;
}

export function todayIso() {
  const now = new Date();
  return isoDate(now.getFullYear(), now.getMonth() + 1, now.getDate());
}

// "YYYY-MM" when `text` is a real month, else null.
export function parseMonth(text) {
  const match = /^(\d{4})-(\d{2})$/.exec(text || "");
  return match && Number(match[2]) >= 1 && Number(match[2]) <= 12 ? text : null;
}

export function shiftMonth(month, delta) {
  const [year, number] = month.split("-").map(Number);
  const moved = new Date(year, number - 1 + delta, 1);
  return `${moved.getFullYear()}-${pad(moved.getMonth() + 1)}`;
}

// The day `days` after (or before) `iso`.
export function shiftDay(iso, days) {
  const [year, month, day] = iso.split("-").map(Number);
  const moved = new Date(year, month - 1, day + days);
  return isoDate(moved.getFullYear(), moved.getMonth() + 1, moved.getDate());
}

export function monthRange(month) {
  const [year, number] = month.split("-").map(Number);
  const days = new Date(year, number, 0).getDate();
  return { from: `${month}-01`, to: `${month}-${pad(days)}`, days };
}

// The month's weeks, Sunday first: each an array of 7 dates ("YYYY-MM-DD") or null outside it.
export function monthWeeks(month) {
  const [year, number] = month.split("-").map(Number);
  const { days } = monthRange(month);
  const cells = Array(new Date(year, number - 1, 1).getDay()).fill(null);
  for (let day = 1; day <= days; day += 1) cells.push(isoDate(year, number, day));
  while (cells.length % 7) cells.push(null);
  const weeks = [];
  for (let start = 0; start < cells.length; start += 7) weeks.push(cells.slice(start, start + 7));
  return weeks;
}

export function monthLabel(month) {
  const [year, number] = month.split("-").map(Number);
  return `${year}년 ${number}월`;
}

export function weekday(iso) {
  const [year, month, day] = iso.split("-").map(Number);
  return new Date(year, month - 1, day).getDay();
}

export function dayLabel(iso) {
  const [year, month, day] = iso.split("-").map(Number);
  return `${year}년 ${month}월 ${day}일 (${WEEKDAYS[weekday(iso)]})`;
}

// A moment the API wrote (UTC, e.g. "2031-03-12T05:07:09.123456Z") as a Korean day and a 24-hour
// time of the browser's time zone, e.g. "2031년 3월 12일 (수) 14:07".
export function momentLabel(timestamp) {
  const moment = new Date(String(timestamp).replace(/(\.\d{3})\d+/, "$1"));
  const day = isoDate(moment.getFullYear(), moment.getMonth() + 1, moment.getDate());
  return `${dayLabel(day)} ${pad(moment.getHours())}:${pad(moment.getMinutes())}`;
}

// Minutes after midnight of a time as people write it ("오후 2:00", "14:00", "2:00 PM",
// "14:00-15:30"); -1 for anything else (shown first, as an all-day event).
export function timeKey(text) {
  const match = /^\s*(오전|오후)?\s*(\d{1,2})(?::(\d{2}))?\s*(am|pm)?/i.exec(text || "");
  if (!match) return -1;
  let hours = Number(match[2]) % 24;
  const afternoon = match[1] === "오후" || (match[4] || "").toLowerCase() === "pm";
  if (afternoon && hours < 12) hours += 12;
  if ((match[1] === "오전" || (match[4] || "").toLowerCase() === "am") && hours === 12) hours = 0;
  return hours * 60 + Number(match[3] || 0);
}
