// Company days (창립기념일, 전사 휴무) in the day's panel: an admin names the selected day a company
// day or takes it off (POST/DELETE /api/company-days); every open page hears of it
// (company_day_added / company_day_removed) and names it in red like a public holiday.

import { api, ApiError, describe } from "./api.js";
import { byId, say, show } from "./dom.js";
import { fieldMessage } from "./field_messages.js";
import { companyDayOn, setCompanyDay } from "./public_holidays.js";

const WORDS = { conflict: "이 날은 이미 회사 휴일입니다. 이름을 바꾸려면 해제한 뒤 다시 지정하세요.",
  forbidden: "회사 휴일은 모든 부서의 관리자만 지정하고 해제할 수 있습니다." };

let shownDay = null;

// The controls for day `iso` (null: no day shown): the name to give it, or 해제 when it is one.
export function showCompanyDay(iso) {
  if (iso !== shownDay) {
    byId("company-day-name").value = "";
    say(byId("company-day-error"), "");
  }
  shownDay = iso;
  const name = iso ? companyDayOn(iso) : "";
  show(byId("company-day-form"), Boolean(iso) && !name);
  show(byId("company-day-remove"), Boolean(name));
  byId("company-day-remove").setAttribute("aria-label", `${name} 회사 휴일 해제`);
}

function failedWith(error) {
  const name = error instanceof ApiError && error.fields.name;
  say(byId("company-day-error"), name ? fieldMessage("name", name) : describe(error, WORDS));
}

// Wire the form and the button; `onChanged` draws the page again.
export function wireCompanyDays(onChanged) {
  byId("company-day-form").addEventListener("submit", async (submit) => {
    submit.preventDefault();
    const day = shownDay;
    try {
      const { data } = await api("/api/company-days", { method: "POST", body: { date: day, name: byId("company-day-name").value } });
      byId("company-day-name").value = "";
      say(byId("company-day-error"), "");
      if (setCompanyDay(data.date, data.name)) onChanged();
    } catch (error) {
      failedWith(error);
    }
  });
  byId("company-day-remove").addEventListener("click", async () => {
    const day = shownDay;
    try {
      await api(`/api/company-days/${day}`, { method: "DELETE" });
      if (setCompanyDay(day, null)) onChanged();
      byId("company-day-name").focus();
    } catch (error) {
      failedWith(error);
    }
  });
}

// A broadcast from another page (or this one): the day as it is now.
export function onCompanyDay(name, payload, onChanged) {
  const changed = setCompanyDay(payload.date, name === "company_day_added" ? payload.name : null);
  if (changed) onChanged();
}
