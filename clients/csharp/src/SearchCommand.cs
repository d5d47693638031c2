// The command-line search: `search TEXT [DEPARTMENT_ID]`, every result (20 a page), nearest to
// today first.
using System;
using System.Collections.Generic;

namespace DepartmentCalendar
{
    public static class SearchCommand
    {
        public const string Usage = "       | search TEXT [DEPARTMENT_ID]";

        /// <summary>The exit code of a search, or null when the arguments are not one.</summary>
        public static int? Run(CalendarApi api, List<string> args)
        {
            if (args.Count < 2 || args.Count > 3 || args[0] != "search")
                return null;
            var query = new SearchQuery { Text = args[1] };
            Guid departmentId;
            if (args.Count == 3)
            {
                if (!Guid.TryParse(args[2], out departmentId))
                    return null;
                query.Department = departmentId;
            }
            Print(query, api.SearchAll(query));
            return 0;
        }

        /// <summary>A `search:` line with the count and the pages read, then a `found:` line per result.</summary>
        public static void Print(SearchQuery query, Page<CalendarEvent> found)
        {
            Console.WriteLine("search: q={0} count={1} pages={2}", Show.Quote(query.Text), found.Items.Count, found.Pages);
            foreach (var item in found.Items)
                Console.WriteLine(Show.Event("found", item));
        }
    }
}
