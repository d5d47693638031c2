// The toolbar's fold-away menu on a phone (a disclosure: 메뉴 shows or hides the buttons under
// it). Wider screens show the buttons in the row and never the 메뉴 button (style.css).

import { byId } from "./dom.js";

export function wireMenu(toggleId, panelId) {
  const toggle = byId(toggleId);
  const panel = byId(panelId);
  const bar = toggle.parentElement;
  const setOpen = (open) => {
    bar.classList.toggle("menu-open", open);
    toggle.setAttribute("aria-expanded", String(open));
  };
  toggle.addEventListener("click", () => {
    const open = !bar.classList.contains("menu-open");
    setOpen(open);
    const first = open && panel.querySelector("button:not([hidden]):not(:disabled)");
    if (first) first.focus();
  });
  panel.addEventListener("click", (click) => {
    if (click.target.closest("button")) setOpen(false);
  });
  panel.addEventListener("keydown", (key) => {
    if (key.key !== "Escape" || !bar.classList.contains("menu-open")) return;
    setOpen(false);
    toggle.focus();
  });
  document.addEventListener("click", (click) => {
    if (!bar.contains(click.target)) setOpen(false);
  });
}
