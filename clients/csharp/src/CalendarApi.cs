// The HTTP calls the desktop client makes, one method per route.
using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Text;
using System.Threading.Tasks;

namespace DepartmentCalendar
{
    /// <summary>One page of a list: the items, the cursor of the next page (null on the last) and the
    /// token to pass as changed_since next time (null when the server sent none).</summary>
    public sealed class Page<T>
    {
        public List<T> Items;
        public string NextCursor;
        public string SyncToken;
        public int Pages = 1;  // how many responses made it (ReadAll)
    }

    /// <summary>What GET /api/events/{department_id} is asked for; every part is optional.</summary>
    public sealed class EventQuery
    {
        public DateTime? From;
        public DateTime? To;
        public int? Limit;
        public string Cursor;
        public string ChangedSince;
    }

    /// <summary>What GET /api/search is asked for: Text (every word must occur in the title, description or
    /// time), and optionally one department (else every one the caller may read), a date range and paging.</summary>
    public sealed class SearchQuery
    {
        public string Text;
        public Guid? Department;
        public DateTime? From;
        public DateTime? To;
        public int? Limit;
        public string Cursor;
    }

    /// <summary>A stored event with the ETag the server answered with (the version, quoted).</summary>
    public sealed class Tagged<T>
    {
        public T Value;
        public string ETag;
    }

    public class ApiException : Exception
    {
        public readonly HttpStatusCode Status;
        public readonly ApiError Body;

        public ApiException(HttpStatusCode status, ApiError body)
            : base(string.Format("{0} {1}: {2}", (int)status, body.Error, body.Message))
        {
            Status = status;
            Body = body;
        }
    }

    /// <summary>412: somebody changed the event since we read it. The body says its current version
    /// (and, from servers that send it, the current event itself).</summary>
    public sealed class PreconditionFailedException : ApiException
    {
        public PreconditionFailedException(ApiError body) : base(HttpStatusCode.PreconditionFailed, body) { }
        public int? CurrentVersion { get { return Body.CurrentVersion; } }
        public CalendarEvent Current { get { return Body.Current; } }
    }

    public sealed class CalendarApi : IDisposable
    {
        const int PostAttempts = 2;  // a POST is retried once, with the same Idempotency-Key
        const int SearchPageSize = 20;  // results a page of SearchAll holds unless the query sets a limit (1-100)
        readonly HttpClient http;

        /// <summary>baseUrl like http://localhost:5000; token sent as `Authorization: Bearer` when given.</summary>
        public CalendarApi(string baseUrl, string token, TimeSpan timeout)
        {
            http = new HttpClient { BaseAddress = new Uri(baseUrl.TrimEnd('/') + "/"), Timeout = timeout };
            http.DefaultRequestHeaders.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
            if (!string.IsNullOrEmpty(token))
                http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        public Page<Department> ListDepartments(int? limit = null, string cursor = null)
        {
            var query = new List<KeyValuePair<string, string>>();
            AddPaging(query, limit, cursor);
            return ReadPage<Department>("api/departments" + QueryString(query));
        }

        public Department CreateDepartment(NewDepartment department)
        {
            return Json.Read<Department>(Post("api/departments", Json.Write(department)).Body);
        }

        /// <summary>DELETE a department and all its events.</summary>
        public void DeleteDepartment(Guid departmentId)
        {
            Send(HttpMethod.Delete, "api/departments/" + departmentId, null, null, null);
        }

        public Page<CalendarEvent> ListEvents(Guid departmentId, EventQuery request)
        {
            var query = new List<KeyValuePair<string, string>>();
            if (request.From.HasValue) query.Add(Pair("from", Timestamps.FormatDate(request.From.Value)));
            if (request.To.HasValue) query.Add(Pair("to", Timestamps.FormatDate(request.To.Value)));
            if (request.ChangedSince != null) query.Add(Pair("changed_since", request.ChangedSince));
            AddPaging(query, request.Limit, request.Cursor);
            return ReadPage<CalendarEvent>("api/events/" + departmentId + QueryString(query));
        }

        /// <summary>Every department, `limit` per page.</summary>
        public Page<Department> ReadAllDepartments(int limit)
        {
            return ReadAll(cursor => ListDepartments(limit, cursor));
        }

        /// <summary>Every event the query matches, page by page (`limit` per page when it sets one).</summary>
        public Page<CalendarEvent> ReadAllEvents(Guid departmentId, EventQuery query)
        {
            return ReadAll(cursor => ListEvents(departmentId, new EventQuery
            {
                From = query.From, To = query.To, Limit = query.Limit, ChangedSince = query.ChangedSince, Cursor = cursor,
            }));
        }

        /// <summary>Every item of a list, following X-Next-Cursor page by page. The sync token kept is
        /// the first page's: it was issued before any page was read, so nothing changed meanwhile is missed.</summary>
        static Page<T> ReadAll<T>(Func<string, Page<T>> readPage)
        {
            var page = readPage(null);
            var all = new Page<T> { Items = new List<T>(page.Items), SyncToken = page.SyncToken, Pages = 1 };
            while (page.NextCursor != null)
            {
                page = readPage(page.NextCursor);
                all.Items.AddRange(page.Items);
                all.Pages++;
            }
            return all;
        }

        public Tagged<CalendarEvent> CreateEvent(Guid departmentId, EventFields fields)
        {
            var answer = Post("api/events/" + departmentId, Json.Write(fields));
            return new Tagged<CalendarEvent> { Value = Json.Read<CalendarEvent>(answer.Body), ETag = answer.ETag };
        }

        /// <summary>PUT with `If-Match: "version"` (none when null); PreconditionFailedException on 412.</summary>
        public Tagged<CalendarEvent> UpdateEvent(string eventId, EventFields changes, int? ifMatchVersion)
        {
            var answer = Send(HttpMethod.Put, "api/events/" + eventId, Json.Write(changes), ifMatchVersion, null);
            return new Tagged<CalendarEvent> { Value = Json.Read<CalendarEvent>(answer.Body), ETag = answer.ETag };
        }

        public void DeleteEvent(string eventId, int? ifMatchVersion)
        {
            Send(HttpMethod.Delete, "api/events/" + eventId, null, ifMatchVersion, null);
        }

        /// <summary>One page of the events whose text holds every word of the query, nearest to today first (a
        /// series once, as its occurrence nearest today), shaped as in the month list.</summary>
        public Page<CalendarEvent> Search(SearchQuery request)
        {
            var query = new List<KeyValuePair<string, string>> { Pair("q", request.Text) };
            if (request.Department.HasValue) query.Add(Pair("department", request.Department.Value.ToString()));
            if (request.From.HasValue) query.Add(Pair("from", Timestamps.FormatDate(request.From.Value)));
            if (request.To.HasValue) query.Add(Pair("to", Timestamps.FormatDate(request.To.Value)));
            AddPaging(query, request.Limit, request.Cursor);
            return ReadPage<CalendarEvent>("api/search" + QueryString(query));
        }

        /// <summary>Every result of a search, page by page: `limit` per page, SearchPageSize when it sets none
        /// (the server takes a cursor only with a limit).</summary>
        public Page<CalendarEvent> SearchAll(SearchQuery query)
        {
            return ReadAll(cursor => Search(new SearchQuery
            {
                Text = query.Text, Department = query.Department, From = query.From, To = query.To,
                Limit = query.Limit ?? SearchPageSize, Cursor = cursor,
            }));
        }

        /// <summary>One page of the department's trash: its deleted events as they were, with DeletedAt and
        /// DeletedBy, newest deletion first (an editor's right).</summary>
        public Page<CalendarEvent> ListTrash(Guid departmentId, int? limit = null, string cursor = null)
        {
            var query = new List<KeyValuePair<string, string>>();
            AddPaging(query, limit, cursor);
            return ReadPage<CalendarEvent>(TrashPath(departmentId) + QueryString(query));
        }

        /// <summary>The department's whole trash, `limit` per page.</summary>
        public Page<CalendarEvent> ReadAllTrash(Guid departmentId, int limit)
        {
            return ReadAll(cursor => ListTrash(departmentId, limit, cursor));
        }

        /// <summary>Store a deleted event (a series with its exceptions) again under its id, one version above
        /// its tombstone, so changed_since brings it back. Not retried: once restored it is no longer in the
        /// trash, and a repeat answers 404 not_found like an id that never was there.</summary>
        public Tagged<CalendarEvent> RestoreEvent(Guid departmentId, string eventId)
        {
            var answer = Send(HttpMethod.Post, TrashPath(departmentId) + "/" + eventId + "/restore", null, null, null);
            return new Tagged<CalendarEvent> { Value = Json.Read<CalendarEvent>(answer.Body), ETag = answer.ETag };
        }

        /// <summary>Take a deleted event out of the trash for good: it can no longer be restored.</summary>
        public void RemoveFromTrash(Guid departmentId, string eventId)
        {
            Send(HttpMethod.Delete, TrashPath(departmentId) + "/" + eventId, null, null, null);
        }

        static string TrashPath(Guid departmentId)
        {
            return "api/departments/" + departmentId + "/trash";
        }

        public void Dispose()
        {
            http.Dispose();
        }

        sealed class Answer
        {
            public string Body;
            public string ETag;
            public string NextCursor;
            public string SyncToken;
        }

        Page<T> ReadPage<T>(string path)
        {
            var answer = Send(HttpMethod.Get, path, null, null, null);
            return new Page<T>
            {
                Items = Json.Read<List<T>>(answer.Body),
                NextCursor = answer.NextCursor,
                SyncToken = answer.SyncToken,
            };
        }

        /// <summary>A POST that is safe to retry: the server stores it at most once per Idempotency-Key
        /// and answers a repeat with the first answer.</summary>
        Answer Post(string path, string body)
        {
            var key = Guid.NewGuid().ToString();
            for (var attempt = 1; ; attempt++)
            {
                try
                {
                    return Send(HttpMethod.Post, path, body, null, key);
                }
                catch (Exception exc) when (attempt < PostAttempts && (exc is HttpRequestException || exc is TaskCanceledException))
                {
                    Console.Error.WriteLine("POST {0} lost its answer ({1}); retrying with the same Idempotency-Key", path, exc.Message);
                }
            }
        }

        Answer Send(HttpMethod method, string path, string body, int? ifMatchVersion, string idempotencyKey)
        {
            using (var request = new HttpRequestMessage(method, path))
            {
                if (body != null)
                    request.Content = new StringContent(body, new UTF8Encoding(false), "application/json");
                if (ifMatchVersion.HasValue)
                    request.Headers.IfMatch.Add(new EntityTagHeaderValue("\"" + ifMatchVersion.Value + "\""));
                if (idempotencyKey != null)
                    request.Headers.Add("Idempotency-Key", idempotencyKey);
                using (var response = http.SendAsync(request).GetAwaiter().GetResult())
                    return Receive(response);
            }
        }

        static Answer Receive(HttpResponseMessage response)
        {
            // The body is UTF-8 JSON whatever the Content-Type says, so decode it ourselves.
            var text = Encoding.UTF8.GetString(response.Content.ReadAsByteArrayAsync().GetAwaiter().GetResult());
            if (!response.IsSuccessStatusCode)
                throw Failure(response.StatusCode, text);
            return new Answer
            {
                Body = text,
                ETag = response.Headers.ETag == null ? null : response.Headers.ETag.Tag,
                NextCursor = Header(response, "X-Next-Cursor"),
                SyncToken = Header(response, "X-Sync-Token"),
            };
        }

        static ApiException Failure(HttpStatusCode status, string text)
        {
            ApiError body;
            try
            {
                body = Json.Read<ApiError>(text);
            }
            catch (System.Runtime.Serialization.SerializationException)
            {
                body = new ApiError { Error = "http_" + (int)status, Message = text };
            }
            if (status == HttpStatusCode.PreconditionFailed)
                return new PreconditionFailedException(body);
            return new ApiException(status, body);
        }

        static string Header(HttpResponseMessage response, string name)
        {
            IEnumerable<string> values;
            return response.Headers.TryGetValues(name, out values) ? values.FirstOrDefault() : null;
        }

        static void AddPaging(List<KeyValuePair<string, string>> query, int? limit, string cursor)
        {
            if (limit.HasValue) query.Add(Pair("limit", limit.Value.ToString()));
            if (cursor != null) query.Add(Pair("cursor", cursor));
        }

        static KeyValuePair<string, string> Pair(string name, string value)
        {
            return new KeyValuePair<string, string>(name, value);
        }

        static string QueryString(List<KeyValuePair<string, string>> query)
        {
            if (query.Count == 0)
                return "";
            return "?" + string.Join("&", query.Select(p => p.Key + "=" + Uri.EscapeDataString(p.Value)));
        }
    }
}
