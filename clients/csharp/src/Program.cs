// calendar-client: what the desktop client does, from the command line.
//   mono CalendarClient.exe [--url URL] [--token TOKEN] COMMAND
//   COMMAND: departments | month DEPARTMENT_ID YYYY-MM | create-event DEPARTMENT_ID YYYY-MM-DD TITLE [TIME] | demo
//            | trash DEPARTMENT_ID | restore DEPARTMENT_ID EVENT_ID | remove-from-trash DEPARTMENT_ID EVENT_ID
//            | search TEXT [DEPARTMENT_ID]
// URL defaults to $CALENDAR_API_URL, then http://localhost:5000; TOKEN to $CALENDAR_API_TOKEN (sent as
// `Authorization: Bearer TOKEN` when set). Exit codes: 0 done, 1 the API answered an error, 2 bad usage,
// 3 no answer from the server (after the one retry a POST gets).
using System;
using System.Collections.Generic;
using System.Globalization;
using System.Net.Http;
using System.Text;
using System.Threading.Tasks;

namespace DepartmentCalendar
{
    public static class Program
    {
        const string Usage =
            "usage: CalendarClient.exe [--url URL] [--token TOKEN] departments | month DEPARTMENT_ID YYYY-MM\n" +
            "       | create-event DEPARTMENT_ID YYYY-MM-DD TITLE [TIME] | demo\n" + TrashCommands.Usage + "\n" + SearchCommand.Usage;

        public static int Main(string[] args)
        {
            // Korean text must reach the terminal (or a pipe) as UTF-8 whatever the locale says.
            Console.OutputEncoding = new UTF8Encoding(false);
            var url = Environment.GetEnvironmentVariable("CALENDAR_API_URL") ?? "http://localhost:5000";
            var token = Environment.GetEnvironmentVariable("CALENDAR_API_TOKEN");
            var rest = new List<string>();
            for (var i = 0; i < args.Length; i++)
            {
                if (args[i] == "--url" && i + 1 < args.Length) url = args[++i];
                else if (args[i] == "--token" && i + 1 < args.Length) token = args[++i];
                else rest.Add(args[i]);
            }
            try
            {
                using (var api = new CalendarApi(url, token, TimeSpan.FromSeconds(30)))
                    return Run(api, rest);
            }
            catch (ApiException exc)
            {
                Console.Error.WriteLine("error: {0}", exc.Message);
                return 1;
            }
            catch (Exception exc) when (exc is HttpRequestException || exc is TaskCanceledException)
            {
                Console.Error.WriteLine("error: no answer from {0}: {1}", url, exc.Message);
                return 3;
            }
        }

        static int Run(CalendarApi api, List<string> args)
        {
            var command = args.Count == 0 ? "demo" : args[0];
            if (command == "departments" && args.Count == 1)
            {
                foreach (var department in api.ReadAllDepartments(100).Items)
                    Console.WriteLine(Show.Department(department));
                return 0;
            }
            Guid departmentId;
            DateTime first;
            if (command == "month" && args.Count == 3 && Guid.TryParse(args[1], out departmentId)
                && DateTime.TryParseExact(args[2], "yyyy-MM", CultureInfo.InvariantCulture, DateTimeStyles.None, out first))
            {
                var query = new EventQuery { From = first, To = first.AddMonths(1).AddDays(-1), Limit = 100 };
                foreach (var item in api.ReadAllEvents(departmentId, query).Items)
                    Console.WriteLine(Show.Event("event", item));
                return 0;
            }
            DateTime day;
            if (command == "create-event" && (args.Count == 4 || args.Count == 5) && Guid.TryParse(args[1], out departmentId)
                && DateTime.TryParseExact(args[2], "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out day))
            {
                var fields = new EventFields { EventDate = day, Title = args[3], Time = args.Count == 5 ? args[4] : null };
                var created = api.CreateEvent(departmentId, fields);
                Console.WriteLine("{0} etag={1}", Show.Event("created", created.Value), created.ETag);
                return 0;
            }
            if (command == "demo" && args.Count == 1)
            {
                new Demo(api).Run();
                return 0;
            }
            var done = TrashCommands.Run(api, args) ?? SearchCommand.Run(api, args);
            if (done.HasValue)
                return done.Value;
            Console.Error.WriteLine(Usage);
            return 2;
        }
    }

    /// <summary>One line per thing shown: `label: key=value ... title="..."`.</summary>
    public static class Show
    {
        public static string Department(Department d)
        {
            return string.Format("department: id={0} created_at={1} updated_at={2} kind={3} name={4} description={5}",
                d.Id, Timestamps.FormatInstant(d.CreatedAt), Timestamps.FormatInstant(d.UpdatedAt),
                d.CreatedAt.Kind, Quote(d.Name), Quote(d.Description));
        }

        public static string Event(string label, CalendarEvent e)
        {
            return string.Format(
                "{0}: id={1} department_id={2} date={3} version={4} created_at={5} last_modified={6} kind={7} time={8} title={9}"
                + " created_by={10} updated_by={11}",
                label, e.Id, e.DepartmentId, Timestamps.FormatDate(e.EventDate), e.Version,
                Timestamps.FormatInstant(e.CreatedAt), Timestamps.FormatInstant(e.LastModified), e.LastModified.Kind,
                Quote(e.DisplayTime), Quote(e.Title), Quote(e.CreatedBy), Quote(e.UpdatedBy));
        }

        /// <summary>A trash entry: the event as it was, when it was deleted and by whom.</summary>
        public static string Trashed(CalendarEvent e)
        {
            return string.Format("{0} deleted_at={1} deleted_by={2}", Event("trashed", e),
                e.DeletedAt.HasValue ? Timestamps.FormatInstant(e.DeletedAt.Value) : "none", Quote(e.DeletedBy));
        }

                public static string Quote(string text)
        {
            return "\"" + (text ?? "").Replace("\\", "\\\\").Replace("\"", "\\\"") + "\"";
        }
    }
}
