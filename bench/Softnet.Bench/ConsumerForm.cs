namespace Softnet.Bench;

/// <summary>How a baseline consumer reads its channel.</summary>
internal enum ConsumerForm
{
    /// <summary><c>while (await WaitToReadAsync()) while (TryRead(...))</c> in an async method on the thread pool.</summary>
    WaitTryRead,

    /// <summary><c>await foreach (var p in reader.ReadAllAsync())</c> on the thread pool.</summary>
    ReadAll,

    /// <summary>A dedicated thread that drains with TryRead and blocks on WaitToReadAsync when the channel is empty.</summary>
    DedicatedThread,
}

internal static class ConsumerForms
{
    public static readonly string[] Names = ["wait-tryread", "readall", "dedicated-thread"];

    public static string Name(this ConsumerForm form) => Names[(int)form];

    /// <summary>One form by name, or every form for <c>all</c>.</summary>
    public static IReadOnlyList<ConsumerForm> Parse(string name) =>
        name == "all" ? Enum.GetValues<ConsumerForm>() : [(ConsumerForm)Array.IndexOf(Names, name)];
}
