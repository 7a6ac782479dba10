using Softnet.Cli.Load;
using Softnet.Cli.Options;
using Softnet.Cli.Report;

namespace Softnet.Cli.Commands;

/// <summary><c>softnet run</c>: a device under the built-in bounded load, then the report; checks that every packet is accounted for.</summary>
internal sealed class RunCommand : ICommand
{
    public string Name => "run";

    public string Summary => "run a device under a bounded load and report throughput, latency, drops and softnet_stat";

    public Task<int> ExecuteAsync(IReadOnlyList<string> args, TextWriter stdout, TextWriter stderr) =>
        Task.FromResult(Execute(args, stdout, stderr));

    private static int Execute(IReadOnlyList<string> args, TextWriter stdout, TextWriter stderr)
    {
        if (args.Any(a => a is "--help" or "-h"))
        {
            stdout.WriteLine(RunOptions.Usage);
            return ExitCodes.Ok;
        }
        RunOptions options;
        try
        {
            options = RunOptions.Parse(args);
        }
        catch (UsageException e)
        {
            stderr.WriteLine($"softnet run: {e.Message}");
            return ExitCodes.Usage;
        }
        RunReport report;
        try
        {
            report = Run(options, stderr);
        }
        catch (RunFailedException e)
        {
            stderr.WriteLine($"softnet run: {e.Message}");
            return ExitCodes.Failure;
        }
        catch (Softnet.Scheduling.RtPriorityRefusedException e)
        {
            stderr.WriteLine($"softnet run: {OverloadOptions.Describe(e)}");
            return ExitCodes.Usage;
        }
        if (options.Json)
            JsonReport.Write(report, stdout);
        else
            TextReport.Write(report, stdout);
        if (report.Violation() is { } violation)
        {
            stderr.WriteLine($"softnet run: {violation}");
            return ExitCodes.Failure;
        }
        return ExitCodes.Ok;
    }

    /// <summary>The run for the chosen device; a new device adds its case here.</summary>
    private static RunReport Run(RunOptions options, TextWriter progress) => options.Device switch
    {
        DeviceKind.Loopback => LoopbackRun.Execute(options, progress),
        DeviceKind.Udp => Udp.UdpRun.Execute(options, progress),
        _ => throw new RunFailedException($"device {options.Device.Name()} has no load"),
    };
}
