// The command-line commands for a department's trash: list it, restore an event, remove one for good.
using System;
using System.Collections.Generic;

namespace DepartmentCalendar
{
    public static class TrashCommands
    {
        public const string Usage =
            "       | trash DEPARTMENT_ID | restore DEPARTMENT_ID EVENT_ID | remove-from-trash DEPARTMENT_ID EVENT_ID";
        const int PageSize = 20;  // entries a page of the trash list holds

        /// <summary>The exit code of a trash command, or null when the arguments are none of them.</summary>
        public static int? Run(CalendarApi api, List<string> args)
        {
            Guid departmentId;
            if (args.Count < 2 || !Guid.TryParse(args[1], out departmentId))
                return null;
            var command = args[0];
            if (command == "trash" && args.Count == 2)
            {
                Print(api.ReadAllTrash(departmentId, PageSize));
                return 0;
            }
            if (command == "restore" && args.Count == 3)
            {
                var restored = api.RestoreEvent(departmentId, args[2]);
                Console.WriteLine("{0} etag={1}", Show.Event("restored", restored.Value), restored.ETag);
                return 0;
            }
            if (command == "remove-from-trash" && args.Count == 3)
            {
                api.RemoveFromTrash(departmentId, args[2]);
                Console.WriteLine("removed for good: id={0}", args[2]);
                return 0;
            }
            return null;
        }

        /// <summary>A `trash:` line with the count and the pages read, then a `trashed:` line per entry, newest first.</summary>
        public static void Print(Page<CalendarEvent> trash)
        {
            Console.WriteLine("trash: count={0} pages={1}", trash.Items.Count, trash.Pages);
            foreach (var item in trash.Items)
                Console.WriteLine(Show.Trashed(item));
        }
    }
}
