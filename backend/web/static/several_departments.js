// Several departments at once: besides the department chosen in the picker, the person ticks
// others they may read (GET /api/departments lists only those) to show on the same days, each
// in its own colour. The ticks are remembered per browser (localStorage: ids only, no secret).
// Each department shown keeps its own EventStore (its days, its sync token); one socket is in
// all their rooms (live_rooms.js), and after a reconnect each catches up with changed_since.

import { api, ApiError } from "./api.js";
import { timeKey } from "./dates.js";
import { byId, el } from "./dom.js";
import { EventStore } from "./store.js";

const PICKS_KEY = "calendar.alsoShown";
// Chip colours (background, text): every text colour is at least 4.5:1 on its background and on
// white (the day's list), so a title stays readable in any of them.
export const PALETTE = [
  ["#e6f4ea", "#0d652d"], ["#fdecdc", "#8a3f00"], ["#f3e8fd", "#6b2fa6"],
  ["#dff3f3", "#00585c"], ["#fde7f0", "#9c1458"], ["#efedde", "#524a00"],
];

// As a store orders a day (untimed first, then by start, then as created).
function byTime(a, b) {
  return timeKey(a.start_time || a.time) - timeKey(b.start_time || b.time) || a.created_at.localeCompare(b.created_at);
}

function readPicks() {
  try {
    const picks = JSON.parse(localStorage.getItem(PICKS_KEY) || "[]");
    return Array.isArray(picks) ? picks.filter((id) => typeof id === "string") : [];
  } catch {
    return [];
  }
}

export class SeveralDepartments {
  // hooks: onChanged() draws the page again, onFailed(error), onPicked(ids) the rooms to be in.
  constructor(hooks) {
    this.hooks = hooks;
    this.picks = readPicks();
    this.stores = new Map(); // department id -> EventStore of the days shown
    this.primary = null;
    this.range = null; // the days shown: {from, to}
  }

  // The departments shown beside the primary one, in the order they were ticked.
  shown() {
    return this.picks.filter((id) => id !== this.primary && this.names && this.names.has(id));
  }

  colourOf(departmentId) {
    const index = this.picks.indexOf(departmentId);
    return index < 0 || departmentId === this.primary ? null : PALETTE[index % PALETTE.length];
  }

  // The departments one may read (the picker's list), the one chosen there and the days shown:
  // the ticks drawn, and each ticked department's days listed (fresh: other days or department).
  show(departments, primary, range) {
    this.names = new Map(departments.map((department) => [department.id, department.name]));
    const fresh = primary !== this.primary || !this.range || range.from !== this.range.from || range.to !== this.range.to;
    this.primary = primary;
    this.range = range;
    this.renderPicker(departments);
    for (const id of [...this.stores.keys()]) if (!this.shown().includes(id)) this.stores.delete(id);
    for (const id of this.shown()) if (fresh || !this.stores.has(id)) this.list(id);
    this.hooks.onPicked(this.shown());
  }

  renderPicker(departments) {
    const boxes = departments.filter((department) => department.id !== this.primary).map((department) => {
      const box = el("input", { attrs: { type: "checkbox", value: department.id } });
      box.checked = this.picks.includes(department.id);
      box.addEventListener("change", () => this.toggle(department.id, box.checked, departments));
      const colour = this.colourOf(department.id);
      const swatch = el("span", { className: "swatch", attrs: { "aria-hidden": "true" } });
      if (colour) swatch.style.background = colour[1];
      return el("label", { className: "choice" }, [box, " ", swatch, department.name]);
    });
    byId("also-shown-list").replaceChildren(...boxes);
    byId("also-shown").hidden = boxes.length === 0;
  }

  toggle(id, on, departments) {
    this.picks = on ? [...this.picks.filter((known) => known !== id), id] : this.picks.filter((known) => known !== id);
    localStorage.setItem(PICKS_KEY, JSON.stringify(this.picks));
    this.show(departments, this.primary, this.range);
    this.hooks.onChanged();
    const again = byId("also-shown-list").querySelector(`input[value="${id}"]`);
    if (again) again.focus(); // the ticks were drawn anew: the keyboard stays on this one
  }

  // List the department's days shown (and take its sync token).
  async list(id) {
    const store = this.stores.get(id) || new EventStore();
    const range = this.range;
    store.show(id, range);
    this.stores.set(id, store);
    try {
      const { data, headers } = await api(`/api/events/${id}?from=${range.from}&to=${range.to}`);
      if (this.stores.get(id) !== store || store.range !== range) return;
      store.replace(data, headers.get("X-Sync-Token"));
      this.hooks.onChanged();
    } catch (error) {
      this.hooks.onFailed(error);
      return;
    }
    this.catchUp(id); // what a broadcast brought between the read and the room's join is not lost
  }

  // After (re)joining the department's room: what changed since its list or last sync.
  async catchUp(id) {
    const store = this.stores.get(id);
    if (!store || !store.syncToken) return;
    try {
      const { data, headers } = await api(`/api/events/${id}?changed_since=${encodeURIComponent(store.syncToken)}`);
      if (this.stores.get(id) !== store) return;
      store.syncToken = headers.get("X-Sync-Token");
      data.forEach((item) => this.apply(item));
      this.hooks.onChanged();
    } catch (error) {
      if (error instanceof ApiError && error.status === 410) this.list(id);
      else this.hooks.onFailed(error);
    }
  }

  // A broadcast or synced item of a department shown here; true when the page must be drawn again.
  apply(item) {
    const store = item && this.stores.get(item.department_id);
    if (!store) return false;
    if (store.wantsList(item)) {
      this.list(item.department_id);
      return false;
    }
    return store.apply(item);
  }

  // What the grid and lists read: the primary department's events and those shown beside it.
  view(primaryStore) {
    const stores = () => [primaryStore, ...this.shown().map((id) => this.stores.get(id)).filter(Boolean)];
    return {
      forDay: (iso) => {
        const all = stores().map((store) => store.forDay(iso));
        return all.length === 1 ? all[0] : all.flat().sort(byTime);
      },
      get: (id) => stores().map((store) => store.get(id)).find(Boolean),
    };
  }

  // Colour the chips and list items (data-id) of the departments shown beside the primary one,
  // and name their department for a screen reader and in the tooltip.
  paint(root, view) {
    for (const node of root.querySelectorAll("[data-id]")) {
      const event = view.get(node.dataset.id);
      const colour = event && this.colourOf(event.department_id);
      if (!colour || node.dataset.department) continue;
      const name = this.names.get(event.department_id) || "";
      node.dataset.department = event.department_id;
      node.classList.add("other-department");
      node.style.setProperty("--chip-bg", colour[0]);
      node.style.setProperty("--chip-ink", colour[1]);
      node.prepend(el("span", { className: "department-tag", text: name }));
      if (node.title) node.title = `${name} · ${node.title}`;
    }
  }
}
