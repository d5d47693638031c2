// What the event dialog asks before deleting: which event, and for a series with `following` from
// which day and, when the series ends by a date within a listing's reach, how many occurrences.

import { api } from "./api.js";
import { dayLabel } from "./dates.js";
import { shapeOf } from "./recurrence_form.js";

const MAX_LIST_DAYS = 366; // the most one listing spans (backend/rules/date_range.py)
const DAY_MS = 24 * 60 * 60 * 1000;

function daysBetween(from, to) {
  return Math.round((Date.parse(to) - Date.parse(from)) / DAY_MS);
}

// How many occurrences of `series` fall on `from` or later: counted over one listing when the
// series ends by a date (UNTIL) within its reach; null when that cannot be told so cheaply.
async function occurrencesFrom(departmentId, series, from) {
  const shape = shapeOf(series.recurrence);
  if (!shape || shape.end !== "until" || daysBetween(from, shape.until) > MAX_LIST_DAYS) return null;
  try {
    const { data } = await api(`/api/events/${departmentId}?from=${from}&to=${shape.until}`);
    return data.filter((event) => event.recurring_event_id === series.id).length;
  } catch {
    return null;
  }
}

// The question, e.g. "2031년 3월 17일 (월)부터 '스터디' 일정 3개를 삭제할까요?".
export async function deleteQuestion({ departmentId, event, series, scope }) {
  const title = `'${event.title}'`;
  if (!event.recurring_event_id || scope === "this") return `${title} 일정을 삭제할까요?`;
  if (scope === "all") return `${title} 반복 일정을 처음부터 끝까지 모두 삭제할까요?`;
  const from = event.original_date || event.event_date;
  const count = series ? await occurrencesFrom(departmentId, series, from) : null;
  return count
    ? `${dayLabel(from)}부터 ${title} 일정 ${count}개를 삭제할까요?`
    : `${dayLabel(from)}과 그 이후의 ${title} 일정을 모두 삭제할까요?`;
}
