// The editor's repeat controls and the RFC 5545 lines they stand for. The page writes one RRULE of
// a few shapes (weekly on chosen days, monthly, yearly; until a date or a count) and reads the same
// shapes back from a series; any other rule is shown as it is and left unchanged.

import { WEEKDAYS } from "./dates.js";
import { byId, show } from "./dom.js";

const FREQS = { WEEKLY: "매주", MONTHLY: "매월", YEARLY: "매년" };
const DAYS = ["SU", "MO", "TU", "WE", "TH", "FR", "SA"];

function isoOf(compact) {
  return `${compact.slice(0, 4)}-${compact.slice(4, 6)}-${compact.slice(6, 8)}`;
}

// The controls' values ({freq, days, end, until, count}) for one RRULE line, or null for a rule
// of another shape.
export function parseRule(line) {
  const match = /^RRULE:(.+)$/i.exec((line || "").trim());
  if (!match) return null;
  const shape = { freq: "", days: [], end: "", until: "", count: "" };
  for (const part of match[1].split(";").filter((piece) => piece.trim())) {
    const [key, value = ""] = part.split("=").map((piece) => piece.trim().toUpperCase());
    if (key === "FREQ" && FREQS[value]) shape.freq = value;
    else if (key === "BYDAY" && value.split(",").every((day) => DAYS.includes(day))) shape.days = value.split(",");
    else if (key === "UNTIL" && /^\d{8}(T\d{6}Z?)?$/.test(value)) Object.assign(shape, { end: "until", until: isoOf(value) });
    else if (key === "COUNT" && /^[1-9]\d{0,3}$/.test(value)) Object.assign(shape, { end: "count", count: value });
    else if (!(key === "INTERVAL" && value === "1")) return null;
  }
  const ends = /UNTIL=/i.test(match[1]) && /COUNT=/i.test(match[1]);
  return !shape.freq || ends || (shape.days.length && shape.freq !== "WEEKLY") ? null : shape;
}

// The one RRULE of a series' lines as control values, or null when the page cannot show it.
export function shapeOf(lines) {
  const rules = (lines || []).filter((line) => /^RRULE[:;]/i.test(line.trim()));
  return rules.length === 1 ? parseRule(rules[0]) : null;
}

// The series' lines with its RRULE replaced by `rule`; EXDATE/RDATE dates before `fromIso` (the
// first day of a series starting there) are dropped, the others kept.
export function withRule(lines, rule, fromIso = "") {
  const from = fromIso.replaceAll("-", "");
  const kept = (lines || []).flatMap((line) => {
    const [name, value = ""] = line.split(":");
    if (/^RRULE/i.test(name)) return [];
    const dates = value.split(",").filter((day) => day.slice(0, 8) >= from);
    return dates.length ? [`${name}:${dates.join(",")}`] : [];
  });
  return [rule, ...kept];
}

// A series' lines in Korean, e.g. "매주 월·수, 2031-04-30까지"; other rules as they are written.
export function describeLines(lines) {
  const shape = shapeOf(lines);
  if (!shape) return (lines || []).join(" ");
  const days = shape.days.map((day) => WEEKDAYS[DAYS.indexOf(day)]).join("·");
  const end = { until: `, ${shape.until}까지`, count: `, ${shape.count}번`, "": "" }[shape.end];
  return `${FREQS[shape.freq]}${days ? ` ${days}` : ""}${end}`;
}

// The repeat fieldset of the event form: shows the controls that apply, fills them from a rule
// and writes the rule they describe. `onChange()` runs when the person changes them.
export class RepeatControls {
  constructor(form, onChange) {
    this.form = form;
    this.box = byId("repeat-box");
    this.note = byId("repeat-note");
    for (const control of [form.elements.repeat, form.elements.repeat_end, ...this.dayBoxes(), form.elements.until, form.elements.count]) {
      control.addEventListener("change", () => {
        this.refresh();
        onChange();
      });
    }
  }

  dayBoxes() {
    return [...this.form.querySelectorAll('input[name="byday"]')];
  }

  // Fill from `shape` (parseRule's; null: no repeat).
  fill(shape) {
    const elements = this.form.elements;
    elements.repeat.value = shape ? shape.freq : "";
    elements.repeat_end.value = shape ? shape.end : "";
    for (const box of this.dayBoxes()) box.checked = Boolean(shape && shape.days.includes(box.value));
    elements.until.value = shape ? shape.until : "";
    elements.count.value = shape ? shape.count : "";
    this.lock("");
    this.refresh();
  }

  // With a note, the controls are shown but cannot be changed (the rule stays as it is).
  lock(note) {
    this.box.disabled = Boolean(note);
    this.note.textContent = note;
    show(this.note, Boolean(note));
  }

  get locked() {
    return this.box.disabled;
  }

  refresh() {
    const { repeat, repeat_end: end, until, count } = this.form.elements;
    show(byId("repeat-days"), repeat.value === "WEEKLY");
    show(byId("repeat-end"), Boolean(repeat.value));
    for (const [input, kind] of [[until, "until"], [count, "count"]]) {
      show(input, end.value === kind);
      show(input.labels[0], end.value === kind);
    }
  }

  // The RRULE line the controls describe (null: no repeat), e.g.
  // "RRULE:FREQ=WEEKLY;BYDAY=MO,WE;COUNT=10" or "RRULE:FREQ=MONTHLY;UNTIL=20250131".
  rule() {
    const { repeat, repeat_end: end, until, count } = this.form.elements;
    if (!repeat.value) return null;
    const parts = [`FREQ=${repeat.value}`];
    const days = this.dayBoxes().filter((box) => box.checked).map((box) => box.value);
    if (repeat.value === "WEEKLY" && days.length) parts.push(`BYDAY=${days.join(",")}`);
    if (end.value === "until" && until.value) parts.push(`UNTIL=${until.value.replaceAll("-", "")}`);
    if (end.value === "count" && count.value) parts.push(`COUNT=${count.value}`);
    return `RRULE:${parts.join(";")}`;
  }
}
