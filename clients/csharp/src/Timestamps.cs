// How the API's timestamps and dates map to .NET types.
using System;
using System.Globalization;

namespace DepartmentCalendar
{
    public static class Timestamps
    {
        // The server writes UTC with milliseconds and a `Z` (2024-01-15T10:30:00.000Z); the other
        // forms are accepted so a future server that drops the milliseconds breaks no client.
        static readonly string[] InstantFormats =
        {
            "yyyy-MM-dd'T'HH:mm:ss.fff'Z'",
            "yyyy-MM-dd'T'HH:mm:ss'Z'",
            "yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'",
        };

        const DateTimeStyles AsUtc = DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal;

        /// <summary>An API timestamp as a DateTime with Kind = Utc; FormatException when malformed.</summary>
        public static DateTime ParseInstant(string text)
        {
            return DateTime.ParseExact(text, InstantFormats, CultureInfo.InvariantCulture, AsUtc);
        }

        /// <summary>A UTC DateTime written the way the server writes it.</summary>
        public static string FormatInstant(DateTime moment)
        {
            if (moment.Kind != DateTimeKind.Utc)
                throw new ArgumentException("timestamps sent to the API must be UTC", "moment");
            return moment.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
        }

        /// <summary>An `event_date` (YYYY-MM-DD, a calendar day, no time zone) as a DateTime at midnight.</summary>
        public static DateTime ParseDate(string text)
        {
            return DateTime.ParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None);
        }

        public static string FormatDate(DateTime day)
        {
            return day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        }
    }
}
