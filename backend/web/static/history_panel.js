// The event dialog's 변경 기록 (GET /api/events/{department}/{event}/history), read when the
// person opens it: each change newest first, who made it, when (in the browser's time zone) and
// which fields went from what to what. An occurrence of a series shows its own changes and,
// beside them, the series'.

import { dayLabel, momentLabel } from "./dates.js";
import { byId, el, show } from "./dom.js";
import { FIELD_LABELS, FIELD_ORDER } from "./field_labels.js";
import { PagedList } from "./paged_list.js";
import { describeLines } from "./recurrence_form.js";

const ACTIONS = { created: "만듦", updated: "바꿈", deleted: "삭제", restored: "복원", migrated: "옮겨 옴" };
const NOTHING = "(없음)";

export class HistoryPanel {
  constructor() {
    this.panel = byId("event-history");
    this.own = new PagedList("history-own", entryRow);
    this.series = new PagedList("history-series", entryRow);
    this.panel.addEventListener("toggle", () => {
      if (this.panel.open) this.load();
    });
  }

  // The dialog opened on `event` (null: a new event, which has no history).
  open(departmentId, event) {
    this.departmentId = departmentId;
    this.event = event;
    this.panel.open = false;
    this.own.clear();
    this.series.clear();
    show(this.panel, Boolean(event));
    const occurrence = Boolean(event && event.recurring_event_id);
    show(byId("history-series-box"), occurrence);
    byId("history-own-empty").textContent = occurrence ? "이 날짜만 바꾼 기록은 없습니다." : "변경 기록이 없습니다.";
  }

  load() {
    const path = (id) => `/api/events/${this.departmentId}/${encodeURIComponent(id)}/history`;
    this.own.load(path(this.event.id));
    if (this.event.recurring_event_id) this.series.load(path(this.event.recurring_event_id));
  }
}

// One change: what was done, by whom and when, then each field it changed.
function entryRow(entry) {
  const when = el("time", { text: momentLabel(entry.changed_at), attrs: { datetime: entry.changed_at } });
  const head = el("p", { className: "history-head" }, [
    el("strong", { text: actionLabel(entry) }), ` · ${entry.changed_by} · `, when]);
  const rows = changedFields(entry).flatMap(([name, text]) => [el("dt", { text: FIELD_LABELS[name] || name }), el("dd", { text })]);
  return el("li", { className: "history-entry" }, rows.length ? [head, el("dl", { className: "history-fields" }, rows)] : [head]);
}

// What was done; an occurrence's "created" is the day made to differ from its series.
function actionLabel({ action, event_id: id }) {
  return action === "created" && /_\d{8}$/.test(id) ? "이 날짜만 바꿈" : ACTIONS[action] || action;
}

// [field, "before → after"] for a change; [field, value] for a new (or migrated) event's fields.
// A deletion or a restore tells no fields: the event as a whole went or came back.
function changedFields({ action, before, after }) {
  if (action === "updated") {
    const names = FIELD_ORDER.filter((name) => name in (before || {}) || name in (after || {}));
    return names.map((name) => [name, `${shown(name, (before || {})[name])} → ${shown(name, (after || {})[name])}`]);
  }
  if (action !== "created" && action !== "migrated") return [];
  return FIELD_ORDER.filter((name) => after && after[name]).map((name) => [name, shown(name, after[name])]);
}

// A field's value as the page writes it: days in Korean, a rule in words, nothing as (없음).
function shown(name, value) {
  if (value === null || value === undefined || value === "" || (Array.isArray(value) && !value.length)) return NOTHING;
  if (name === "recurrence") return describeLines(value);
  if (name === "event_date" || name === "end_date") return dayLabel(value);
  return String(value);
}
