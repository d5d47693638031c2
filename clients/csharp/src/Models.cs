// The API's JSON shapes as .NET types: ids are Guid, timestamps DateTime (UTC), event_date a DateTime
// at midnight. Unknown JSON fields are ignored, so a newer server breaks no client.
using System;
using System.Runtime.Serialization;

namespace DepartmentCalendar
{
    [DataContract]
    public sealed class Department
    {
        [DataMember(Name = "id")] public Guid Id { get; set; }
        [DataMember(Name = "name")] public string Name { get; set; }
        [DataMember(Name = "description")] public string Description { get; set; }
        [DataMember(Name = "created_at")] string createdAt;
        [DataMember(Name = "updated_at")] string updatedAt;

        public DateTime CreatedAt { get; private set; }
        public DateTime UpdatedAt { get; private set; }

        [OnDeserialized]
        void ParseTimestamps(StreamingContext context)
        {
            CreatedAt = Timestamps.ParseInstant(createdAt);
            UpdatedAt = Timestamps.ParseInstant(updatedAt);
        }
    }

    /// <summary>An event, or (in a changed_since answer) the tombstone of a deleted one, or (in a trash list) a
    /// deleted event as it was, with DeletedAt and DeletedBy:
    /// Deleted = true with only Id, DepartmentId, LastModified and Version (the deletion's) set. In a month list a series comes as
    /// its occurrences: Id is "&lt;series id&gt;_&lt;YYYYMMDD&gt;" (stable), RecurringEventId the series' id
    /// and OriginalDate the day the rule gave it; a stored series (changed_since) has Recurrence.</summary>
    [DataContract]
    public sealed class CalendarEvent
    {
        [DataMember(Name = "id")] public string Id { get; set; }
        [DataMember(Name = "department_id")] public Guid DepartmentId { get; set; }
        [DataMember(Name = "event_date")] string eventDate;
        [DataMember(Name = "title")] public string Title { get; set; }
        [DataMember(Name = "description")] public string Description { get; set; }
        [DataMember(Name = "time")] public string Time { get; set; }
        [DataMember(Name = "url")] public string Url { get; set; }
        [DataMember(Name = "created_at")] string createdAt;
        [DataMember(Name = "last_modified")] string lastModified;
        [DataMember(Name = "version")] public int Version { get; set; }
        [DataMember(Name = "deleted")] public bool Deleted { get; set; }
        [DataMember(Name = "start_time")] public string StartTime { get; set; }
        [DataMember(Name = "end_time")] public string EndTime { get; set; }
        [DataMember(Name = "end_date")] public string EndDate { get; set; }
        [DataMember(Name = "recurrence")] public string[] Recurrence { get; set; }
        [DataMember(Name = "recurring_event_id")] public string RecurringEventId { get; set; }
        [DataMember(Name = "original_date")] public string OriginalDate { get; set; }
        // Who made it and last changed it: a token's name, or a signed-in person's (also through their personal token).
        [DataMember(Name = "created_by")] public string CreatedBy { get; set; }
        [DataMember(Name = "updated_by")] public string UpdatedBy { get; set; }
        // Only in a department's trash list: when the event was deleted, and by whom.
        [DataMember(Name = "deleted_at")] string deletedAt;
        [DataMember(Name = "deleted_by")] public string DeletedBy { get; set; }

        public DateTime EventDate { get; private set; }
        public DateTime CreatedAt { get; private set; }
        public DateTime LastModified { get; private set; }
        public DateTime? DeletedAt { get; private set; }

        /// <summary>The time as the page and the calendar feed show it: the start (and end) when set,
        /// else the free text of an event that has nothing else (migrated data), else 종일.</summary>
        public string DisplayTime
        {
            get
            {
                if (!string.IsNullOrEmpty(StartTime))
                    return string.IsNullOrEmpty(EndTime) ? StartTime : StartTime + "–" + EndTime;
                return string.IsNullOrEmpty(Time) ? "종일" : Time;
            }
        }

        [OnDeserialized]
        void ParseTimestamps(StreamingContext context)
        {
            LastModified = Timestamps.ParseInstant(lastModified);
            DeletedAt = deletedAt == null ? (DateTime?)null : Timestamps.ParseInstant(deletedAt);
            if (Deleted)
                return;
            EventDate = Timestamps.ParseDate(eventDate);
            CreatedAt = Timestamps.ParseInstant(createdAt);
        }
    }

    /// <summary>Every error body: {"error", "message"} plus details (a 412 adds current_version and current).</summary>
    [DataContract]
    public sealed class ApiError
    {
        [DataMember(Name = "error")] public string Error { get; set; }
        [DataMember(Name = "message")] public string Message { get; set; }
        [DataMember(Name = "current_version")] public int? CurrentVersion { get; set; }
        [DataMember(Name = "current")] public CalendarEvent Current { get; set; }
    }

    [DataContract]
    public sealed class NewDepartment
    {
        [DataMember(Name = "name")] public string Name { get; set; }
        [DataMember(Name = "description", EmitDefaultValue = false)] public string Description { get; set; }
    }

    /// <summary>The body of POST /api/events/{department_id} and of PUT /api/events/{event_id}:
    /// fields left null are not sent (on PUT they keep their stored value).</summary>
    [DataContract]
    public sealed class EventFields
    {
        [DataMember(Name = "event_date", EmitDefaultValue = false)] string eventDate;
        [DataMember(Name = "title", EmitDefaultValue = false)] public string Title { get; set; }
        [DataMember(Name = "description", EmitDefaultValue = false)] public string Description { get; set; }
        [DataMember(Name = "time", EmitDefaultValue = false)] public string Time { get; set; }
        [DataMember(Name = "url", EmitDefaultValue = false)] public string Url { get; set; }

        public DateTime? EventDate
        {
            get { return eventDate == null ? (DateTime?)null : Timestamps.ParseDate(eventDate); }
            set { eventDate = value.HasValue ? Timestamps.FormatDate(value.Value) : null; }
        }
    }
}
