// "구독 링크 복사": the department's calendar.ics link. A token goes in the link only when it is a
// viewer token (the API refuses any other in a URL with 403: a link ends up in calendar servers).

import { getToken } from "./api.js";
import { byId, show } from "./dom.js";

export async function copySubscription(departmentId) {
  const link = new URL(`/api/departments/${departmentId}/calendar.ics`, location.origin);
  const token = getToken();
  let note = "";
  if (token) {
    link.searchParams.set("token", token);
    const answer = await fetch(link, { method: "HEAD" }).catch(() => null);
    if (!answer || !answer.ok) {
      link.searchParams.delete("token");
      note = "이 토큰은 열람(viewer) 토큰이 아니어서 링크에 넣지 않았습니다. 구독에는 열람 토큰을 쓰세요.";
    }
  }
  const input = byId("subscribe-link");
  input.value = link.href;
  show(byId("subscribe-result"), true);
  try {
    await navigator.clipboard.writeText(link.href);
    byId("subscribe-note").textContent = note || "링크를 복사했습니다. 캘린더 앱의 '구독'에 붙여 넣으세요.";
  } catch {
    byId("subscribe-note").textContent = note || "복사하지 못했습니다. 위 링크를 직접 복사하세요.";
    input.select();
  }
}
