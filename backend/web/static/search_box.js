// The search box: a query (Enter) lists the events of every department the person may read whose
// title, description or time holds its words (GET /api/search), nearest to today first, a series
// once, 20 at a time (더 보기); a result opens its day on the month.

import { timeLabel } from "./calendar.js";
import { dayLabel } from "./dates.js";
import { byId, el, show } from "./dom.js";
import { PagedList } from "./paged_list.js";

const PAGE_SIZE = 20; // results a page lists before 더 보기
// A 400 here: a query the API does not take (rules/search_text.py: no letter or digit, too long).
const QUERY_REFUSED = { validation_error: "검색어에는 글자나 숫자가 있어야 하며, 100자와 8단어까지 쓸 수 있습니다." };

export class SearchBox {
  // nameOf(departmentId): the department a result is in, "" when it need not be said;
  // onOpen(event): show the result's day.
  constructor({ nameOf, onOpen }) {
    this.nameOf = nameOf;
    this.onOpen = onOpen;
    this.panel = byId("search-results");
    this.results = new PagedList("search", (event) => this.row(event), QUERY_REFUSED);
    byId("search-form").addEventListener("submit", (submit) => {
      submit.preventDefault();
      this.search();
    });
    byId("search-close").addEventListener("click", () => this.close());
    this.panel.addEventListener("keydown", (key) => {
      if (key.key === "Escape") this.close();
    });
  }

  async search() {
    const query = byId("search-input").value.trim();
    if (!query) return this.close();
    byId("search-heading").textContent = `'${query}' 검색 결과`;
    byId("search-status").textContent = "찾는 중…";
    show(this.panel, true);
    await this.results.load(`/api/search?q=${encodeURIComponent(query)}&limit=${PAGE_SIZE}`);
    const found = this.results.list.children.length;
    byId("search-status").textContent = found ? `${found}건${this.results.cursor ? " (더 있음)" : ""}` : "";
  }

  // A result: its title, then its day, time and (with several departments) department.
  row(event) {
    const where = [dayLabel(event.event_date), timeLabel(event), this.nameOf(event.department_id)].filter(Boolean).join(" · ");
    const open = el("button", { className: "search-result", attrs: { type: "button" } },
                    [el("strong", { text: event.title }), el("span", { className: "search-where", text: where })]);
    open.addEventListener("click", () => this.onOpen(event));
    return el("li", {}, [open]);
  }

  close() {
    const inside = this.panel.contains(document.activeElement);
    this.results.clear();
    show(this.panel, false);
    if (inside) byId("search-input").focus();
  }
}
