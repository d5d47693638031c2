// The event dialog: create, edit and delete one event. The API's validation errors appear next to
// their fields; a 412 (someone changed the event first) shows their version and lets the user
// keep theirs (save again on top of it) or take the other.

import { api, ApiError, describe } from "./api.js";
import { byId, el, say, show } from "./dom.js";

const FIELDS = ["event_date", "title", "time", "description", "url"];
const LABELS = { title: "제목", event_date: "날짜", time: "시간", description: "설명", url: "링크", updated_by: "바꾼 사람" };

export class EventEditor {
  // onStored(item): an event as stored now (or a tombstone) for the page to show.
  constructor(onStored) {
    this.onStored = onStored;
    this.dialog = byId("event-dialog");
    this.form = byId("event-form");
    this.inputs = Object.fromEntries(FIELDS.map((name) => [name, this.form.elements[name]]));
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

  values() {
    return Object.fromEntries(FIELDS.map((name) => [name, this.inputs[name].value]));
  }

  showErrors(fields) {
    for (const name of FIELDS) {
      const problem = fields[name] || "";
      byId(this.inputs[name].getAttribute("aria-describedby")).textContent = problem;
      if (problem) this.inputs[name].setAttribute("aria-invalid", "true");
      else this.inputs[name].removeAttribute("aria-invalid");
    }
    const first = FIELDS.find((name) => fields[name]);
    if (first) this.inputs[first].focus();
  }

  async save() {
    this.reset();
    const request = this.event
      ? api(`/api/events/${this.event.id}`, { method: "PUT", body: this.values(), headers: { "If-Match": `"${this.event.version}"` } })
      : api(`/api/events/${this.departmentId}`, { method: "POST", body: this.values() });
    try {
      this.finish((await request).data);
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
      await api(`/api/events/${this.event.id}`, { method: "DELETE", headers: { "If-Match": `"${this.event.version}"` } });
      this.finish({ id: this.event.id, department_id: this.event.department_id, deleted: true });
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
