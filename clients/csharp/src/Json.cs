// JSON in and out with the serializer that ships with Mono and .NET Framework (no NuGet).
using System.IO;
using System.Runtime.Serialization.Json;
using System.Text;

namespace DepartmentCalendar
{
    public static class Json
    {
        public static string Write<T>(T value)
        {
            using (var buffer = new MemoryStream())
            {
                new DataContractJsonSerializer(typeof(T)).WriteObject(buffer, value);
                return Encoding.UTF8.GetString(buffer.ToArray());
            }
        }

        public static T Read<T>(string json)
        {
            using (var buffer = new MemoryStream(Encoding.UTF8.GetBytes(json)))
                return (T)new DataContractJsonSerializer(typeof(T)).ReadObject(buffer);
        }
    }
}
