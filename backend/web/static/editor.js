// The event dialog: create, edit and delete one event. The API's validation errors appear next to
// their fields (in Korean); a 412 (someone changed the event or its series first) shows their
// version and lets the user keep theirs (save again on top of it) or take the other. Editing an
// occurrence reads its series, whose rule the repeat controls show and may change.

import { api, ApiError, describe } from "./api.js";
import { deleteQuestion } from "./delete_question.js";
import { byId, el, say, show } from "./dom.js";
import { timeLabel } from "./calendar.js";
import { bothChanged, pickedTheirs, renderChoices } from "./conflict_choices.js";
import { eventProblems } from "./event_checks.js";
import { FIELD_LABELS as LABELS } from "./field_labels.js";
import { fieldMessages } from "./field_messages.js";
import { HistoryPanel } from "./history_panel.js";
import { describeLines, RepeatControls, shapeOf, withRule } from "./recurrence_form.js";

const TEXTS = ["event_date", "title", "time", "description", "url"];
const TIMES = ["start_time", "end_time", "end_date"]; // sent as null when empty (absent: all-day, one day)
const FIELDS = [...TEXTS, ...TIMES];
const SHOWN = [...FIELDS, "recurrence"]; // the fields a problem shows under
const UNCHANGEABLE = "이 반복 규칙은 여기서 바꿀 수 없습니다 (그대로 둡니다)";

const ifMatch = (version) => ({ "If-Match": `"${version}"` });

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
    this.allDay = this.form.elements.all_day;
    this.allDay.addEventListener("change", () => {
      if (this.allDay.checked) this.inputs.start_time.value = this.inputs.end_time.value = this.inputs.time.value = "";
    });
    for (const name of ["start_time", "end_time"]) {
      this.inputs[name].addEventListener("input", () => {
        if (this.inputs[name].value) this.allDay.checked = false;
      });
    }
    this.repeat = new RepeatControls(this.form, () => this.offerScopes());
    this.history = new HistoryPanel();
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
    this.event = event; // its id, and the version the next write expects
    this.base = event; // as opened: what the person changed is told against it, whoever wrote since
    this.dropped = new Set(); // fields both changed where the person took the other's value
    this.series = null;
    this.seriesBase = null; // the series as first read: what someone else changed in it is told against it
    this.theirs = null;
    byId("event-dialog-title").textContent = event ? "일정 편집" : "새 일정";
    for (const name of FIELDS) this.inputs[name].value = event ? event[name] || "" : "";
    if (!event) this.inputs.event_date.value = date;
    // One way to give a time: 종일, or the start and end times; the free text only for an event
    // that has nothing else.
    this.allDay.checked = !(event && (event.start_time || event.time));
    show(this.inputs.time.closest(".field"), Boolean(event && event.time && !event.start_time));
    this.occurrence = Boolean(event && event.recurring_event_id);
    this.repeat.fill(null);
    this.shownRule = null;
    this.loading = this.occurrence ? this.loadSeries(event) : Promise.resolve();
    this.form.querySelector('input[name="scope"][value="this"]').checked = true;
    show(byId("scope-box"), this.occurrence);
    this.offerScopes();
    byId("event-audit").textContent = event ? `작성 ${event.created_by} · 마지막 수정 ${event.updated_by}` : "";
    this.history.open(departmentId, event);
    show(byId("event-delete"), Boolean(event));
    this.reset();
    this.dialog.showModal();
    this.inputs.title.focus();
  }

  // The occurrence's series: its rule fills the repeat controls (locked until it is read, and
  // for good when the page cannot show it), its version goes with `following` and `all`.
  async loadSeries(event) {
    this.repeat.lock("반복 규칙을 읽는 중…");
    try {
      const { data } = await api(`/api/events/${this.departmentId}/${event.recurring_event_id}`);
      if (this.event === event) this.showSeries(data);
    } catch (error) {
      if (this.event === event) this.repeat.lock(describe(error));
    }
  }

  showSeries(series) {
    this.series = series;
    this.seriesBase = series;
    const shape = shapeOf(series.recurrence);
    this.repeat.fill(shape);
    if (!shape) this.repeat.lock(`${UNCHANGEABLE}: ${describeLines(series.recurrence)}`);
    this.shownRule = this.repeat.rule();
    this.offerScopes();
  }

  reset() {
    this.showErrors({});
    say(byId("event-error"), "");
    show(byId("conflict"), false);
    show(byId("delete-confirm"), false);
  }

  // Whether the person changed the rule shown (none for a new event; a locked one stays).
  ruleChanged() {
    return !this.repeat.locked && this.repeat.rule() !== this.shownRule;
  }

  // "이 일정만" is no choice once the rule changed (one occurrence does not repeat).
  offerScopes() {
    const only = this.form.querySelector('input[name="scope"][value="this"]');
    const changed = this.ruleChanged();
    show(only.closest("label"), !changed);
    if (changed && only.checked) this.form.querySelector('input[name="scope"][value="following"]').checked = true;
  }

  // The body to send: for a new event every field (empty times as null) and its rule; for an
  // edit only what the person changed against the event as opened (so a save on top of someone
  // else's change keeps theirs, and an occurrence's date and times do not move a whole series),
  // less the fields where they took the other person's value.
  values() {
    const values = Object.fromEntries(FIELDS.map((name) => [name, this.inputs[name].value || (TIMES.includes(name) ? null : "")]));
    if (values.start_time) values.time = ""; // the start and end times say it: no second, different time
    if (this.ruleChanged()) values.recurrence = this.recurrence(this.repeat.rule());
    if (!this.base) return values;
    return Object.fromEntries(Object.entries(values)
      .filter(([name, value]) => value !== stored(this.base, name) && !this.dropped.has(name)));
  }

  // The lines to send for the rule set: null stops a series repeating ("반복 안 함"); a series
  // keeps its EXDATE/RDATE lines (with `following`, those from this occurrence on).
  recurrence(rule) {
    if (!rule) return null;
    if (!this.series) return [rule];
    return withRule(this.series.recurrence, rule, this.scope() === "all" ? "" : this.event.original_date);
  }

  scope() {
    return this.form.querySelector('input[name="scope"]:checked').value;
  }

  // Where an edit goes, with the version shown as If-Match: the occurrence's for `this`, the
  // series' (as read when the dialog opened) for `following` and `all`.
  target() {
    if (!this.occurrence) return { path: `/api/events/${this.event.id}`, headers: ifMatch(this.event.version) };
    const scope = this.scope();
    const version = scope === "this" || !this.series ? this.event.version : this.series.version;
    return { path: `/api/events/${this.event.id}?scope=${scope}`, headers: ifMatch(version) };
  }

  // The API's problems (English, per field) under their fields, in Korean.
  showErrors(fields) {
    this.showProblems(fieldMessages(fields));
  }

  // Each problem (Korean) under its field; one for a field not in the dialog in the message.
  showProblems(shown) {
    for (const name of SHOWN) {
      const problem = shown[name] || "";
      byId(this.inputs[name].getAttribute("aria-describedby")).textContent = problem;
      if (problem) this.inputs[name].setAttribute("aria-invalid", "true");
      else this.inputs[name].removeAttribute("aria-invalid");
    }
    const others = Object.entries(shown).filter(([name]) => !SHOWN.includes(name));
    if (others.length) say(byId("event-error"), others.map(([name, problem]) => `${LABELS[name] || name}: ${problem}`).join(" "));
    const first = SHOWN.find((name) => shown[name]);
    if (first) this.inputs[first].focus();
  }

  async save() {
    this.reset();
    const problems = eventProblems(this.inputs, this.allDay.checked);
    if (Object.keys(problems).length) return this.showProblems(problems);
    await this.loading;
    const body = this.values();
    if (this.event && !Object.keys(body).length) return this.finish(this.theirs || this.event); // nothing to write
    const request = this.event
      ? api(this.target().path, { method: "PUT", body, headers: this.target().headers })
      : api(`/api/events/${this.departmentId}`, { method: "POST", body });
    try {
      const { data } = await request;
      this.finish(data);
      if (this.occurrence || data.recurrence) this.onSeriesChanged();
    } catch (error) {
      this.failed(error, "save");
    }
  }

  async confirmDelete(asking) {
    if (asking) {
      await this.loading;
      const about = { departmentId: this.departmentId, event: this.event, series: this.series, scope: this.occurrence ? this.scope() : "this" };
      byId("delete-question").textContent = await deleteQuestion(about);
    }
    show(byId("delete-confirm"), asking);
    (asking ? byId("delete-yes") : byId("event-delete")).focus();
  }

  async remove() {
    this.reset();
    await this.loading;
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

  // Their version (the occurrence, or with `following`/`all` the series) next to mine.
  showConflict(current, action) {
    this.theirs = current;
    this.action = action;
    const rows = ["title", "event_date", "time", "description", "url", "recurrence", "updated_by"]
      .filter((name) => name !== "recurrence" || current.recurrence)
      .flatMap((name) => [el("dt", { text: LABELS[name] }), el("dd", { text: shownValue(current, name) || "—" })]);
    byId("conflict-theirs").replaceChildren(...rows);
    // With `following` or `all` theirs is the series: what they changed is told against it as read.
    const base = current.recurrence ? this.seriesBase : this.base;
    const both = action === "save" && base ? bothChanged(this.values(), base, current, stored) : [];
    renderChoices(byId("conflict-choices"), both, LABELS);
    byId("conflict-note").textContent = action === "save"
      ? "내 것으로 저장하면 내가 바꾼 항목만 저장하고, 상대가 바꾼 다른 항목은 그대로 둡니다." : "";
    byId("conflict-mine").textContent = action === "delete" ? "그래도 삭제" : "내 것으로 저장";
    show(byId("conflict"), true);
    byId("conflict-mine").focus();
  }

  // A move (drag or key) that someone else's change came first to: the dialog on the event with
  // the move filled in and their version beside it, as after a save here.
  async showMoved(departmentId, event, changes, scope, current) {
    this.open(departmentId, event, null);
    for (const [name, value] of Object.entries(changes)) if (this.inputs[name]) this.inputs[name].value = value ?? "";
    if (changes.start_time) this.allDay.checked = false;
    if (scope) this.form.querySelector(`input[name="scope"][value="${scope}"]`).checked = true;
    await this.loading;
    this.showConflict(current, "save");
  }

  // Keep mine: repeat the save (or delete) on top of the version they made.
  keepMine() {
    for (const name of pickedTheirs(byId("conflict-choices"))) this.dropped.add(name);
    if (this.theirs.recurrence && this.occurrence) this.series = this.theirs;
    else this.event = this.theirs;
    return this.action === "delete" ? this.remove() : this.save();
  }

  // Take theirs: show their version and close.
  takeTheirs() {
    this.finish(this.theirs);
    if (this.occurrence || this.theirs.recurrence) this.onSeriesChanged();
  }
}

// A field of a stored event as the form writes it (times absent: null; texts absent: "").
function stored(event, name) {
  return event[name] ?? (TIMES.includes(name) ? null : "");
}

// A field as the conflict panel shows it: the time as the day's list does (start–end or free text).
function shownValue(event, name) {
  if (name === "recurrence") return describeLines(event.recurrence);
  return name === "time" ? timeLabel(event) : event[name];
}
