// A signed-in person's own tokens (app passwords, /api/tokens) for the C# client, calendar feeds and
// calendar apps: made here (the secret shown once), listed and revoked. Only for a person signed in
// with the company's account (me.auth "session"); an admin of every department sees everyone's.

import { api, describe } from "./api.js";
import { byId, el, say, show } from "./dom.js";

const ROLE_NAMES = { viewer: "열람", editor: "편집", admin: "관리자" };
const ROLES = ["viewer", "editor", "admin"];
const NAME_HINT = "이름은 영문, 숫자, _ . @ - 로 64자까지이며 영문이나 숫자로 시작합니다.";

let me = null;

// Shows the panel for a signed-in person (roles up to their own offered), with their tokens.
export function showPersonalTokens(who) {
  me = who && who.auth === "session" ? who : null;
  show(byId("personal-tokens"), Boolean(me));
  if (!me) return;
  const offered = ROLES.slice(0, ROLES.indexOf(me.role) + 1);
  byId("personal-token-role").replaceChildren(
    ...offered.map((role) => el("option", { text: ROLE_NAMES[role], attrs: { value: role } })));
  byId("personal-token-role").value = me.role;
  listTokens();
}

async function listTokens() {
  try {
    const tokens = (await api("/api/tokens")).data;
    byId("personal-token-list").replaceChildren(...tokens.map(tokenRow));
    show(byId("personal-token-none"), tokens.length === 0);
  } catch (error) {
    say(byId("personal-token-error"), describe(error));
  }
}

function tokenRow(token) {
  const scope = token.departments === null ? "모든 부서" : `부서 ${token.departments.length}곳`;
  const owner = token.owner && token.owner !== me.name ? ` · ${token.owner}` : token.owner ? "" : " · 운영자 토큰";
  const revoke = el("button", { className: "secondary danger", text: "폐기",
                                attrs: { type: "button", "aria-label": `${token.name} 폐기` } });
  revoke.addEventListener("click", () => revokeToken(token.name));
  return el("li", {}, [el("span", { text: `${token.name} · ${ROLE_NAMES[token.role] || token.role} · ${scope}${owner}` }), revoke]);
}

async function revokeToken(name) {
  say(byId("personal-token-error"), "");
  try {
    await api(`/api/tokens/${encodeURIComponent(name)}`, { method: "DELETE" });
  } catch (error) {
    say(byId("personal-token-error"), describe(error));
  }
  show(byId("personal-token-made"), false);
  listTokens();
}

async function makeToken(event) {
  event.preventDefault();
  const name = byId("personal-token-name");
  say(byId("personal-token-error"), "");
  try {
    const made = (await api("/api/tokens", { method: "POST",
                                             body: { name: name.value.trim(), role: byId("personal-token-role").value } })).data;
    byId("personal-token-secret").value = made.token;
    show(byId("personal-token-made"), true);
    name.value = "";
  } catch (error) {
    const words = error.fields && error.fields.name ? ` ${NAME_HINT}` : "";
    say(byId("personal-token-error"), describe(error, { conflict: "이미 있는 토큰 이름입니다. 다른 이름을 쓰세요." }) + words);
  }
  listTokens();
}

export function wirePersonalTokens() {
  byId("personal-token-form").addEventListener("submit", makeToken);
}
