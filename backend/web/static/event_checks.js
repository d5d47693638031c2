// What the event dialog tells before sending, so every problem shows in one round: a date or time
// typed halfway (Chromium keeps such an input's value empty, which would save an all-day event
// without a word), neither 종일 nor a start time, a missing date or title, a link that is not http(s), and how the times go
// together (the rules of backend/rules/event_times.py, which the API checks only once every field
// passed on its own). Korean text per field, as field_messages.js writes the API's problems.

const HALF_TIME = "시각을 끝까지 입력해 주세요 (오전/오후, 시, 분).";
const HALF_DATE = "날짜를 끝까지 입력해 주세요 (연, 월, 일).";
const HTTP_URL = /^https?:\/\/[^/?#\s]+/i;

// The problems of the dialog's inputs (name -> element; `allDay` whether 종일 is chosen), keyed
// by field; empty when none.
export function eventProblems(inputs, allDay) {
  const problems = {};
  for (const name of ["event_date", "start_time", "end_time", "end_date"]) {
    if (inputs[name].validity.badInput) problems[name] = inputs[name].type === "time" ? HALF_TIME : HALF_DATE;
  }
  const value = (name) => (problems[name] ? null : inputs[name].value);
  if (!problems.event_date && !value("event_date")) problems.event_date = "꼭 입력해야 합니다.";
  if (!inputs.title.value.trim()) problems.title = "비워 둘 수 없습니다.";
  if (inputs.url.value.trim() && !HTTP_URL.test(inputs.url.value.trim())) {
    problems.url = "http:// 또는 https://로 시작하는 주소를 쓰거나 비워 두세요.";
  }
  const [day, last, start, end] = ["event_date", "end_date", "start_time", "end_time"].map(value);
  if (day && last && last < day) problems.end_date = "마지막 날은 시작 날짜보다 앞설 수 없습니다.";
  if (!allDay && !start && !problems.start_time && !end && !inputs.time.value.trim()) {
    problems.start_time = "시작 시각을 넣거나 종일을 고르세요.";
  }
  if (end && !start && !problems.start_time) problems.end_time = "끝 시각을 쓰려면 시작 시각도 있어야 합니다.";
  else if (start && end && (!last || last === day) && end <= start) problems.end_time = "끝 시각은 시작 시각보다 늦어야 합니다.";
  return problems;
}
