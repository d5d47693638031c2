// The department picker, and the admin's dialog to create, rename or delete a department.

import { api, ApiError, describe } from "./api.js";
import { byId, el, say, show } from "./dom.js";
import { fieldMessages } from "./field_messages.js";

// A 409 here: the name is another department's (names are unique, compared case-insensitively).
const NAME_TAKEN = { conflict: "같은 이름의 부서가 이미 있습니다. 다른 이름을 쓰세요." };

export class Departments {
  // onChosen(departmentId | null): the user picked another department (or the list emptied);
  // onListed(): the list changed (a department came, went or was renamed).
  constructor(onChosen, onListed = () => {}) {
    this.onChosen = onChosen;
    this.onListed = onListed;
    this.list = [];
    this.select = byId("department");
    this.dialog = byId("department-dialog");
    this.select.addEventListener("change", () => this.onChosen(this.select.value || null));
    byId("department-new").addEventListener("click", () => this.open("create"));
    byId("department-rename").addEventListener("click", () => this.open("rename"));
    byId("department-delete").addEventListener("click", () => this.open("delete"));
    byId("department-cancel").addEventListener("click", () => this.dialog.close());
    byId("department-form").addEventListener("submit", (submit) => {
      submit.preventDefault();
      this.submit();
    });
  }

  async load() {
    this.list = (await api("/api/departments")).data;
    this.render();
  }

  has(id) {
    return this.list.some((department) => department.id === id);
  }

  nameOf(id) {
    const department = this.list.find((known) => known.id === id);
    return department ? department.name : "";
  }

  current() {
    return this.list.find((department) => department.id === this.select.value) || null;
  }

  render(chosen = this.select.value) {
    this.list.sort((a, b) => a.name.localeCompare(b.name));
    const options = this.list.map((department) => el("option", { text: department.name, attrs: { value: department.id } }));
    if (!options.length) options.push(el("option", { text: "부서가 없습니다", attrs: { value: "" } }));
    this.select.replaceChildren(...options);
    if (this.has(chosen)) this.select.value = chosen;
    for (const id of ["department-rename", "department-delete", "subscribe", "trash-open", "event-new", "day-new"]) {
      byId(id).disabled = !this.list.length;
    }
    this.onListed();
  }

  // A department created or changed (live or by this page): shown under its current name.
  upsert(department) {
    this.list = this.list.filter((known) => known.id !== department.id).concat(department);
    this.render();
  }

  remove(id) {
    this.list = this.list.filter((known) => known.id !== id);
    this.render();
  }

  open(mode) {
    this.mode = mode;
    const department = this.current();
    const titles = { create: "새 부서", rename: "부서 이름 바꾸기", delete: "부서 삭제" };
    byId("department-dialog-title").textContent = titles[mode];
    byId("department-name").value = mode === "create" ? "" : department.name;
    byId("department-description").value = mode === "create" ? "" : department.description;
    for (const field of this.dialog.querySelectorAll(".field")) show(field, mode !== "delete");
    show(byId("department-delete-confirm"), mode === "delete");
    byId("department-delete-text").textContent = mode === "delete" ? `'${department.name}' 부서와 그 일정을 모두 삭제할까요?` : "";
    byId("department-save").textContent = mode === "delete" ? "삭제" : "저장";
    byId("department-save").classList.toggle("danger", mode === "delete");
    this.showErrors({});
    say(byId("department-error"), "");
    this.dialog.showModal();
    (mode === "delete" ? byId("department-cancel") : byId("department-name")).focus();
  }

  showErrors(fields) {
    const shown = fieldMessages(fields);
    for (const name of ["name", "description"]) byId(`department-${name}-error`).textContent = shown[name] || "";
  }

  async submit() {
    const body = { name: byId("department-name").value, description: byId("department-description").value };
    const department = this.current();
    try {
      if (this.mode === "create") this.chose((await api("/api/departments", { method: "POST", body })).data);
      else if (this.mode === "rename") this.upsert((await api(`/api/departments/${department.id}`, { method: "PATCH", body })).data);
      else await this.delete(department.id);
      this.dialog.close();
    } catch (error) {
      if (error instanceof ApiError && Object.keys(error.fields).length) this.showErrors(error.fields);
      else say(byId("department-error"), describe(error, NAME_TAKEN));
    }
  }

  chose(department) {
    this.upsert(department);
    this.select.value = department.id;
    this.onChosen(department.id);
  }

  async delete(id) {
    await api(`/api/departments/${id}`, { method: "DELETE" });
    this.removeAndMove(id);
  }

  // The department is gone: show the first one left instead.
  removeAndMove(id) {
    const wasShown = this.select.value === id;
    this.remove(id);
    if (wasShown) this.onChosen(this.select.value || null);
  }
}
