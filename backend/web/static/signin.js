// Signing in with the company's account, where the server offers it (/auth/*, OIDC_ISSUER): the
// link on the token prompt, who is signed in (name and role, in the header), and 로그아웃.

import { api } from "./api.js";
import { byId, show } from "./dom.js";

const SIGN_IN = "/auth/login";
const ROLE_NAMES = { viewer: "열람", editor: "편집", admin: "관리자" };

// The link to sign in, when the server signs people in: its API document offers the session
// cookie then (and only then).
export async function offerSignIn() {
  try {
    const { data } = await api("/api/openapi.json");
    const schemes = Object.values((data.components && data.components.securitySchemes) || {});
    const offered = schemes.some((scheme) => scheme.in === "cookie");
    if (offered) byId("signin-link").href = SIGN_IN; // only then: the route answers 404 without sign-in
    show(byId("signin"), offered);
  } catch {
    show(byId("signin"), false); // the token prompt stays the way in
  }
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
