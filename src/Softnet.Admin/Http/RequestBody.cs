using System.Text.Json;
using System.Text.Unicode;
using Microsoft.AspNetCore.Http;
using Softnet.Core;

namespace Softnet.Admin.Http;

/// <summary>
/// A request's JSON object, checked as netlink checks attributes: unknown or repeated attributes, wrong types and
/// out-of-range values are refused with a message naming the attribute and what it accepts. Handlers read every
/// attribute before applying any, so a refused request changes nothing.
/// </summary>
internal sealed class RequestBody : IDisposable
{
    private static readonly string ThreadedNames = string.Join(", ", Enum.GetValues<ThreadedMode>().Select(m => m.Name()));

    private readonly JsonDocument _document;
    private readonly string _request;

    private RequestBody(JsonDocument document, string request)
    {
        _document = document;
        _request = request;
    }

    public static async Task<RequestBody> ReadAsync(HttpContext context, string request, params string[] attributes)
    {
        JsonDocument document;
        try
        {
            // Kestrel caps the body (MaxRequestBodySize), so it is read whole: invalid UTF-8 inside a JSON string passes
            // the parser and would only fail later, when the string is read.
            using var buffer = new MemoryStream();
            await context.Request.Body.CopyToAsync(buffer, context.RequestAborted);
            if (!Utf8.IsValid(buffer.GetBuffer().AsSpan(0, (int)buffer.Length)))
                throw AdminProblem.Invalid($"{request}: the body is not valid UTF-8");
            document = JsonDocument.Parse(buffer.GetBuffer().AsMemory(0, (int)buffer.Length));
        }
        catch (JsonException e)
        {
            throw AdminProblem.Invalid($"{request}: the body is not valid JSON ({e.Message})");
        }
        var body = new RequestBody(document, request);
        try
        {
            CheckStrings(document.RootElement, request);
            body.CheckAttributes(attributes);
        }
        catch
        {
            body.Dispose();
            throw;
        }
        return body;
    }

    /// <summary>netlink's <c>threaded</c> enum: a name, or its number as netlink sends it.</summary>
    public ThreadedMode? Threaded()
    {
        if (!_document.RootElement.TryGetProperty("threaded", out var value))
            return null;
        if (value.ValueKind == JsonValueKind.String && ThreadedModes.TryParse(value.GetString(), out var mode))
            return mode;
        if (value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out int n) && Enum.IsDefined((ThreadedMode)n))
            return (ThreadedMode)n;
        throw AdminProblem.Invalid($"{_request}: threaded must be one of {ThreadedNames} (got {value.GetRawText()})");
    }

    /// <summary>A device's administrative state, as ip link spells it: "up" or "down".</summary>
    public bool? State()
    {
        if (!_document.RootElement.TryGetProperty("state", out var value))
            return null;
        return (value.ValueKind == JsonValueKind.String ? value.GetString() : null) switch
        {
            "up" => true,
            "down" => false,
            _ => throw AdminProblem.Invalid($"{_request}: state must be one of up, down (got {value.GetRawText()})"),
        };
    }

    public long? Integer(string name, long min, long max)
    {
        if (!_document.RootElement.TryGetProperty(name, out var value))
            return null;
        if (value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out long n) && n >= min && n <= max)
            return n;
        throw AdminProblem.Invalid($"{_request}: {name} must be an integer from {min} to {max} (got {value.GetRawText()})");
    }

    public long? Integer(NapiConfigRange range) => Integer(range.Name, range.Min, range.Max);

    public bool? Boolean(string name)
    {
        if (!_document.RootElement.TryGetProperty(name, out var value))
            return null;
        return value.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => throw AdminProblem.Invalid($"{_request}: {name} must be true or false (got {value.GetRawText()})"),
        };
    }

    public T Required<T>(T? value, string name)
        where T : struct =>
        value ?? throw AdminProblem.Invalid($"{_request}: the attribute {name} is required");

    public void Dispose() => _document.Dispose();

    /// <summary>
    /// Valid UTF-8 can still escape an unpaired surrogate (<c>"\ud800"</c>), which parses but cannot be read as a
    /// string: every name and string is read once here, so a handler never meets one.
    /// </summary>
    private static void CheckStrings(JsonElement element, string request)
    {
        try
        {
            switch (element.ValueKind)
            {
                case JsonValueKind.Object:
                    foreach (var property in element.EnumerateObject())
                    {
                        _ = property.Name;
                        CheckStrings(property.Value, request);
                    }
                    break;
                case JsonValueKind.Array:
                    foreach (var item in element.EnumerateArray())
                        CheckStrings(item, request);
                    break;
                case JsonValueKind.String:
                    _ = element.GetString();
                    break;
            }
        }
        catch (InvalidOperationException)
        {
            throw AdminProblem.Invalid($"{request}: the body holds a string that is not valid Unicode (an unpaired surrogate escape)");
        }
    }

    private void CheckAttributes(string[] attributes)
    {
        var root = _document.RootElement;
        if (root.ValueKind != JsonValueKind.Object)
            throw AdminProblem.Invalid($"{_request}: the body must be a JSON object with {string.Join(", ", attributes)} (got {root.ValueKind.ToString().ToLowerInvariant()})");
        var seen = new HashSet<string>();
        foreach (var property in root.EnumerateObject())
        {
            if (!attributes.Contains(property.Name))
                throw AdminProblem.Invalid($"{_request}: unknown attribute '{property.Name}' (allowed: {string.Join(", ", attributes)})");
            if (!seen.Add(property.Name))
                throw AdminProblem.Invalid($"{_request}: attribute {property.Name} given twice");
        }
    }
}
