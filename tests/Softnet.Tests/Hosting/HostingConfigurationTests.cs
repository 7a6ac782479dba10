using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Softnet.Core;
using Softnet.Devices.Udp;
using Softnet.Hosting;
using Softnet.Overload;
using Softnet.Tests.TestSupport;
using Softnet.Tests.UdpDevice;

namespace Softnet.Tests.Hosting;

/// <summary>
/// Every setting of the <c>Softnet</c> section binds from configuration text, in-process on a real UDP socket on
/// 127.0.0.1: the overload, real-time and backend settings and the protected flows included, each bad value reported at
/// start with the option's path and what it accepts, all at once.
/// </summary>
[Collection(UdpDeviceCollection.Name)]
public sealed class HostingConfigurationTests
{
    private const int Datagrams = 50;

    /// <summary>
    /// The stack's and the device's overload settings, thresholds, threaded mode and a protected flow bind from text and
    /// reach the running stack: datagrams from the protected source arrive through the protected queue.
    /// </summary>
    [Fact]
    public async Task EverySetting_BindsFromText_AndReachesTheRunningStack()
    {
        using var host = CountingHost.Build(new()
        {
            ["Softnet:Cpus"] = "2",
            ["Softnet:Overload"] = "auto",
            ["Softnet:OverloadCpuShare"] = "80",
            ["Softnet:OverloadDemote"] = "true",
            ["Softnet:OverloadPeriod"] = "00:00:00.020",
            ["Softnet:OverloadThresholds:PressuredHigh"] = "0.6",
            ["Softnet:OverloadThresholds:LeaveDwell"] = "00:00:00.100",
            ["Softnet:RtPriority"] = "0",
            ["Softnet:RtPriorityFallback"] = "true",
            ["Softnet:Metrics"] = "false",
            ["Softnet:Udp:Bind"] = "127.0.0.1:0",
            ["Softnet:Udp:Queues"] = "2",
            ["Softnet:Udp:Backend"] = "epoll",
            ["Softnet:Udp:Overload"] = "off",
            ["Softnet:Udp:ShedShare"] = "25",
            ["Softnet:Udp:Threaded"] = "enabled",
            ["Softnet:Udp:Protected:0"] = "127.0.0.1/32",
            ["Softnet:Udp:Protected:1"] = "10.0.0.0/24:9000-9001",
        });
        await host.StartAsync();
        var softnet = host.Services.GetRequiredService<SoftnetService>();
        var handler = host.Services.GetRequiredService<CountingHandler>();
        try
        {
            var options = softnet.Stack.Options;
            Assert.Equal(OverloadMode.Auto, options.Overload);
            Assert.Equal(80, options.OverloadCpuShare);
            Assert.True(options.OverloadDemote);
            Assert.Equal(TimeSpan.FromMilliseconds(20), options.OverloadPeriod);
            Assert.Equal(0.6, options.OverloadThresholds.PressuredHigh);
            Assert.Equal(TimeSpan.FromMilliseconds(100), options.OverloadThresholds.LeaveDwell);
            Assert.Equal(new OverloadThresholds().OverloadedHigh, options.OverloadThresholds.OverloadedHigh);
            Assert.True(options.RtPriorityFallback);
            Assert.False(options.Metrics);

            var udp = softnet.Udp!;
            Assert.Equal(UdpBackend.Epoll, udp.Backend);
            Assert.Equal(OverloadMode.Off, udp.Policy);
            Assert.All(udp.Napis, napi => Assert.Equal(ThreadedMode.Enabled, napi.Threaded));

            using (var sender = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp))
            {
                sender.Bind(new IPEndPoint(IPAddress.Loopback, 0));
                for (int i = 0; i < Datagrams; i++)
                    sender.SendTo(new byte[16], udp.LocalEndPoint);
            }

            Eventually.True(
                () => udp.ProtectedStats?.Received + softnet.Stack.Snapshot().Dropped >= Datagrams,
                () => $"{Datagrams} datagrams through the protected queue (received {udp.ProtectedStats?.Received}, dropped {softnet.Stack.Snapshot().Dropped})");
        }
        finally
        {
            await host.StopAsync();
        }

        Assert.Equal(Datagrams, handler.Packets + softnet.Stack.Snapshot().Dropped);
        Assert.True(softnet.Udp!.ProtectedStats!.Value.Received > 0, "no datagram came through the protected queue");
    }

    /// <summary>Bad overload, backend, threaded and protected settings fail the start together, each naming its option and what it accepts.</summary>
    [Fact]
    public async Task BadSettings_AreReportedTogether_NamingTheOptionAndItsRange()
    {
        using var host = CountingHost.Build(new()
        {
            ["Softnet:OverloadCpuShare"] = "0",
            ["Softnet:OverloadThresholds:PressuredHigh"] = "0.9",
            ["Softnet:Udp:Bind"] = "127.0.0.1:0",
            ["Softnet:Udp:Backend"] = "uring",
            ["Softnet:Udp:Overload"] = "on",
            ["Softnet:Udp:ShedShare"] = "101",
            ["Softnet:Udp:Threaded"] = "yes",
            ["Softnet:Udp:Protected:0"] = "127.0.0.1/32:9000-9001",
            ["Softnet:Udp:Protected:1"] = "127.0.0.1/33",
            ["Softnet:Udp:Protected:2"] = "localhost:9000",
        });

        var ex = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        var failures = ex.Failures.ToList();
        Assert.Contains("Softnet:OverloadCpuShare must be between 1 and 100 (got 0)", failures);
        Assert.Contains(failures, f => f.StartsWith("Softnet:OverloadThresholds must satisfy 0 <= PressuredLow < PressuredHigh <= OverloadedHigh", StringComparison.Ordinal));
        Assert.Contains("Softnet:Udp:Backend must be one of Epoll, IoUring (got 'uring')", failures);
        Assert.Contains("Softnet:Udp:Overload must be one of off, auto (got 'on')", failures);
        Assert.Contains("Softnet:Udp:ShedShare must be between 0 and 100 (got 101)", failures);
        Assert.Contains("Softnet:Udp:Threaded must be one of disabled, enabled, busy-poll (got 'yes')", failures);
        Assert.Contains($"Softnet:Udp:Protected:1 must be {ProtectedFlow.Syntax}: the prefix must be 0..32 (got '33') (got '127.0.0.1/33')", failures);
        Assert.Contains($"Softnet:Udp:Protected:2 must be {ProtectedFlow.Syntax}: 'localhost' is not an IPv4 or IPv6 address (got 'localhost:9000')", failures);
        Assert.Equal(8, failures.Count);
    }

    /// <summary>Checks the library makes across settings name the section too: more protected flows than the steering program holds.</summary>
    [Fact]
    public async Task TooManyProtectedFlows_FailTheStart_NamingTheLimit()
    {
        var settings = new Dictionary<string, string?> { ["Softnet:Udp:Bind"] = "127.0.0.1:0" };
        for (int i = 0; i <= ProtectedFlow.MaxPerDevice; i++)
            settings[$"Softnet:Udp:Protected:{i}"] = $"10.0.0.{i}";
        using var host = CountingHost.Build(settings);

        var ex = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Equal(
            $"Softnet:Udp:Protected must have at most {ProtectedFlow.MaxPerDevice} flows (got {ProtectedFlow.MaxPerDevice + 1})",
            Assert.Single(ex.Failures));
    }

    /// <summary>The backend binds by name in any case; a number, which an enum binder would take, is refused.</summary>
    [Theory]
    [InlineData("IoUring", true)]
    [InlineData("iouring", true)]
    [InlineData("Epoll", true)]
    [InlineData("1", false)]
    public async Task Backend_BindsByNameOnly(string backend, bool valid)
    {
        using var host = CountingHost.Build(new() { ["Softnet:Cpus"] = "1", ["Softnet:Udp:Bind"] = "127.0.0.1:0", ["Softnet:Udp:Backend"] = backend });
        if (!valid)
        {
            var ex = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());
            Assert.Equal($"Softnet:Udp:Backend must be one of Epoll, IoUring (got '{backend}')", Assert.Single(ex.Failures));
            return;
        }

        await host.StartAsync();
        try
        {
            var udp = host.Services.GetRequiredService<SoftnetService>().Udp!;
            var expected = backend.StartsWith("Epoll", StringComparison.OrdinalIgnoreCase) || IoUringSupport.WhyNot() is not null ? UdpBackend.Epoll : UdpBackend.IoUring;
            Assert.Equal(expected, udp.Backend);
        }
        finally
        {
            await host.StopAsync();
        }
    }

    /// <summary>A value that is not even of the setting's type (text for a number) fails the start naming its key, before any range check.</summary>
    [Fact]
    public async Task AValueOfTheWrongType_FailsTheStart_NamingItsKey()
    {
        using var host = CountingHost.Build(new() { ["Softnet:Udp:Bind"] = "127.0.0.1:0", ["Softnet:Udp:ShedShare"] = "half" });

        var ex = await Assert.ThrowsAsync<InvalidOperationException>(() => host.StartAsync());

        Assert.Contains("'half'", ex.Message);
        Assert.Contains("Softnet:Udp:ShedShare", ex.Message);
    }
}
