// The desktop client's day, end to end: departments, a new department with Korean events, a month,
// an edit that meets a concurrent one (412), paging, an offline copy catching up, and a deleted event
// restored from the department's trash that the copy's next catch-up brings back and a search finds.
using System;
using System.Linq;
using System.Net;

namespace DepartmentCalendar
{
    public sealed class Demo
    {
        // One department per demo: each run first deletes the one an earlier run left.
        public const string DepartmentName = "개발부 데모";
        static readonly DateTime March = new DateTime(2024, 3, 1);
        readonly CalendarApi api;

        public Demo(CalendarApi api)
        {
            this.api = api;
        }

        public void Run()
        {
            RemoveEarlierRun();
            var before = api.ReadAllDepartments(50);
            Console.WriteLine("departments: count={0} pages={1}", before.Items.Count, before.Pages);
            var department = api.CreateDepartment(new NewDepartment
            {
                Name = DepartmentName,
                Description = "데스크톱 클라이언트 예제 — 한글 설명",
            });
            Console.WriteLine(Show.Department(department));
            var after = api.ReadAllDepartments(50);
            Console.WriteLine("departments: count={0} listed_new={1}", after.Items.Count,
                after.Items.Any(d => d.Id == department.Id && d.Name == department.Name) ? "yes" : "no");

            var meeting = CreateEvents(department.Id);
            ReadMonth(department.Id);
            var replica = ReadEverything(department.Id);
            meeting = EditWithConflict(meeting);
            ChangeMore(department.Id);
            CatchUp(department.Id, replica, "sync");
            RestoreFromTrash(department.Id);
            CatchUp(department.Id, replica, "sync after restore");
            var search = new SearchQuery { Text = "정산", Department = department.Id };
            SearchCommand.Print(search, api.SearchAll(search));
            foreach (var item in replica.Events)
                Console.WriteLine(Show.Event("replica", item));
        }

        void RemoveEarlierRun()
        {
            foreach (var earlier in api.ReadAllDepartments(50).Items.Where(d => d.Name == DepartmentName))
            {
                api.DeleteDepartment(earlier.Id);
                Console.WriteLine("removed: id={0} name={1}", earlier.Id, Show.Quote(earlier.Name));
            }
        }

        CalendarEvent CreateEvents(Guid departmentId)
        {
            var fields = new[]
            {
                new EventFields { EventDate = March.AddDays(3), Title = "주간 회의", Time = "오전 9:30", Description = "3월 첫째 주 회의\n안건: 예산" },
                new EventFields { EventDate = March.AddDays(11), Title = "프로젝트 마감", Time = "오후 6:00", Description = "최종 보고서 제출\n담당: 김민수" },
                new EventFields { EventDate = March.AddDays(19), Title = "고객 미팅 \"서울 본사\"", Time = "14:00-15:30", Url = "https://example.com/meetings/42" },
                new EventFields { EventDate = March.AddDays(30), Title = "월말 정산", Description = "마지막 날" },
                new EventFields { EventDate = March.AddMonths(1), Title = "4월 워크숍", Time = "2:00 PM" },
            };
            CalendarEvent first = null;
            foreach (var field in fields)
            {
                var created = api.CreateEvent(departmentId, field);
                Console.WriteLine("{0} etag={1}", Show.Event("created", created.Value), created.ETag);
                first = first ?? created.Value;
            }
            return first;
        }

        void ReadMonth(Guid departmentId)
        {
            var query = new EventQuery { From = March, To = March.AddMonths(1).AddDays(-1), Limit = 3 };
            var month = api.ReadAllEvents(departmentId, query);
            Console.WriteLine("month: from={0} to={1} limit={2} pages={3} count={4}", Timestamps.FormatDate(query.From.Value),
                Timestamps.FormatDate(query.To.Value), query.Limit, month.Pages, month.Items.Count);
            foreach (var item in month.Items)
                Console.WriteLine(Show.Event("month event", item));
        }

        /// <summary>The full read an offline copy starts from: small pages, and the sync token of the first.</summary>
        LocalCalendar ReadEverything(Guid departmentId)
        {
            var all = api.ReadAllEvents(departmentId, new EventQuery { Limit = 2 });
            Console.WriteLine("paged: limit=2 pages={0} count={1} distinct={2} sync_token={3}", all.Pages, all.Items.Count,
                all.Items.Select(e => e.Id).Distinct().Count(), all.SyncToken == null ? "no" : "yes");
            var replica = new LocalCalendar();
            replica.Reset(all);
            return replica;
        }

        /// <summary>Edit with If-Match, then edit again with the version we read first: the server answers
        /// 412 with the current version, and we save on top of it.</summary>
        CalendarEvent EditWithConflict(CalendarEvent meeting)
        {
            var seen = meeting.Version;
            var updated = api.UpdateEvent(meeting.Id, new EventFields { Title = "주간 회의 (장소 변경)" }, seen).Value;
            Console.WriteLine(Show.Event("updated", updated));
            try
            {
                api.UpdateEvent(meeting.Id, new EventFields { Description = "다른 사람이 먼저 고쳤습니다" }, seen);
                throw new InvalidOperationException("a stale If-Match was accepted");
            }
            catch (PreconditionFailedException conflict)
            {
                Console.WriteLine("conflict: status={0} error={1} current_version={2} current={3}",
                    (int)conflict.Status, conflict.Body.Error, conflict.CurrentVersion,
                    conflict.Current == null ? "none" : "sent title=" + Show.Quote(conflict.Current.Title));
                var retried = api.UpdateEvent(meeting.Id, new EventFields { Description = "충돌 뒤 다시 저장" },
                    conflict.CurrentVersion).Value;
                Console.WriteLine(Show.Event("retried", retried));
                return retried;
            }
        }

        void ChangeMore(Guid departmentId)
        {
            var month = api.ReadAllEvents(departmentId, new EventQuery { From = March.AddDays(30), To = March.AddDays(30) });
            var closing = month.Items.Single();
            api.DeleteEvent(closing.Id, closing.Version);
            Console.WriteLine("deleted: id={0}", closing.Id);
            var added = api.CreateEvent(departmentId, new EventFields { EventDate = March.AddDays(14), Title = "긴급 점검", Time = "오후 2:00" });
            Console.WriteLine(Show.Event("created", added.Value));
        }

        /// <summary>The copy read before the edits catches up with changed_since; without a token (an older
        /// server) or with an expired one (410 Gone) it reads everything again.</summary>
        void CatchUp(Guid departmentId, LocalCalendar replica, string label)
        {
            var mode = "changed_since";
            var result = new SyncResult();
            if (replica.SyncToken == null)
                mode = "full_resync_no_token";
            else
            {
                try
                {
                    result = replica.Apply(api.ReadAllEvents(departmentId, new EventQuery { ChangedSince = replica.SyncToken }));
                }
                catch (ApiException gone) when (gone.Status == HttpStatusCode.Gone)
                {
                    mode = "full_resync_token_expired";
                }
            }
            if (mode != "changed_since")
                replica.Reset(api.ReadAllEvents(departmentId, new EventQuery()));
            Console.WriteLine("{0}: mode={1} applied={2} removed={3} skipped={4} next_token={5}", label, mode, result.Applied,
                result.Removed, result.Skipped, replica.SyncToken == null ? "no" : "yes");
        }

        /// <summary>The event deleted above waits in the department's trash, with who deleted it and when;
        /// restoring it stores it again under its id, one version above its tombstone.</summary>
        void RestoreFromTrash(Guid departmentId)
        {
            var trash = api.ReadAllTrash(departmentId, 50);
            TrashCommands.Print(trash);
            var restored = api.RestoreEvent(departmentId, trash.Items.First().Id);
            Console.WriteLine("{0} etag={1}", Show.Event("restored", restored.Value), restored.ETag);
        }
    }
}
