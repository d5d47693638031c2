// The events of the shown department and days (a month, a week or a day), merged from lists, catch-up syncs and live
// broadcasts in any order: a higher `version` wins, a tombstone (or `event_deleted`) removes; only a
// higher version than the deleted one brings the id back (a restore from the trash).
// Series are never expanded here: a stored series or exception that arrives live or in a sync
// (`wantsList`) makes the page list the month again (the API expands the occurrences).

import { timeKey } from "./dates.js";

// A series (has `recurrence`) or an exception of one (`<series id>_<YYYYMMDD>`, `recurring_event_id`).
export function isRecurring(item) {
  return Boolean(item.recurrence || item.recurring_event_id || /_\d{8}$/.test(item.id));
}

export class EventStore {
  constructor() {
    this.departmentId = null;
    this.show(null, null);
  }

  // Start over for another department or days ({from, to}; a list of them follows).
  show(departmentId, range) {
    if (departmentId !== this.departmentId || !this.deleted) {
      this.deleted = new Map(); // deleted id -> the highest version known of it
      this.seen = new Map(); // series and exception id -> the highest version that caused a list
    }
    this.departmentId = departmentId;
    this.range = range;
    this.syncToken = null;
    this.clear();
  }

  clear() {
    this.events = new Map();
    this.versions = new Map();
  }

  // A list of the month answered: it replaces what was shown (occurrences may have gone).
  replace(events, syncToken) {
    this.clear();
    this.syncToken = syncToken;
    for (const event of events) {
      this.apply(event);
      if (event.recurring_event_id) this.seen.set(event.id, Math.max(this.seen.get(event.id) || 0, event.version));
    }
  }

  // Whether `item` (live or synced) is a series or an exception not seen yet: the month must be listed again.
  wantsList(item) {
    if (!item || item.department_id !== this.departmentId || item.deleted || !isRecurring(item)) return false;
    if ((this.seen.get(item.id) || 0) >= item.version) return false;
    this.seen.set(item.id, item.version);
    return true;
  }

  // Merge one event or tombstone; true when what is shown changed.
  apply(item) {
    if (!item || item.department_id !== this.departmentId) return false;
    if (item.deleted) return this.remove(item.id, item.version);
    if (item.recurrence) return false; // a series shows as its occurrences (a list of the month)
    if ((this.deleted.get(item.id) || 0) >= item.version || (this.versions.get(item.id) || 0) >= item.version) {
      return false;
    }
    this.deleted.delete(item.id);
    this.versions.set(item.id, item.version);
    if (!this.inRange(item)) return this.events.delete(item.id);
    this.events.set(item.id, item);
    return true;
  }

  // A tombstone (`version`: its own, else the one shown): the event, or a series with every occurrence of it shown.
  remove(id, version) {
    this.deleted.set(id, Math.max(version || 0, this.versions.get(id) || 0, this.deleted.get(id) || 0));
    let changed = this.events.delete(id);
    for (const [key, event] of this.events) {
      if (event.recurring_event_id === id) changed = this.events.delete(key) || changed;
    }
    return changed;
  }

  // Whether the event (multi-day: any of its days) falls in the shown days.
  inRange(event) {
    return Boolean(this.range) && event.event_date <= this.range.to && lastDay(event) >= this.range.from;
  }

  get(id) {
    return this.events.get(id);
  }

  // The day's events (multi-day ones on each day they cover) in the order of their times
  // (untimed first), then as created.
  forDay(iso) {
    return [...this.events.values()]
      .filter((event) => event.event_date <= iso && iso <= lastDay(event))
      .sort((a, b) => timeKey(startLabel(a)) - timeKey(startLabel(b)) || a.created_at.localeCompare(b.created_at));
  }
}

export function lastDay(event) {
  return event.end_date || event.event_date;
}

function startLabel(event) {
  return event.start_time || event.time;
}
