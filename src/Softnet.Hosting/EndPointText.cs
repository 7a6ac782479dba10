using System.Net;
using System.Text.RegularExpressions;

namespace Softnet.Hosting;

/// <summary>
/// Endpoints from configuration text. An <see cref="IPEndPoint"/> property cannot be bound from configuration (it
/// silently stays at its default, an ephemeral port), so endpoints are strings, parsed here and refused loudly.
/// </summary>
internal static partial class EndPointText
{
    public static bool TryParse(string text, string option, out IPEndPoint endPoint, out string error)
    {
        // The port must be written out: "::1" parses as port 0, which would quietly bind an ephemeral port.
        if (IPEndPoint.TryParse(text.Trim(), out var parsed) && ExplicitPort().IsMatch(text.Trim()))
        {
            endPoint = parsed;
            error = "";
            return true;
        }

        endPoint = new IPEndPoint(IPAddress.None, 0);
        error = $"{option} must be an IP address and port such as 127.0.0.1:8125 or [::]:8125 (port 0 to pick one; got '{text}')";
        return false;
    }

    [GeneratedRegex(@"^(?:[0-9.]+|\[[0-9A-Fa-f:.%\w]+\]):[0-9]{1,5}$")]
    private static partial Regex ExplicitPort();
}
