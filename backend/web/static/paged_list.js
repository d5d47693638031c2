// A list the API answers page by page (the next page's cursor in X-Next-Cursor): the first page
// when it is loaded, each next one on 더 보기. Used by the dialog's 변경 기록 and the trash.

import { api, describe } from "./api.js";
import { byId, say, show } from "./dom.js";

export class PagedList {
  // prefix: its nodes' ids (`<prefix>-list`, `-empty`, `-more`, `-error`); row(item): an item's <li>;
  // words: the page's words for error codes here (see describe).
  constructor(prefix, row, words = {}) {
    this.row = row;
    this.words = words;
    this.list = byId(`${prefix}-list`);
    this.empty = byId(`${prefix}-empty`);
    this.more = byId(`${prefix}-more`);
    this.error = byId(`${prefix}-error`);
    this.path = null;
    this.reading = 0; // which load the answer coming belongs to (a newer one drops it)
    this.more.addEventListener("click", () => this.read(this.reading, true));
  }

  // Empty, with nothing to read.
  clear() {
    this.path = null;
    this.reading += 1;
    this.list.replaceChildren();
    show(this.empty, false);
    show(this.more, false);
    say(this.error, "");
  }

  // Read the first page of `path` (what was listed goes).
  load(path) {
    this.clear();
    this.path = path;
    this.cursor = null;
    return this.read(this.reading, false);
  }

  async read(reading, next) {
    const path = next ? `${this.path}${this.path.includes("?") ? "&" : "?"}cursor=${encodeURIComponent(this.cursor)}` : this.path;
    say(this.error, "");
    try {
      const { data, headers } = await api(path);
      if (reading !== this.reading) return;
      const rows = data.map((item) => this.row(item));
      this.list.append(...rows);
      this.cursor = headers.get("X-Next-Cursor");
      show(this.more, Boolean(this.cursor));
      this.changed();
      if (next && rows.length) focusRow(rows[0]); // 더 보기 may have gone: the keyboard goes on with what came
    } catch (error) {
      if (reading === this.reading) say(this.error, describe(error, this.words));
    }
  }

  // An item's row went (restored, removed): the empty note when none is left.
  changed() {
    show(this.empty, !this.list.children.length && !this.cursor);
  }
}

function focusRow(row) {
  row.setAttribute("tabindex", "-1");
  row.focus();
}
