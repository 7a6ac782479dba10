using System.Globalization;

namespace Softnet.StatsD;

/// <summary>
/// One line per metric per flush, for people and scripts: <c>UNIX_SECONDS counter NAME VALUE</c>,
/// <c>… gauge NAME VALUE</c>, <c>… set NAME DISTINCT</c>, <c>… timer NAME count=C samples=N sum=S mean=M lower=L upper=U p50=… p90=… p99=…</c>.
/// Names are written as received.
/// </summary>
public sealed class FlushLog : IDisposable
{
    private readonly TextWriter? _writer;
    private readonly bool _owns;

    /// <summary>Writes to <paramref name="path"/> (appending), to standard output for <c>-</c>, or nowhere when empty.</summary>
    public FlushLog(string path)
    {
        if (path == "-")
        {
            _writer = Console.Out;
        }
        else if (path.Length > 0)
        {
            _writer = new StreamWriter(path, append: true);
            _owns = true;
        }
    }

    /// <summary>Appends a flush.</summary>
    public void Write(FlushResult flush)
    {
        if (_writer is null)
            return;
        long at = flush.At.ToUnixTimeSeconds();
        foreach (var (name, value) in flush.Counters)
            _writer.Write(FormattableString.Invariant($"{at} counter {name} {PrometheusExport.Number(value)}\n"));
        foreach (var (name, value) in flush.Gauges)
            _writer.Write(FormattableString.Invariant($"{at} gauge {name} {PrometheusExport.Number(value)}\n"));
        foreach (var t in flush.Timers)
        {
            _writer.Write(string.Create(CultureInfo.InvariantCulture,
                $"{at} timer {t.Name} count={PrometheusExport.Number(t.Count)} samples={t.Samples} sum={PrometheusExport.Number(t.Sum)} mean={PrometheusExport.Number(t.Mean)} lower={PrometheusExport.Number(t.Lower)} upper={PrometheusExport.Number(t.Upper)} p50={PrometheusExport.Number(t.P50)} p90={PrometheusExport.Number(t.P90)} p99={PrometheusExport.Number(t.P99)}\n"));
        }

        foreach (var (name, distinct) in flush.Sets)
            _writer.Write(FormattableString.Invariant($"{at} set {name} {distinct}\n"));
        _writer.Flush();
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (_owns)
            _writer?.Dispose();
    }
}
