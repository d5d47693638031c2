// After a 412 on a save: the fields both people changed, each to a different value, offered side
// by side so the person picks one per field (their own is chosen at first). Every other field
// the other person changed is kept, since the save sends only what this person changed.

import { el } from "./dom.js";

// The names of the fields in `mine` (what this person changed against `base`) that the other
// person (`theirs`) also changed, to something else; `stored(event, name)` reads a field.
export function bothChanged(mine, base, theirs, stored) {
  return Object.keys(mine).filter((name) => name !== "recurrence" && stored(theirs, name) !== stored(base, name)
    && stored(theirs, name) !== mine[name]).map((name) => ({ name, mine: mine[name], theirs: stored(theirs, name) }));
}

// One group of two radios per field, in `box`.
export function renderChoices(box, fields, labels) {
  box.replaceChildren(...fields.map(({ name, mine, theirs }) => {
    const choice = (value, text, checked) => {
      const radio = el("input", { attrs: { type: "radio", name: `pick-${name}`, value } });
      radio.checked = checked;
      return el("label", { className: "choice" }, [radio, ` ${text}: ${(value === "mine" ? mine : theirs) || "—"}`]);
    };
    return el("fieldset", { className: "conflict-field", attrs: { "data-field": name } }, [
      el("legend", { text: `${labels[name] || name}: 둘 다 바꿨습니다` }),
      choice("mine", "내 것", true), choice("theirs", "상대 것", false),
    ]);
  }));
}

// The fields where the person chose the other's value.
export function pickedTheirs(box) {
  return [...box.querySelectorAll('input[value="theirs"]:checked')].map((radio) => radio.closest("fieldset").dataset.field);
}
