// The dialogs' fields, built from their controls: each control marked `data-label` gets a `.field`
// box with its label above it and the line where the API's problem with it shows below it
// (`<id>-error`, its aria-describedby), so the two dialogs write a field as one line of HTML.

import { el } from "./dom.js";

export function buildFields(root = document) {
  for (const control of root.querySelectorAll("[data-label]")) {
    const box = el("div", { className: "field" });
    const error = el("p", { className: "field-error", attrs: { id: `${control.id}-error`, "data-field": control.name } });
    control.replaceWith(box);
    box.append(el("label", { text: control.dataset.label, attrs: { for: control.id } }), control, error);
    control.setAttribute("aria-describedby", error.id);
  }
}
