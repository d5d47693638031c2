// A multi-day event on the month grid is one bar across the days it spans, a bar per week row it
// touches (wrapping at the row's end). Each week's bars are stacked in lanes; every cell a bar
// crosses keeps that lane free, so the day's own chips start under the bars.

import { lastDay } from "./store.js";

export function isMultiDay(event) {
  return Boolean(event.end_date) && event.end_date > event.event_date;
}

// The week's bars: {event, from, span, lane} (from: the column it starts in, span: its columns),
// and the number of lanes they take. `week`: 7 dates or null outside the month.
function weekBars(week, store) {
  const days = week.filter(Boolean);
  const first = days[0];
  const last = days[days.length - 1];
  const bars = [];
  for (const event of store.forDay(first).concat(...days.slice(1).map((iso) => store.forDay(iso)))) {
    if (!isMultiDay(event) || bars.some((bar) => bar.event.id === event.id)) continue;
    const start = event.event_date < first ? first : event.event_date;
    const end = lastDay(event) > last ? last : lastDay(event);
    bars.push({ event, from: week.indexOf(start), span: week.indexOf(end) - week.indexOf(start) + 1, lane: 0 });
  }
  bars.sort((a, b) => a.from - b.from || b.span - a.span);
  const laneEnds = [];
  for (const bar of bars) {
    const free = laneEnds.findIndex((end) => end < bar.from);
    bar.lane = free < 0 ? laneEnds.length : free;
    laneEnds[bar.lane] = bar.from + bar.span - 1;
  }
  return { bars, lanes: laneEnds.length };
}

// For each column of the week: its lanes, each the bar starting there, "through" (a bar passes),
// or null (free).
export function barLanes(week, store) {
  const { bars, lanes } = weekBars(week, store);
  const columns = week.map(() => Array(lanes).fill(null));
  for (const bar of bars) {
    columns[bar.from][bar.lane] = bar;
    for (let column = bar.from + 1; column < bar.from + bar.span; column += 1) columns[column][bar.lane] = "through";
  }
  return columns.map((column) => {
    while (column.length && column[column.length - 1] === null) column.pop(); // no spacer after the last bar
    return column;
  });
}
