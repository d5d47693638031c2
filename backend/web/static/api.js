// The REST API with the user's token (kept in localStorage), and the errors it answers.

const TOKEN_KEY = "calendar.token";

export function getToken() {
  return localStorage.getItem(TOKEN_KEY) || "";
}

export function setToken(token) {
  localStorage.setItem(TOKEN_KEY, token.trim());
}

export function forgetToken() {
  localStorage.removeItem(TOKEN_KEY);
}

// A failed request: `status` (0 when the server could not be reached), the API's `code`,
// `message`, per-field problems (`fields`) and the whole JSON body.
export class ApiError extends Error {
  constructor(status, body) {
    super((body && body.message) || `HTTP ${status}`);
    this.status = status;
    this.code = (body && body.error) || "";
    this.fields = (body && body.fields) || {};
    this.body = body || {};
  }
}

// One request; resolves {data, headers} for a 2xx answer, rejects with an ApiError otherwise.
export async function api(path, { method = "GET", body, headers = {} } = {}) {
  const sent = { Accept: "application/json", ...headers };
  const token = getToken();
  if (token) sent.Authorization = `Bearer ${token}`;
  if (body !== undefined) sent["Content-Type"] = "application/json";
  let response;
  try {
    response = await fetch(path, { method, headers: sent, body: body === undefined ? undefined : JSON.stringify(body) });
  } catch {
    throw new ApiError(0, { error: "network", message: "서버에 연결할 수 없습니다. 네트워크를 확인해 주세요." });
  }
  const data = response.status === 204 ? null : await response.json().catch(() => null);
  if (!response.ok) throw new ApiError(response.status, data);
  return { data, headers: response.headers };
}

// What to tell the user about a failed request, in Korean (the API's own message appended).
export function describe(error) {
  if (!(error instanceof ApiError)) return `예기치 못한 오류: ${error.message}`;
  switch (error.status) {
    case 0:
      return error.message;
    case 401:
      return getToken()
        ? "토큰이 맞지 않거나 폐기되었습니다. 새 토큰을 넣어 주세요."
        : "토큰이 필요합니다. 관리자에게 받은 토큰을 넣어 주세요.";
    case 403:
      return `이 토큰으로는 할 수 없습니다 (권한 부족): ${error.message}`;
    case 404:
      return `찾을 수 없습니다: ${error.message}`;
    case 409:
      return `이미 있습니다: ${error.message}`;
    case 429:
      return "요청이 너무 많습니다. 잠시 후 다시 해 주세요.";
    default:
      return `오류 (${error.status}): ${error.message}`;
  }
}
