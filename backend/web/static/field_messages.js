// The API's validation problems (`fields`: English text per field) in Korean, as the page shows
// them under its fields. The wording follows backend/contract/bodies.py, validation.py and
// rules/recurrence.py; a problem of a known field in other words gets its field's general message, and a
// field the page does not know a general request to check it (never the API's English).

const PROBLEMS = [
  [/^is required/, () => "꼭 입력해야 합니다."],
  [/^must not be empty/, () => "비워 둘 수 없습니다."],
  [/^must have at most (\d+) characters \(got (\d+)\)/, (m) => `${m[1]}자까지 쓸 수 있습니다 (지금 ${m[2]}자).`],
  [/^must not contain control/, () => "쓸 수 없는 제어 문자나 방향 바꿈 문자가 들어 있습니다."],
  [/^must be a real date/, () => "올바른 날짜(YYYY-MM-DD)가 아닙니다."],
  [/^must be a date from (\S+) to (\S+)/, (m) => `${m[1]}부터 ${m[2]}까지의 날짜만 쓸 수 있습니다.`],
  [/^must be at most (\d+) days after event_date in a series/, (m) => `반복 일정의 한 번은 ${m[1]}일보다 길 수 없습니다.`],
  [/^must be a 24-hour time/, () => "올바른 시각(HH:MM, 24시간)이 아닙니다."],
  [/^must be an absolute http\(s\) URL/, () => "http:// 또는 https://로 시작하는 주소를 쓰거나 비워 두세요."],
  [/^must not be before event_date/, () => "마지막 날은 시작 날짜보다 앞설 수 없습니다."],
  [/^needs start_time/, () => "끝 시각을 쓰려면 시작 시각도 있어야 합니다."],
  [/^must be after start_time/, () => "끝 시각은 시작 시각보다 늦어야 합니다."],
  [/first occurrence/, () => "반복이 시작 날짜에 시작하지 않습니다. 시작 날짜가 반복에 들어가도록(요일, 마지막 반복 날짜) 고치거나 날짜를 바꾸세요."],
  [/no occurrence/, () => "이 반복으로는 일정이 하루도 생기지 않습니다."],
  [/at most \d+ occurrences/, () => "끝이 있는 반복은 5,000번까지입니다."],
  [/^a rule may repeat at most daily/, () => "반복은 하루에 한 번까지입니다 (매시간·매분 반복은 없습니다)."],
  [/^FREQ must be/, () => "반복 단위(FREQ)는 YEARLY, MONTHLY, WEEKLY, DAILY 중 하나여야 합니다."],
  [/^INTERVAL must be a whole number from 1 to ([\d,]+)/, (m) => `반복 간격(INTERVAL)은 1부터 ${m[1]}까지입니다.`],
  [/^(BY[A-Z]+ values must be|a BYDAY ordinal|BYDAY value)/, () => "반복 규칙의 BY 값이 쓸 수 있는 범위를 벗어났습니다."],
  [/goes with FREQ=/, () => "이 반복 단위(FREQ)와 함께 쓸 수 없는 규칙이 들어 있습니다."],
  [/^(BYEASTER is not supported|unknown rule part)/, () => "지원하지 않는 반복 규칙이 들어 있습니다."],
  [/^UNTIL must be/, () => "반복 종료일(UNTIL)은 2199-12-31까지의 올바른 날짜여야 합니다."],
  [/^RDATE \d+ is before event_date/, () => "추가 날짜(RDATE)는 시작 날짜보다 앞설 수 없습니다."],
  [/^EXDATE and RDATE dates must be from/, () => "제외·추가 날짜는 1900-01-01부터 2199-12-31까지여야 합니다."],
  [/too much work to expand/, () => "반복을 계산하려면 살펴볼 날짜가 너무 많습니다. 더 일찍 끝내거나, 드문 날짜는 더 큰 단위(FREQ)로 쓰세요."],
  [/last occurrence must be on or before/, () => "반복은 2199-12-31 안에 끝나야 합니다."],
  [/^a series has at most \d+ RRULE and RDATE lines/, () => "반복 규칙(RRULE)과 추가 날짜(RDATE) 줄은 20줄까지입니다."],
  [/^a series excludes at most/, () => "제외한 날짜(EXDATE)는 5,000개까지입니다."],
  [/^a rule has COUNT or UNTIL/, () => "반복 횟수(COUNT)와 종료일(UNTIL) 중 하나만 쓰세요."],
  [/^not with scope=this/, () => "'이 일정만'으로는 반복을 바꿀 수 없습니다. '이 일정과 이후 일정'이나 '모든 일정'을 고르세요."],
];

const GENERAL = {
  title: "제목을 확인해 주세요.",
  event_date: "날짜를 확인해 주세요.",
  time: "시간을 확인해 주세요.",
  start_time: "시작 시각을 확인해 주세요.",
  end_time: "끝 시각을 확인해 주세요.",
  end_date: "마지막 날을 확인해 주세요.",
  description: "설명을 확인해 주세요.",
  url: "링크를 확인해 주세요.",
  recurrence: "반복 규칙을 확인해 주세요.",
  name: "부서 이름을 확인해 주세요.",
};

// What to show under `field` for the API's `problem`.
export function fieldMessage(field, problem) {
  if (!(field in GENERAL)) return "값을 확인해 주세요.";
  for (const [pattern, korean] of PROBLEMS) {
    const match = pattern.exec(problem || "");
    if (match) return korean(match);
  }
  return GENERAL[field];
}

// Every problem in Korean, keyed by field.
export function fieldMessages(fields) {
  return Object.fromEntries(Object.entries(fields || {}).map(([field, problem]) => [field, fieldMessage(field, problem)]));
}
