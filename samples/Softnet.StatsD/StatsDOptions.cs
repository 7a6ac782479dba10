using System.Globalization;
using System.Net;

namespace Softnet.StatsD;

/// <summary>
/// The <c>StatsD</c> configuration section, also set by <c>--port</c>, <c>--http</c>, <c>--flush-interval</c> and
/// <c>--flush-log</c>. Read by hand rather than bound, so a bad value is reported with the option and its range
/// (binding would report a type conversion).
/// </summary>
public sealed record StatsDOptions
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "StatsD";

    /// <summary>UDP port on every address (<c>[::]</c>, dual stack); 0 picks a free one.</summary>
    public int Port { get; init; } = 8125;

    /// <summary>Where <c>/metrics</c> is served.</summary>
    public IPEndPoint Http { get; init; } = new(IPAddress.Loopback, 9102);

    /// <summary>Length of a flush interval.</summary>
    public TimeSpan FlushInterval { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>File that each flush appends one line per metric to; <c>-</c> for standard output; empty for none.</summary>
    public string FlushLog { get; init; } = "";

    /// <summary>Command-line switches and the keys they set.</summary>
    public static IDictionary<string, string> Switches { get; } = new Dictionary<string, string>
    {
        ["--port"] = $"{SectionName}:{nameof(Port)}",
        ["--http"] = $"{SectionName}:{nameof(Http)}",
        ["--flush-interval"] = $"{SectionName}:{nameof(FlushInterval)}",
        ["--flush-log"] = $"{SectionName}:{nameof(FlushLog)}",
    };

    /// <summary>Reads the section; every bad value is collected in <paramref name="failures"/>, naming the switch and the range.</summary>
    public static StatsDOptions Read(Microsoft.Extensions.Configuration.IConfiguration section, List<string> failures)
    {
        var options = new StatsDOptions();
        if (section[nameof(Port)] is { } portText)
        {
            if (int.TryParse(portText, NumberStyles.None, CultureInfo.InvariantCulture, out int port) && port <= 65535)
                options = options with { Port = port };
            else
                failures.Add($"--port ({SectionName}:{nameof(Port)}) must be between 0 and 65535 (got '{portText}')");
        }

        if (section[nameof(Http)] is { } httpText)
        {
            if (TryEndPoint(httpText, out var http))
                options = options with { Http = http };
            else
                failures.Add($"--http ({SectionName}:{nameof(Http)}) must be an IP address and port such as 127.0.0.1:9102 or [::1]:9102 (got '{httpText}')");
        }

        if (section[nameof(FlushInterval)] is { } intervalText)
        {
            if (double.TryParse(intervalText, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out double seconds) && seconds >= 0.1 && seconds <= 3600)
                options = options with { FlushInterval = TimeSpan.FromSeconds(seconds) };
            else
                failures.Add($"--flush-interval ({SectionName}:{nameof(FlushInterval)}) must be between 0.1 and 3600 seconds (got '{intervalText}')");
        }

        if (section[nameof(FlushLog)] is { } flushLog)
            options = options with { FlushLog = flushLog };
        return options;
    }

    /// <summary>An endpoint with its port written out: <c>127.0.0.1</c> alone would parse as port 0.</summary>
    private static bool TryEndPoint(string text, out IPEndPoint endPoint)
    {
        text = text.Trim();
        int portColon = text.StartsWith('[') ? text.IndexOf("]:", StringComparison.Ordinal) : text.IndexOf(':');
        bool explicitPort = portColon > 0 && (text.StartsWith('[') || text.LastIndexOf(':') == portColon);
        return IPEndPoint.TryParse(text, out endPoint!) && explicitPort;
    }
}
