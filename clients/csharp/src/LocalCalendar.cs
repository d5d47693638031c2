// The desktop client's copy of one department's events, kept current with changed_since.
using System;
using System.Collections.Generic;
using System.Linq;

namespace DepartmentCalendar
{
    public sealed class SyncResult
    {
        public int Applied;   // new events and newer versions taken
        public int Removed;   // tombstones of events we held
        public int Skipped;   // what we already had (the server's window overlaps on purpose)
    }

    /// <summary>The rule: the server may send a change more than once (its window overlaps by a few
    /// seconds so that no write is ever missed); keep an event only when its version is newer than the
    /// one held; a tombstone removes it, and only a version above the tombstone's brings the id back
    /// (a restore from the department's trash keeps the id and comes one version above its tombstone).</summary>
    public sealed class LocalCalendar
    {
        readonly Dictionary<string, CalendarEvent> events = new Dictionary<string, CalendarEvent>();
        readonly Dictionary<string, int> deleted = new Dictionary<string, int>(); // id -> the tombstone's version

        public string SyncToken { get; private set; }

        public IEnumerable<CalendarEvent> Events
        {
            get { return events.Values.OrderBy(e => e.EventDate).ThenBy(e => e.CreatedAt).ThenBy(e => e.Id, StringComparer.Ordinal); }
        }

        /// <summary>Replace everything with a full read (first sync, or a resync after 410 Gone).</summary>
        public void Reset(Page<CalendarEvent> all)
        {
            events.Clear();
            deleted.Clear();
            foreach (var item in all.Items.Where(e => !e.Deleted))
                events[item.Id] = item;
            SyncToken = all.SyncToken;
        }

        /// <summary>Apply a changed_since answer and keep its token for next time.</summary>
        public SyncResult Apply(Page<CalendarEvent> changes)
        {
            var result = new SyncResult();
            foreach (var change in changes.Items)
            {
                CalendarEvent held;
                var known = events.TryGetValue(change.Id, out held);
                if (change.Deleted)
                {
                    int before;
                    deleted[change.Id] = Math.Max(change.Version, deleted.TryGetValue(change.Id, out before) ? before : 0);
                    if (known) { events.Remove(change.Id); result.Removed++; } else result.Skipped++;
                }
                else if (IsDeletedAt(change) || (known && held.Version >= change.Version))
                    result.Skipped++;
                else { deleted.Remove(change.Id); events[change.Id] = change; result.Applied++; }
            }
            if (changes.SyncToken != null)
                SyncToken = changes.SyncToken;
            return result;
        }

        bool IsDeletedAt(CalendarEvent change)
        {
            int tombstone;
            return deleted.TryGetValue(change.Id, out tombstone) && tombstone >= change.Version;
        }
    }
}
