using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using Softnet.Admin.Contract;

namespace Softnet.Admin.Http;

/// <summary>
/// The serialization the server answers with. People read these answers through curl as often as programs do, and
/// they are never embedded in HTML, so quotes in error messages stay quotes instead of becoming <c>\u0022</c>.
/// </summary>
internal static class ServerJson
{
    public static AdminJsonContext Context { get; } = new(new JsonSerializerOptions
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    });
}
