using System.Globalization;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;
using Softnet.Admin.Http;

namespace Softnet.Admin.Endpoints;

/// <summary>Route and query values, parsed here rather than by route constraints so a bad one gets the JSON error body.</summary>
internal static class Route
{
    public static string Value(HttpContext context, string name) => (string)context.Request.RouteValues[name]!;

    public static int Int(HttpContext context, string name) => Int(Value(context, name), name);

    public static int Int(StringValues raw, string name) =>
        int.TryParse(raw.ToString(), NumberStyles.None, CultureInfo.InvariantCulture, out int value)
            ? value
            : throw AdminProblem.Invalid($"{name} must be a non-negative integer (got '{raw}')");
}
