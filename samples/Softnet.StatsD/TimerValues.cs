namespace Softnet.StatsD;

/// <summary>
/// One timer's values in the current flush interval. The array keeps its size across intervals, so once a timer has
/// seen its busiest interval, recording into it allocates nothing.
/// </summary>
internal sealed class TimerValues
{
    private double[] _values = new double[16];

    public int Samples { get; private set; }

    /// <summary>Values scaled by their sample rates: each value counts as <c>1 / rate</c> samples, as Etsy's statsd counts them.</summary>
    public double Count { get; private set; }

    public void Add(double value, double sampleRate)
    {
        if (Samples == _values.Length)
            Array.Resize(ref _values, _values.Length * 2);
        _values[Samples++] = value;
        Count += 1 / sampleRate;
    }

    /// <summary>The interval's summary (null when nothing arrived), then empties the timer for the next interval.</summary>
    public TimerSummary? TakeSummary(string name)
    {
        if (Samples == 0)
            return null;
        var values = _values.AsSpan(0, Samples);
        values.Sort();
        double sum = 0;
        foreach (double v in values)
            sum += v;
        var summary = new TimerSummary(name, Count, Samples, sum, sum / Samples, values[0], values[^1],
            Percentile(values, 50), Percentile(values, 90), Percentile(values, 99));
        Samples = 0;
        Count = 0;
        return summary;
    }

    /// <summary>Nearest rank over the sorted values, as Etsy's statsd computes <c>upper_N</c>.</summary>
    private static double Percentile(ReadOnlySpan<double> sorted, int percent)
    {
        int rank = (int)Math.Round(percent / 100.0 * sorted.Length, MidpointRounding.AwayFromZero);
        return sorted[Math.Clamp(rank, 1, sorted.Length) - 1];
    }
}
