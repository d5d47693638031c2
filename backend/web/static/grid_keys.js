// Keys on the month grid and the page's shortcuts: the arrows move between days (up and down a
// week; past the month's edge into the month before or after), T shows today, N opens 새 일정,
// M, W, D and A switch between the month, the week, the day and the 목록.

import { shiftDay } from "./dates.js";

const STEPS = { ArrowLeft: -1, ArrowRight: 1, ArrowUp: -7, ArrowDown: 7 };
// Each shortcut by its letter and by the Hangul a Korean (2-set) keyboard types on that key.
const SHORTCUTS = { t: "today", "ㅅ": "today", n: "new", "ㅜ": "new" };
const VIEW_KEYS = { m: "month", "ㅡ": "month", w: "week", "ㅈ": "week", d: "day", "ㅇ": "day", a: "agenda", "ㅁ": "agenda" };

// onMove(iso): the person moved from a day's button to day `iso`.
export function wireGridKeys(body, onMove) {
  body.addEventListener("keydown", (key) => {
    const from = key.target.dataset && key.target.dataset.date;
    const step = STEPS[key.key];
    if (!from || !step || key.altKey || key.ctrlKey || key.metaKey || key.shiftKey) return;
    key.preventDefault();
    onMove(shiftDay(from, step));
  });
}

// actions: {today(), new(), view(name)}; not while typing in a field or with a dialog open.
export function wireShortcuts(actions) {
  document.addEventListener("keydown", (key) => {
    if (key.defaultPrevented || key.altKey || key.ctrlKey || key.metaKey || key.isComposing) return;
    const typing = key.target.closest && key.target.closest("input, textarea, select, [contenteditable]");
    if (typing || document.querySelector("dialog[open]")) return;
    const letter = key.key.toLowerCase();
    if (!SHORTCUTS[letter] && !VIEW_KEYS[letter]) return;
    key.preventDefault();
    if (VIEW_KEYS[letter]) actions.view(VIEW_KEYS[letter]);
    else actions[SHORTCUTS[letter]]();
  });
}
