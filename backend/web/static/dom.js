// Small DOM helpers. Text from the API only ever goes in through textContent (never innerHTML).

export function byId(id) {
  return document.getElementById(id);
}

// A new element: `props` may hold className, text (set as textContent) and attrs (attributes).
export function el(tag, props = {}, children = []) {
  const node = document.createElement(tag);
  if (props.className) node.className = props.className;
  if (props.text !== undefined) node.textContent = props.text;
  for (const [name, value] of Object.entries(props.attrs || {})) node.setAttribute(name, value);
  for (const child of children) node.append(child);
  return node;
}

export function show(node, visible = true) {
  node.hidden = !visible;
}

// Shows `text` in a message element (hidden when empty); `kind` "error" or "info" styles it.
export function say(node, text, kind = "error") {
  node.textContent = text || "";
  node.classList.toggle("info", kind === "info");
  node.hidden = !text;
}
