using System.Diagnostics;
using System.Runtime.InteropServices;
using Softnet.Admin;
using Softnet.Admin.Contract;
using Softnet.Cli.Admin;
using Softnet.Cli.Options;
using Spectre.Console;

namespace Softnet.Cli.Top;

/// <summary>
/// <c>softnet top</c>: a live view of a running server's counters, per second, like <c>top</c> or <c>ethtool -S</c>
/// deltas. It reads <c>/stats</c> over the admin endpoint each interval. Exit codes as the admin verbs: 0 ok, 2 usage,
/// 3 no server.
/// </summary>
internal static class Top
{
    /// <summary>Runs <c>softnet top ARGS…</c>; returns the exit code.</summary>
    public static Task<int> RunAsync(IReadOnlyList<string> args, TextWriter stdout, TextWriter stderr) =>
        Commands.Dispatcher.RunAsync(["top", .. args], stdout, stderr);

    /// <summary>Shows views from <paramref name="client"/>'s server until the bound of <paramref name="options"/> or Ctrl+C.</summary>
    public static async Task<int> WatchAsync(AdminClient client, TopOptions options, TextWriter stdout)
    {
        using var stop = new CancellationTokenSource();
        using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, c =>
        {
            c.Cancel = true;
            stop.Cancel();
        });
        bool live = !options.Plain && ReferenceEquals(stdout, Console.Out) && !Console.IsOutputRedirected;
        await Loop(client, options, live, stdout, stop.Token);
        return AdminExitCodes.Ok;
    }

    private static async Task Loop(AdminClient client, TopOptions options, bool live, TextWriter stdout, CancellationToken stop)
    {
        var previous = await client.GetAsync("stats", AdminJsonContext.Default.StatsInfo);
        var clock = Stopwatch.StartNew();
        var total = Stopwatch.StartNew();
        var console = live ? AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(stdout) }) : null;
        async Task<bool> Next(Action<TopFrame, string> show, long shown)
        {
            if ((options.Count is { } count && shown >= count) || (options.Duration is { } d && total.Elapsed >= d) || stop.IsCancellationRequested)
                return false;
            try
            {
                await Task.Delay(options.Interval, stop);
            }
            catch (OperationCanceledException)
            {
                return false;
            }
            var current = await client.GetAsync("stats", AdminJsonContext.Default.StatsInfo);
            double seconds = clock.Elapsed.TotalSeconds;
            clock.Restart();
            show(TopFrame.Between(previous, current, seconds), $"softnet top: {client.Where}, every {options.Interval.TotalSeconds:0.###} s (Ctrl+C to quit)");
            previous = current;
            return true;
        }

        if (console is null)
        {
            for (long shown = 0; await Next((frame, title) => Plain(frame, title, shown, stdout), shown); shown++)
                await stdout.FlushAsync(stop.IsCancellationRequested ? CancellationToken.None : stop);
            return;
        }
        await console.Live(new Text("softnet top: waiting for the first interval")).StartAsync(async context =>
        {
            for (long shown = 0; await Next((frame, title) => context.UpdateTarget(TopScreen.Render(frame, title)), shown); shown++)
                context.Refresh();
        });
    }

    private static void Plain(TopFrame frame, string title, long shown, TextWriter stdout)
    {
        if (shown > 0)
            stdout.WriteLine();
        TopScreen.WritePlain(frame, title, stdout);
    }
}
