// The event dialog: create, edit and delete one event. The API's validation errors appear next to
// their fields; a 412 (someone changed the event first) shows their version and lets the user
// keep theirs (save again on top of it) or take the other.

import { api, ApiError, describe } from "./api.js";
import { byId, el, say, show } from "./dom.js";

const TEXTS = ["event_date", "title", "time", "description", "url"];
const TIMES = ["start_time", "end_time", "end_date"]; // sent as null when empty (absent: all-day, one day)
const FIELDS = [...TEXTS, ...TIMES];
const LABELS = { title: "제목", event_date: "날짜", time: "시간", description: "설명", url: "링크", updated_by: "바꾼 사람" };

// The RRULE line the repeat controls describe (null: no repeat), e.g.
// "RRULE:FREQ=WEEKLY;BYDAY=MO,WE;COUNT=10" or "RRULE:FREQ=MONTHLY;UNTIL=20250131".
export function repeatRule(form) {
  const freq = form.elements.repeat.value;
  if (!freq) return null;
  const parts = [`FREQ=${freq}`];
  const days = [...form.querySelectorAll('input[name="byday"]:checked')].map((box) => box.value);
  if (freq === "WEEKLY" && days.length) parts.push(`BYDAY=${days.join(",")}`);
  const end = form.elements.repeat_end.value;
  if (end === "until" && form.elements.until.value) parts.push(`UNTIL=${form.elements.until.value.replaceAll("-", "")}`);
  if (end === "count" && form.elements.count.value) parts.push(`COUNT=${form.elements.count.value}`);
  return `RRULE:${parts.join(";")}`;
}

export class EventEditor {
  // onStored(item): an event as stored now (or a tombstone) for the page to show;
  // onSeriesChanged(): occurrences of a series changed (the page lists the month again).
  constructor(onStored, onSeriesChanged) {
    this.onStored = onStored;
    this.onSeriesChanged = onSeriesChanged;
    this.dialog = byId("event-dialog");
    this.form = byId("event-form");
    this.inputs = Object.fromEntries(FIELDS.map((name) => [name, this.form.elements[name]]));
    this.inputs.recurrence = this.form.elements.repeat; // its 400 shows next to the repeat control
    this.form.elements.repeat.addEventListener("change", () => this.showRepeat());
    this.form.elements.repeat_end.addEventListener("change", () => this.showRepeat());
    this.form.addEventListener("submit", (submit) => {
      submit.preventDefault();
      this.save();
    });
    byId("event-cancel").addEventListener("click", () => this.dialog.close());
    byId("event-delete").addEventListener("click", () => this.confirmDelete(true));
    byId("delete-no").addEventListener("click", () => this.confirmDelete(false));
    byId("delete-yes").addEventListener("click", () => this.remove());
    byId("conflict-mine").addEventListener("click", () => this.keepMine());
    byId("conflict-theirs-take").addEventListener("click", () => this.takeTheirs());
  }

  // Open for a new event on `date` (event null) or for editing `event`.
  open(departmentId, event, date) {
    this.departmentId = departmentId;
    this.event = event;
    this.theirs = null;
    byId("event-dialog-title").textContent = event ? "일정 편집" : "새 일정";
    for (const name of FIELDS) this.inputs[name].value = event ? event[name] || "" : "";
    if (!event) this.inputs.event_date.value = date;
    this.occurrence = Boolean(event && event.recurring_event_id);
    this.form.elements.repeat.value = "";
    this.form.elements.repeat_end.value = "";
    this.form.querySelectorAll('input[name="byday"]').forEach((box) => { box.checked = false; });
    this.form.elements.until.value = "";
    this.form.elements.count.value = "";
    this.form.querySelector('input[name="scope"][value="this"]').checked = true;
    show(byId("repeat-box"), !event);
    show(byId("scope-box"), this.occurrence);
    this.showRepeat();
    byId("event-audit").textContent = event ? `작성 ${event.created_by} · 마지막 수정 ${event.updated_by}` : "";
    show(byId("event-delete"), Boolean(event));
    this.reset();
    this.dialog.showModal();
    this.inputs.title.focus();
  }

  reset() {
    this.showErrors({});
    say(byId("event-error"), "");
    show(byId("conflict"), false);
    show(byId("delete-confirm"), false);
  }

  showRepeat() {
    const freq = this.form.elements.repeat.value;
    const end = this.form.elements.repeat_end.value;
    show(byId("repeat-days"), freq === "WEEKLY");
    show(byId("repeat-end"), Boolean(freq));
    show(this.form.elements.until, end === "until");
    show(this.form.elements.until.labels[0], end === "until");
    show(this.form.elements.count, end === "count");
    show(this.form.elements.count.labels[0], end === "count");
  }

  // The body to send: every field (empty times as null), a new event's repeat rule; for an
  // occurrence only what changed (its date and times would move the whole series with `all`).
  values() {
    const values = Object.fromEntries(FIELDS.map((name) => [name, this.inputs[name].value || (TIMES.includes(name) ? null : "")]));
    const rule = this.event ? null : repeatRule(this.form);
    if (rule) values.recurrence = [rule];
    if (!this.occurrence) return values;
    return Object.fromEntries(Object.entries(values).filter(([name, value]) => value !== (this.event[name] ?? (TIMES.includes(name) ? null : ""))));
  }

  scope() {
    return this.form.querySelector('input[name="scope"]:checked').value;
  }

  // Where an edit goes, and its If-Match: for an occurrence with its scope (the occurrence's
  // version is checked for `this`; the series' own for the others is not known here).
  target() {
    if (!this.occurrence) return { path: `/api/events/${this.event.id}`, headers: { "If-Match": `"${this.event.version}"` } };
    const scope = this.scope();
    const headers = scope === "this" ? { "If-Match": `"${this.event.version}"` } : {};
    return { path: `/api/events/${this.event.id}?scope=${scope}`, headers };
  }

  showErrors(fields) {
    for (const name of [...FIELDS, "recurrence"]) {
      const problem = fields[name] || "";
      byId(this.inputs[name].getAttribute("aria-describedby")).textContent = problem;
      if (problem) this.inputs[name].setAttribute("aria-invalid", "true");
      else this.inputs[name].removeAttribute("aria-invalid");
    }
    const first = [...FIELDS, "recurrence"].find((name) => fields[name]);
    if (first) this.inputs[first].focus();
  }

  async save() {
    this.reset();
    const request = this.event
      ? api(this.target().path, { method: "PUT", body: this.values(), headers: this.target().headers })
      : api(`/api/events/${this.departmentId}`, { method: "POST", body: this.values() });
    try {
      this.finish((await request).data);
      if (this.occurrence) this.onSeriesChanged();
    } catch (error) {
      this.failed(error, "save");
    }
  }

  confirmDelete(asking) {
    show(byId("delete-confirm"), asking);
    (asking ? byId("delete-yes") : byId("event-delete")).focus();
  }

  async remove() {
    this.reset();
    try {
      const { path, headers } = this.target();
      await api(path, { method: "DELETE", headers });
      this.finish({ id: this.event.id, department_id: this.event.department_id, deleted: true });
      if (this.occurrence) this.onSeriesChanged();
    } catch (error) {
      this.failed(error, "delete");
    }
  }

  finish(item) {
    this.onStored(item);
    this.dialog.close();
  }

  failed(error, action) {
    if (error instanceof ApiError && error.status === 400 && Object.keys(error.fields).length) {
      this.showErrors(error.fields);
    } else if (error instanceof ApiError && error.status === 412 && error.body.current) {
      this.showConflict(error.body.current, action);
    } else if (error instanceof ApiError && error.status === 404 && this.event) {
      say(byId("event-error"), "이 일정은 그사이 다른 사람이 삭제했습니다.");
      this.onStored({ id: this.event.id, department_id: this.event.department_id, deleted: true });
    } else {
      say(byId("event-error"), describe(error));
    }
  }

  showConflict(current, action) {
    this.theirs = current;
    this.action = action;
    const rows = ["title", "event_date", "time", "description", "url", "updated_by"].flatMap((name) => [
      el("dt", { text: LABELS[name] }), el("dd", { text: current[name] || "—" }),
    ]);
    byId("conflict-theirs").replaceChildren(...rows);
    byId("conflict-mine").textContent = action === "delete" ? "그래도 삭제" : "내 것으로 저장";
    show(byId("conflict"), true);
    byId("conflict-mine").focus();
  }

  // Keep mine: repeat the save (or delete) on top of the version they made.
  keepMine() {
    this.event = this.theirs;
    return this.action === "delete" ? this.remove() : this.save();
  }

  // Take theirs: show their version and close.
  takeTheirs() {
    this.finish(this.theirs);
  }
}
