// The events of the shown department and month, merged from lists, catch-up syncs and live
// broadcasts in any order: a higher `version` wins, a tombstone (or `event_deleted`) removes for good.

import { timeKey } from "./dates.js";

export class EventStore {
  constructor() {
    this.departmentId = null;
    this.deleted = new Set();
    this.show(null, null);
  }

  // Start over for another department or month (a list of it follows).
  show(departmentId, month) {
    if (departmentId !== this.departmentId) this.deleted = new Set();
    this.departmentId = departmentId;
    this.month = month;
    this.events = new Map();
    this.versions = new Map();
    this.syncToken = null;
  }

  // Merge one event or tombstone; true when what is shown changed.
  apply(item) {
    if (!item || item.department_id !== this.departmentId) return false;
    if (item.deleted) {
      this.deleted.add(item.id);
      return this.events.delete(item.id);
    }
    if (this.deleted.has(item.id) || (this.versions.get(item.id) || 0) >= item.version) return false;
    this.versions.set(item.id, item.version);
    if (!item.event_date.startsWith(`${this.month}-`)) return this.events.delete(item.id);
    this.events.set(item.id, item);
    return true;
  }

  get(id) {
    return this.events.get(id);
  }

  // The day's events in the order of their times (untimed first), then as created.
  forDay(iso) {
    return [...this.events.values()]
      .filter((event) => event.event_date === iso)
      .sort((a, b) => timeKey(a.time) - timeKey(b.time) || a.created_at.localeCompare(b.created_at));
  }
}
