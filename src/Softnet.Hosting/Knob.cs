namespace Softnet.Hosting;

/// <summary>One configured setting: its name as the library's options and exceptions spell it, and how to apply it.</summary>
internal readonly record struct Knob<T>(string Name, Func<T, T> Apply)
{
    /// <summary>
    /// Applies every knob and validates with the library's own check, which stops at the first problem. Each failure
    /// is recorded and its knob set aside, then the rest is checked again, so every bad setting is reported at once
    /// against the same ranges the library enforces. Returns the options without the failing knobs.
    /// </summary>
    public static T Collect(T defaults, IEnumerable<Knob<T>> knobs, Action<T> validate, string section, List<string> failures)
    {
        var active = knobs.ToList();
        while (true)
        {
            var options = active.Aggregate(defaults, (acc, knob) => knob.Apply(acc));
            try
            {
                validate(options);
                return options;
            }
            catch (ArgumentException ex)
            {
                failures.Add($"{section}:{Describe(ex)}");
                int culprit = active.FindIndex(k => k.Name == ex.ParamName);
                if (culprit < 0)
                    return defaults;
                active.RemoveAt(culprit);
            }
        }
    }

    /// <summary>The library's message without the framework's "(Parameter …) Actual value was …" suffix, which repeats it.</summary>
    private static string Describe(ArgumentException ex)
    {
        string message = ex.Message;
        int suffix = message.IndexOf(" (Parameter '", StringComparison.Ordinal);
        return suffix < 0 ? message : message[..suffix];
    }
}
