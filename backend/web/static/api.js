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

// The page's words for the API's error codes ({"error": "<code>"}): the API's own message is
// English, so it is never shown.
const STORAGE_DOWN = "일정 저장소(DynamoDB)를 지금 쓸 수 없습니다. 잠시 후 다시 해 주세요. 계속되면 관리자에게 알려 주세요.";
const BY_CODE = {
  forbidden: "이 토큰으로는 할 수 없습니다 (권한 부족). 필요하면 관리자에게 권한을 요청하세요.",
  not_found: "찾을 수 없습니다. 그사이 다른 사람이 삭제했을 수 있습니다.",
  conflict: "다른 사람이 동시에 바꾸고 있습니다. 잠시 후 다시 해 주세요.",
  precondition_failed: "다른 사람이 먼저 바꿨습니다. 페이지를 새로 고친 뒤 다시 해 주세요.",
  validation_error: "입력한 내용을 확인해 주세요.",
  rate_limited: "요청이 너무 많습니다. 잠시 후 다시 해 주세요.",
  payload_too_large: "보낸 내용이 너무 큽니다. 설명을 줄여 주세요.",
  sync_token_expired: "변경 내역이 오래되었습니다. 페이지를 새로 고쳐 주세요.",
  internal_error: "서버에 오류가 났습니다. 잠시 후 다시 해 주세요.",
  aws_credentials_missing: STORAGE_DOWN,
  aws_access_denied: STORAGE_DOWN,
  dynamodb_unreachable: STORAGE_DOWN,
  dynamodb_stalled: STORAGE_DOWN,
  dynamodb_throttled: STORAGE_DOWN,
  dynamodb_unavailable: STORAGE_DOWN,
  tables_missing: STORAGE_DOWN,
  index_not_ready: STORAGE_DOWN,
};

// What to tell the user about an error code, in Korean (`words` overrides codes for a context,
// e.g. a 409 in the department dialog is a taken name).
export function sayCode(code, status = 0, words = {}) {
  return words[code] || BY_CODE[code] || `오류가 났습니다${status ? ` (${status})` : ""}. 잠시 후 다시 해 주세요.`;
}

// What to tell the user about a failed request, in Korean.
export function describe(error, words = {}) {
  if (!(error instanceof ApiError)) return "예기치 못한 오류가 났습니다. 페이지를 새로 고쳐 주세요.";
  if (error.status === 0) return error.message;
  if (error.status === 401) {
    return getToken()
      ? "토큰이 맞지 않거나 폐기되었습니다. 새 토큰을 넣어 주세요."
      : "토큰이 필요합니다. 관리자에게 받은 토큰을 넣어 주세요.";
  }
  return sayCode(error.code, error.status, words);
}
