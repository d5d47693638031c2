// The Korean names of an event's fields, as the event dialog labels them (its problems, the
// conflict panel and the 변경 기록 say them alike).

export const FIELD_LABELS = {
  title: "제목", event_date: "날짜", time: "시간", description: "설명", url: "링크", recurrence: "반복",
  start_time: "시작 시각", end_time: "끝 시각", end_date: "마지막 날", updated_by: "바꾼 사람",
};

// The order a change's fields are told in: as the dialog shows them.
export const FIELD_ORDER = ["title", "event_date", "end_date", "start_time", "end_time", "time", "description", "url", "recurrence"];
