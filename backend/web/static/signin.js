// Signing in with the company's account, where the server offers it (/auth/*, OIDC_ISSUER): the
// link on the token prompt, who is signed in (name and role, in the header), and 로그아웃.

import { api } from "./api.js";
import { byId, show } from "./dom.js";

const ROLE_NAMES = { viewer: "열람", editor: "편집", admin: "관리자" };

// The link to sign in, where the server signs people in: its 401 names it ("sign_in").
export function offerSignIn(link) {
  if (link) byId("signin-link").href = link;
  show(byId("signin"), Boolean(link));
}

// Who the page acts for (GET /api/me; null: unknown), and 로그아웃 for a signed-in person.
export function showWho(me) {
  const known = Boolean(me && me.auth !== "off");
  byId("who").textContent = known ? `${me.name} · ${ROLE_NAMES[me.role] || me.role}` : "";
  show(byId("who"), known);
  show(byId("signout"), Boolean(me && me.auth === "session"));
}

export function wireSignOut() {
  byId("signout").addEventListener("click", async () => {
    try {
      await api("/auth/logout", { method: "POST" });
    } finally {
      location.reload();
    }
  });
}
