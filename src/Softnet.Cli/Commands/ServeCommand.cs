using System.Runtime.InteropServices;
using Softnet.Admin;
using Softnet.Cli.CommandLine;
using Softnet.Cli.Options;
using Softnet.Cli.Udp;
using Softnet.Core;
using Softnet.Devices.Udp;
using Softnet.Scheduling;

namespace Softnet.Cli.Commands;

/// <summary>
/// <c>softnet serve</c>: a UDP device on a real address, answering per <c>--reply</c>, with the admin endpoint, until
/// SIGINT or SIGTERM; then a graceful shutdown (the sockets are drained into the stack, the stack delivers or counts
/// every packet) and the final report.
/// </summary>
internal static class ServeCommand
{
    public static VerbCommand Create(TextWriter stdout, TextWriter stderr)
    {
        var knobs = new ServeKnobs();
        var command = knobs.Command();
        command.Run(parse => ExecuteAsync(knobs.Bind(parse), stdout, stderr));
        return command;
    }

    private static async Task<int> ExecuteAsync(ServeOptions o, TextWriter stdout, TextWriter stderr)
    {
        var server = new UdpServer(o.Reply, o.Cpus, o.Overload.WorkUs);
        NetStack stack;
        try
        {
            stack = new NetStack(
                o.Overload.ApplyTo(new NetStackOptions
                {
                    Cpus = o.Cpus,
                    Mode = o.Mode,
                    RpsCpus = o.RpsCpus,
                    PacketBufferSize = BackendNames.BufferFor(o.Backend, o.MaxDatagram),
                    PacketPoolSize = PoolSizing.PacketsPerCpu(
                        o.Cpus,
                        BackendNames.BufferFor(o.Backend, o.MaxDatagram),
                        new NetStackOptions().InFlightPacketsPerCpu + PoolSizing.RxRingPackets(o.Cpus, o.Queues, new UdpDeviceOptions().Weight, o.Backend == UdpBackend.IoUring)),
                    // Transitions are logged from packet threads, which allocate nothing per packet: the prefix is
                    // written on its own rather than concatenated, under the writer's lock to keep the line whole.
                    Log = m =>
                    {
                        lock (stderr)
                        {
                            stderr.Write("softnet: ");
                            stderr.WriteLine(m);
                        }
                    },
                }),
                server.Handle);
        }
        catch (RtPriorityRefusedException e)
        {
            stderr.WriteLine($"softnet serve: {OverloadOptions.Describe(e)}");
            return ExitCodes.Usage;
        }
        catch (ArgumentException e)
        {
            stderr.WriteLine($"softnet serve: {UsageException.From(e).Message}");
            return ExitCodes.Usage;
        }
        AdminServer? admin = null;
        MetricsServer? metrics = null;
        try
        {
            var device = UdpDevice.Open(stack, o.Overload.ApplyToDevice(new UdpDeviceOptions
            {
                Name = o.IfName,
                Bind = o.Bind,
                Queues = o.Queues,
                DeferHardIrqs = o.DeferHardIrqs,
                GroFlushTimeoutNs = o.GroFlushTimeoutNs,
                ReusePortShare = o.ReusePortShare,
                IrqSuspendTimeoutNs = o.IrqSuspendTimeoutNs,
                Backend = o.Backend,
                ReceiveBufferBytes = o.ReceiveBufferBytes,
            }));
            server.Device = device;
            InlineSocketCompletions.Enable();
            if (!o.NoAdmin)
            {
                var adminOptions = new AdminOptions
                {
                    HttpEndPoint = o.AdminHttp,
                    AllowRemote = o.AdminAllowRemote,
                    TokenFile = o.AdminTokenFile,
                };
                if (o.AdminPath is { } path)
                    adminOptions = adminOptions with { UnixSocketPath = path };
                admin = await AdminServer.StartAsync(stack, adminOptions);
            }
            if (o.MetricsHttp is { } metricsHttp)
                metrics = await MetricsServer.StartAsync(stack, metricsHttp);
            // Listening before the ready line: a SIGTERM right after it must be a graceful shutdown, not the default kill.
            var stopped = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, c => OnSignal(c, stopped));
            using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => OnSignal(c, stopped));
            device.Start();
            var busyPoll = o.BusyPollUsecs is { } usecs
                ? new BusyPollLoop(device, new BusyPollOptions { BusyPollUsecs = usecs, BusyPollBudget = o.BusyPollBudget, PreferBusyPoll = o.PreferBusyPoll })
                : null;
            stderr.WriteLine($"softnet serve: {device.Name} on {device.LocalEndPoint}, {device.QueueCount} queues{(o.Overload.Protect.Count > 0 ? $" + protected ({string.Join(", ", o.Overload.Protect)})" : "")}, {o.Mode.Name()} mode, reply {o.Reply.ToString().ToLowerInvariant()}"
                + (busyPoll is null ? "" : $", application busy poll {o.BusyPollUsecs} us" + (o.PreferBusyPoll ? " preferred" : ""))
                + (admin is null ? "" : $", admin {admin.SocketPath}" + (admin.HttpEndPoint is { } h ? $" and http://{h} (token in {admin.TokenPath ?? o.AdminTokenFile})" : ""))
                + (metrics is null ? "" : $", metrics http://{metrics.EndPoint}/metrics"));
            await stopped.Task;
            stderr.WriteLine("softnet serve: shutting down");
            if (busyPoll is not null)
            {
                busyPoll.Stop();
                stderr.WriteLine($"softnet serve: {busyPoll.Describe()}");
            }
        }
        catch (Exception e) when (e is SocketSetupException or ArgumentException or IOException or InvalidOperationException or UnauthorizedAccessException or System.Net.Sockets.SocketException)
        {
            stderr.WriteLine($"softnet serve: {(e is ArgumentException a ? UsageException.From(a).Message : e.Message)}"
                + (e is SocketSetupException { ErrorName: "EADDRINUSE" } ? "; another process (another softnet serve?) holds the port" : ""));
            if (metrics is not null)
                await metrics.DisposeAsync();
            if (admin is not null)
                await admin.DisposeAsync();
            stack.Dispose();
            return ExitCodes.Failure;
        }
        if (metrics is not null)
            await metrics.DisposeAsync();
        if (admin is not null)
            await admin.DisposeAsync();
        stack.Dispose();
        var report = server.Report(stack, o);
        if (o.Json)
            report.WriteJson(stdout);
        else
            report.WriteText(stdout);
        return report.Violation() is null ? ExitCodes.Ok : ExitCodes.Failure;
    }

    private static void OnSignal(PosixSignalContext context, TaskCompletionSource stopped)
    {
        context.Cancel = true;
        stopped.TrySetResult();
    }
}
