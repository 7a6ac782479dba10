using Softnet.Cli.CommandLine;
using Softnet.Cli.Load;
using Softnet.Cli.Options;
using Softnet.Cli.Report;
using Softnet.Load;

namespace Softnet.Cli.Commands;

/// <summary><c>softnet run</c>: a device under the built-in bounded load, then the report; checks that every packet is accounted for.</summary>
internal static class RunCommand
{
    public static VerbCommand Create(TextWriter stdout, TextWriter stderr)
    {
        var knobs = new RunKnobs();
        var command = knobs.Command();
        command.Run(parse => Task.FromResult(Execute(knobs.Bind(parse), stdout, stderr)));
        return command;
    }

    private static int Execute(RunOptions options, TextWriter stdout, TextWriter stderr)
    {
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
