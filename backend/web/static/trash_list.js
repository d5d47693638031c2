// A department's 휴지통 (editors only): its deleted events and series newest first, who deleted
// each and when, paged with 더 보기; 복원 stores one again (the page shows it, and the server tells
// every other open page), 영구 삭제 removes it for good once the person confirms.

import { api, ApiError, describe } from "./api.js";
import { dayLabel, momentLabel } from "./dates.js";
import { byId, el, say, show } from "./dom.js";
import { PagedList } from "./paged_list.js";

const PAGE_SIZE = 20; // rows a page of the trash lists before 더 보기

export class TrashList {
  // onRestored(event): a restored event (or series) as stored now, for the page to show.
  constructor(onRestored) {
    this.onRestored = onRestored;
    this.dialog = byId("trash-dialog");
    this.rows = new PagedList("trash", (item) => this.row(item));
    this.asked = null; // the row whose 영구 삭제 waits for the answer
    byId("trash-close").addEventListener("click", () => this.dialog.close());
    byId("trash-remove-yes").addEventListener("click", () => this.remove());
    byId("trash-remove-no").addEventListener("click", () => this.ask(null));
  }

  open(departmentId, departmentName) {
    this.departmentId = departmentId;
    byId("trash-title").textContent = departmentName ? `휴지통 — ${departmentName}` : "휴지통";
    this.tell("");
    this.ask(null);
    this.rows.load(`/api/departments/${departmentId}/trash?limit=${PAGE_SIZE}`);
    this.dialog.showModal();
    byId("trash-close").focus();
  }

  row(item) {
    const what = [dayLabel(item.event_date), item.recurrence ? "반복 일정" : ""].filter(Boolean).join(" · ");
    const restore = el("button", { text: "복원", attrs: { type: "button", "aria-label": `${item.title} 복원` } });
    const remove = el("button", { className: "secondary danger", text: "영구 삭제",
                                  attrs: { type: "button", "aria-label": `${item.title} 영구 삭제` } });
    const row = el("li", { className: "trash-item", attrs: { "data-id": item.id } }, [
      el("strong", { className: "trash-title", text: item.title }),
      el("span", { className: "note", text: what }),
      el("p", { className: "note trash-deleted", text: `삭제 ${item.deleted_by} · ${momentLabel(item.deleted_at)}` }),
      el("div", { className: "row" }, [restore, remove])]);
    restore.addEventListener("click", () => this.restore(item, row));
    remove.addEventListener("click", () => this.ask({ item, row, button: remove }));
    return row;
  }

  async restore(item, row) {
    this.ask(null);
    try {
      const { data } = await api(`/api/departments/${this.departmentId}/trash/${encodeURIComponent(item.id)}/restore`, { method: "POST" });
      this.gone(row, `'${item.title}' 일정을 복원했습니다 (${dayLabel(data.event_date)}).`);
      this.onRestored(data);
    } catch (error) {
      this.failed(error, item, row);
    }
  }

  // A 404: someone else restored it or removed it for good meanwhile, so its row goes.
  failed(error, item, row) {
    if (error instanceof ApiError && error.status === 404) this.gone(row, `'${item.title}' 일정은 그사이 다른 사람이 복원했거나 영구 삭제했습니다.`);
    else say(byId("trash-error"), describe(error));
  }

  // Ask before removing for good (asked: {item, row, button}), or take the question away (null).
  ask(asked) {
    const was = this.asked;
    this.asked = asked;
    show(byId("trash-confirm"), Boolean(asked));
    if (asked) {
      byId("trash-question").textContent = `'${asked.item.title}' 일정을 영구 삭제할까요? 되돌릴 수 없습니다.`;
      byId("trash-remove-yes").focus();
    } else if (was && was.row.isConnected) {
      was.button.focus();
    }
  }

  async remove() {
    const { item, row } = this.asked;
    this.asked = null;
    show(byId("trash-confirm"), false);
    try {
      await api(`/api/departments/${this.departmentId}/trash/${encodeURIComponent(item.id)}`, { method: "DELETE" });
      this.gone(row, `'${item.title}' 일정을 영구 삭제했습니다.`);
    } catch (error) {
      this.failed(error, item, row);
    }
  }

  // A row went: said, and the keyboard kept in the list (the next row, else 닫기).
  gone(row, text) {
    const next = row.nextElementSibling || row.previousElementSibling;
    row.remove();
    this.rows.changed();
    this.tell(text);
    const button = next && next.querySelector("button");
    (button || byId("trash-close")).focus();
  }

  tell(text) {
    byId("trash-status").textContent = text;
    say(byId("trash-error"), "");
  }
}
