// Where a day's events go on a time grid: an event with a start time (and on one day) as a block
// from its start to its end, events that overlap side by side in lanes; all-day and multi-day
// events in the row above the hours.

import { timeKey } from "./dates.js";

const DAY_MINUTES = 24 * 60;
const DEFAULT_MINUTES = 60; // an event without an end time shows as an hour
const SHORTEST = 15; // a block is never shorter than this, so its title has room

export function minutesOf(clock) {
  const match = /^(\d{2}):(\d{2})/.exec(clock || "");
  return match ? Number(match[1]) * 60 + Number(match[2]) : -1;
}

// The event's start in minutes after midnight, or -1 when it has none (all-day).
export function startMinutes(event) {
  return event.start_time ? minutesOf(event.start_time) : timeKey(event.time);
}

// Whether the event goes on the hours (not in the all-day row).
export function isTimedEvent(event) {
  return startMinutes(event) >= 0 && (!event.end_date || event.end_date === event.event_date);
}

// {start, end} in minutes of a timed event, its end at least SHORTEST after its start.
export function spanOf(event) {
  const start = startMinutes(event);
  const given = minutesOf(event.end_time);
  const end = given > start ? given : Math.min(start + DEFAULT_MINUTES, DAY_MINUTES);
  return { start, end: Math.max(end, Math.min(start + SHORTEST, DAY_MINUTES)) };
}

// The timed events laid out: each {event, start, end, lane, lanes}; events that overlap (directly
// or through others) share `lanes` columns and each takes the first lane free at its start.
export function layOut(events) {
  const placed = events.map((event) => ({ event, ...spanOf(event), lane: 0, lanes: 1 }))
    .sort((a, b) => a.start - b.start || b.end - a.end);
  let group = [];
  let groupEnd = -1;
  for (const block of placed) {
    if (block.start >= groupEnd) {
      settle(group);
      group = [];
    }
    group.push(block);
    groupEnd = Math.max(groupEnd, block.end);
  }
  settle(group);
  return placed;
}

// Lanes for one group of overlapping blocks.
function settle(group) {
  const laneEnds = [];
  for (const block of group) {
    const free = laneEnds.findIndex((end) => end <= block.start);
    block.lane = free < 0 ? laneEnds.length : free;
    laneEnds[block.lane] = block.end;
  }
  for (const block of group) block.lanes = laneEnds.length;
}

// "HH:MM" of minutes after midnight.
export function clockOf(minutes) {
  const two = (number) => String(number).padStart(2, "0");
  return `${two(Math.floor(minutes / 60))}:${two(minutes % 60)}`;
}
