// The calendar page: which department and month are shown (kept in the URL), the token, and the
// wiring of the grid, the day list, the dialogs and the live connection.

import { api, ApiError, describe, forgetToken, getToken, sayCode, setToken } from "./api.js";
import { renderAgenda, renderDay, renderGrid } from "./calendar.js";
import { onCompanyDay, showCompanyDay, wireCompanyDays } from "./company_days.js";
import { todayIso } from "./dates.js";
import { Departments } from "./departments.js";
import { byId, say, show } from "./dom.js";
import { EventEditor } from "./editor.js";
import { buildFields } from "./fields.js";
import { wireDragMove, wireKeyMove } from "./drag_move.js";
import { wireGridKeys, wireShortcuts } from "./grid_keys.js";
import { LiveRooms } from "./live_rooms.js";
import { wireMenu } from "./menu.js";
import { forgetHolidays, loadHolidays } from "./public_holidays.js";
import { SearchBox } from "./search_box.js";
import { SeveralDepartments } from "./several_departments.js";
import { showPersonalTokens, wirePersonalTokens } from "./personal_tokens.js";
import { offerSignIn, showWho, wireSignOut } from "./signin.js";
import { EventStore } from "./store.js";
import { copySubscription } from "./subscribe.js";
import { renderTimeGrid } from "./time_grid.js";
import { TrashList } from "./trash_list.js";
import { wireTimeDrag, wireTimeKeys } from "./time_grid_drag.js";
import { daysShown, goTo, isTimed, monthsShown, rangeShown, readView, step, stepNames, viewTitle, VIEWS, writeView } from "./view_state.js";

buildFields(); // before the dialogs' classes look their fields up

// cursor: the day the keyboard is on in the grid (its one Tab stop).
// view: "month" (the grid), "week" or "day" (a time grid of state.date's week or day) or
// "agenda" (the month's events as a list); view_state.js keeps them in the URL.
const state = { departmentId: null, month: todayIso().slice(0, 7), date: null, day: null, cursor: null, view: "month" };
const store = new EventStore();
let live = null;
// The departments ticked to show beside the chosen one; `shown` reads all their events.
const several = new SeveralDepartments({ onChanged: () => render(), onFailed: (error) => failed(error),
  onPicked: (ids) => live && live.followAlso(ids) });
const shown = several.view(store);

const message = (text, kind) => say(byId("message"), text, kind);

// A request failed: a token that stopped working asks for a new one; anything else is told.
function failed(error) {
  if (error instanceof ApiError && error.status === 401) askForToken(describe(error), error.body.sign_in);
  else message(describe(error));
}

function readUrl() {
  const params = new URLSearchParams(location.search);
  state.departmentId = params.get("department");
  readView(state, params);
}

function writeUrl(push) {
  const params = new URLSearchParams();
  if (state.departmentId) params.set("department", state.departmentId);
  writeView(state, params);
  const url = `${location.pathname}?${params}`;
  if (url !== `${location.pathname}${location.search}`) history[push ? "pushState" : "replaceState"](null, "", url);
}

// Where the keyboard focus is in the grid or the day list, as a selector that finds it again
// after they are drawn anew (a live change must not throw a keyboard user back to the top).
function focusedSpot() {
  const focused = document.activeElement;
  if (!focused || !focused.closest) return null;
  if (focused.closest("#grid-body") && focused.dataset.date) return `#grid-body button[data-date="${focused.dataset.date}"]`;
  const block = focused.closest("#timegrid-body .tg-event");
  if (block) return `#timegrid-body .tg-event[data-id="${block.dataset.id}"]`;
  const list = focused.closest("#day-events, #agenda-days");
  const item = focused.closest("li[data-id]");
  return list && item ? `#${list.id} li[data-id="${item.dataset.id}"] button` : null;
}

// The tab (and a printed page) names the department and the month shown, e.g. "영업부 · 2026년 12월 — 부서 일정".
function showTitle() {
  const name = departments.nameOf(state.departmentId);
  const shown = [name, viewTitle(state)].filter(Boolean).join(" · ");
  document.title = `${shown} — 부서 일정`;
  byId("print-heading").textContent = shown; // what a printed month is headed with
}

// The section each view is drawn in (the week and the day share the time grid).
const SECTIONS = { month: "grid", week: "timegrid", day: "timegrid", agenda: "agenda" };

function render() {
  const spot = focusedSpot();
  byId("month-title").textContent = viewTitle(state);
  const names = stepNames(state.view);
  byId("month-prev").setAttribute("aria-label", names.previous);
  byId("month-next").setAttribute("aria-label", names.next);
  showTitle();
  for (const view of VIEWS) byId(`view-${view}`).setAttribute("aria-pressed", String(view === state.view));
  for (const section of new Set(Object.values(SECTIONS))) show(byId(section), SECTIONS[state.view] === section);
  show(byId("day"), Boolean(state.day) && !isTimed(state.view));
  if (isTimed(state.view)) renderTimed();
  else renderMonth();
  several.paint(byId("app"), shown);
  const again = spot && document.querySelector(spot);
  if (again) again.focus();
}

function renderMonth() {
  const current = state.cursor && state.cursor.startsWith(`${state.month}-`) ? state.cursor : newEventDay();
  renderGrid(byId("grid-body"), state.month, shown, openDay, { selected: state.day, current });
  if (state.day) renderDay({ title: byId("day-title"), list: byId("day-events"), empty: byId("day-empty") }, state.day, shown, editEvent);
  showCompanyDay(state.day);
  if (state.view === "agenda") renderAgenda({ list: byId("agenda-days"), empty: byId("agenda-empty") }, state.month, shown, editEvent);
}

function renderTimed() {
  const nodes = { section: byId("timegrid"), head: byId("timegrid-head"), allDay: byId("timegrid-allday"),
    body: byId("timegrid-body"), scroll: byId("timegrid-scroll") };
  renderTimeGrid(nodes, daysShown(state), shown, { onEdit: editEvent, onOpenDay: (iso) => moveTo("day", iso) });
}

// The day 새 일정 (and a switch to the week or day view) starts on: the day chosen, else today
// when it is shown, else the first day shown.
function newEventDay() {
  const today = todayIso();
  if (isTimed(state.view)) return state.view === "day" || !daysShown(state).includes(today) ? daysShown(state)[0] : today;
  return state.day || (today.startsWith(`${state.month}-`) ? today : `${state.month}-01`);
}

// T and 오늘: today, in the view shown.
function showToday() {
  if (isTimed(state.view)) moveTo(state.view, todayIso());
  else focusDay(todayIso());
}

// The keyboard on day `iso` (arrows, T), its month shown first when it is another.
function focusDay(iso) {
  state.cursor = iso;
  if (iso.startsWith(`${state.month}-`)) render();
  else moveTo(state.view, iso);
  const button = document.querySelector(`#grid-body button[data-date="${iso}"]`);
  if (button) button.focus();
}

// N: 새 일정, when the page offers it (a viewer is not offered it).
function newEventByKey() {
  const button = byId("event-new");
  if (button.checkVisibility() && !button.disabled) button.click();
}

function openDay(iso) {
  state.day = iso;
  state.cursor = iso;
  render();
  byId("day-title").focus();
}

// One stored item from a broadcast, a sync or the dialog: a single event is merged; a series or
// an exception (its occurrences are the API's to expand) lists the month again.
function apply(item) {
  if (store.wantsList(item)) relist();
  else if (store.apply(item) || several.apply(item)) render();
}

// List the shown month again, keeping what is shown until the answer comes; requests that
// come while one is on their way make one more list after it.
let listing = false;
let listAgain = false;
async function relist() {
  if (listing) {
    listAgain = true;
    return;
  }
  listing = true;
  try {
    await loadMonth(false);
  } finally {
    listing = false;
    if (listAgain) {
      listAgain = false;
      relist();
    }
  }
}

const editor = new EventEditor(apply, relist);
const trash = new TrashList(apply);

// A search result: its department's month, its day open.
function openFound(event) {
  if (event.department_id !== state.departmentId && departments.has(event.department_id)) {
    state.departmentId = event.department_id;
    departments.render(state.departmentId);
    live.follow(state.departmentId);
  }
  goTo(state, "month", event.event_date);
  state.day = event.event_date;
  state.cursor = event.event_date;
  writeUrl(true);
  loadMonth();
  byId("day-title").focus();
}

function editEvent(id) {
  const event = shown.get(id);
  editor.open(event ? event.department_id : state.departmentId, event, null);
}

// List the shown month (fresh: another month or department, drawn empty until the answer), and
// take its sync token.
async function loadMonth(fresh = true) {
  if (fresh) {
    store.show(state.departmentId, rangeShown(state));
    several.show(departments.list, state.departmentId, rangeShown(state));
    state.day = state.day && state.day.startsWith(`${state.month}-`) ? state.day : null;
    render();
  }
  for (const month of monthsShown(state)) showHolidays(month);
  if (!state.departmentId) return;
  const { from, to } = rangeShown(state);
  const wanted = { departmentId: state.departmentId, from, to };
  try {
    const { data, headers } = await api(`/api/events/${wanted.departmentId}?from=${from}&to=${to}`);
    const now = rangeShown(state);
    if (wanted.departmentId !== state.departmentId || wanted.from !== now.from || wanted.to !== now.to) return;
    store.replace(data, headers.get("X-Sync-Token"));
    render();
    // Joined before this list came back: what was written between its read and the join.
    if (live && live.joined === wanted.departmentId) catchUp(wanted.departmentId);
  } catch (error) {
    failed(error);
  }
}

// The month's public holidays, named on the grid once read (without them when they cannot be).
async function showHolidays(month) {
  try {
    if ((await loadHolidays(month)) && monthsShown(state).includes(month)) render();
  } catch {
    // the grid stays as it is: a holiday is a name on it, nothing the page needs
  }
}

// After (re)joining the room: everything changed since the last list or sync, deletions included.
async function catchUp(departmentId) {
  if (departmentId !== store.departmentId || !store.syncToken) return;
  const token = store.syncToken;
  try {
    const { data, headers } = await api(`/api/events/${departmentId}?changed_since=${encodeURIComponent(token)}`);
    if (departmentId !== store.departmentId) return;
    store.syncToken = headers.get("X-Sync-Token");
    data.forEach(apply);
    render();
  } catch (error) {
    if (error instanceof ApiError && error.status === 410) loadMonth();
    else failed(error);
  }
}

// What the page says when the server refuses a live connection for capacity (it retries by itself).
const LIVE_REFUSALS = {
  server_full: "서버의 실시간 연결이 가득 찼습니다. 잠시 후 자동으로 다시 연결합니다.",
  too_many_sockets: "이 주소에서 열린 실시간 연결이 너무 많습니다. 잠시 후 자동으로 다시 연결합니다.",
};
let liveRefused = false; // the message says the server refused the live connection for capacity

function showLive(up, problem) {
  const badge = byId("live");
  badge.textContent = up ? "연결됨" : "연결 끊김";
  badge.classList.toggle("badge-on", up);
  badge.classList.toggle("badge-off", !up);
  if (up && liveRefused) message("");
  liveRefused = Boolean(problem && LIVE_REFUSALS[problem.error]) || (liveRefused && !up);
  if (problem && LIVE_REFUSALS[problem.error]) message(LIVE_REFUSALS[problem.error]);
  else if (problem && problem.error === "unauthorized") askForToken(`실시간 연결이 거절되었습니다. ${describe(new ApiError(401, problem))}`, problem.sign_in);
  else if (problem && problem.error) message(`실시간 연결 문제: ${sayCode(problem.error)}`);
}

function onDepartment(name, payload) {
  if (name === "department_deleted") {
    if (payload.id === state.departmentId) message("보고 있던 부서가 삭제되었습니다.", "info");
    departments.removeAndMove(payload.id);
  } else {
    departments.upsert(payload);
  }
}

function onEvent(name, payload) {
  apply(name === "event_deleted" ? { ...payload, deleted: true } : payload);
}

function choose(departmentId, push = true) {
  state.departmentId = departmentId;
  state.day = null;
  writeUrl(push);
  live.follow(departmentId);
  loadMonth();
}

new SearchBox({ nameOf: (id) => (departments.list.length > 1 ? departments.nameOf(id) : ""), onOpen: openFound });

const departments = new Departments((id) => choose(id), () => {
  if (state.departmentId) showTitle();
  if (live) several.show(departments.list, state.departmentId, rangeShown(state)); // a department came or went
});

// Another view (M, W, D, A and their buttons): a week or day of the day chosen (else today or
// the first day shown), the month of the day a week or day showed.
function showView(view) {
  if (view === state.view) return;
  const date = isTimed(state.view) && !isTimed(view) ? state.date : newEventDay();
  moveTo(view, isTimed(view) && isTimed(state.view) ? state.date : date);
}

// Show `view` of `date` (its week, its day or its month), listing again when other days are shown.
function moveTo(view, date) {
  const { from, to } = rangeShown(state);
  goTo(state, view, date);
  writeUrl(true);
  const now = rangeShown(state);
  if (now.from === from && now.to === to) render();
  else loadMonth();
}

function moveStep(delta) {
  step(state, delta);
  writeUrl(true);
  loadMonth();
}

// why: what the page says; signIn: where the server signs people in (its 401's `sign_in`), if it does.
function askForToken(why, signIn) {
  show(byId("app"), false);
  show(byId("token-section"), true);
  offerSignIn(signIn);
  message(why);
  byId("token-input").focus();
}

// Who the caller is (GET /api/me): the page offers only the controls its role may use. Null when
// it cannot be told (everything offered; the API refuses what the role may not do).
async function loadMe() {
  try {
    return (await api("/api/me")).data;
  } catch {
    return null;
  }
}

async function start() {
  readUrl();
  try {
    const [, me] = await Promise.all([departments.load(), loadMe()]);
    document.body.dataset.role = (me && me.role) || "";
    document.body.dataset.everyDepartment = me ? String(me.every_department) : "";
    showWho(me);
    showPersonalTokens(me);
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) return askForToken(describe(error), error.body.sign_in);
    return message(describe(error));
  }
  message("");
  show(byId("token-section"), false);
  show(byId("app"), true);
  show(byId("token-forget"), Boolean(getToken()));
  state.departmentId = departments.has(state.departmentId) ? state.departmentId : departments.select.value || null;
  departments.render(state.departmentId);
  live = live || new LiveRooms({ onStatus: showLive, onEvent, onDepartment,
    onJoined: (id) => (id === state.departmentId ? catchUp(id) : several.catchUp(id)),
    onCompanyDay: (name, payload) => onCompanyDay(name, payload, render),
    onReconnect: () => {
      forgetHolidays(); // company days may have changed while the socket was away
      for (const month of monthsShown(state)) showHolidays(month);
    } });
  choose(state.departmentId, false);
}

// What a move by drag or key (drag_move.js, time_grid_drag.js) calls back.
function moveHandlers() {
  return {
    eventOf: (id) => shown.get(id),
    onStored: apply,
    onSeriesChanged: relist,
    onConflict: (event, changes, scope, current) => editor.showMoved(event.department_id, event, changes, scope, current),
    onFailed: (error) => {
      failed(error);
      relist(); // show what is stored now
    },
    redraw: render,
  };
}

function wire() {
  wireMenu("menu-toggle", "toolbar-menu");
  wireSignOut();
  wirePersonalTokens();
  wireCompanyDays(render);
  wireGridKeys(byId("grid-body"), focusDay);
  const moving = moveHandlers();
  wireDragMove(byId("grid-body"), moving);
  wireTimeDrag(byId("timegrid-body"), moving);
  wireTimeKeys(byId("timegrid-body"), { ...moving, onKeyMoving: (iso) => daysShown(state).includes(iso) || moveTo(state.view, iso) });
  wireKeyMove(byId("day-events"), moving, (iso) => {
    if (iso.startsWith(`${state.month}-`)) state.day = iso; // the day's list follows the event
  });
  wireShortcuts({ today: showToday, new: newEventByKey, view: showView });
  byId("month-prev").addEventListener("click", () => moveStep(-1));
  byId("month-next").addEventListener("click", () => moveStep(1));
  for (const view of VIEWS) byId(`view-${view}`).addEventListener("click", () => showView(view));
  byId("month-today").addEventListener("click", () => moveTo(state.view, todayIso()));
  byId("event-new").addEventListener("click", () => editor.open(state.departmentId, null, newEventDay()));
  byId("day-new").addEventListener("click", () => editor.open(state.departmentId, null, state.day));
  byId("subscribe").addEventListener("click", () => copySubscription(state.departmentId));
  byId("trash-open").addEventListener("click", () => trash.open(state.departmentId, departments.nameOf(state.departmentId)));
  byId("token-forget").addEventListener("click", () => {
    forgetToken();
    location.reload();
  });
  byId("token-form").addEventListener("submit", (submit) => {
    submit.preventDefault();
    setToken(byId("token-input").value);
    byId("token-input").value = "";
    if (live) live.close();
    live = null;
    start();
  });
  window.addEventListener("popstate", () => {
    readUrl();
    if (departments.has(state.departmentId)) departments.render(state.departmentId);
    live.follow(state.departmentId);
    loadMonth();
  });
}

wire();

start();
