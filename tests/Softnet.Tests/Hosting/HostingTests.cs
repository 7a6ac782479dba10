using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Softnet.Hosting;
using Softnet.Tests.TestSupport;
using Softnet.Tests.UdpDevice;

namespace Softnet.Tests.Hosting;

/// <summary>Softnet in the Generic Host, in-process, on a real UDP socket on 127.0.0.1.</summary>
[Collection(UdpDeviceCollection.Name)]
public sealed class HostingTests
{
    private const int Datagrams = 2000;
    private const int PayloadBytes = 32;

    /// <summary>
    /// The host starts the stack and a UDP device bound from a configuration string; datagrams reach the DI handler;
    /// stopping the host drains; afterwards sent = delivered + counted drops, and the handler saw exactly what the
    /// stack counts as delivered.
    /// </summary>
    [Fact]
    public async Task HostedStack_DeliversToTheDiHandler_AndStopsWithExactAccounting()
    {
        using var host = CountingHost.Build(new()
        {
            ["Softnet:Cpus"] = "2",
            ["Softnet:Mode"] = "backlog-threads",
            ["Softnet:Udp:Bind"] = "127.0.0.1:0",
            ["Softnet:Udp:Queues"] = "2",
        });
        await host.StartAsync();
        var softnet = host.Services.GetRequiredService<SoftnetService>();
        var handler = host.Services.GetRequiredService<CountingHandler>();
        var udp = softnet.Udp!;
        Assert.Equal(IPAddress.Loopback, udp.LocalEndPoint.Address);
        Assert.NotEqual(0, udp.LocalEndPoint.Port);
        Assert.Equal(2, softnet.Stack.CpuCount);
        Assert.Equal(2, udp.QueueCount);

        using (var sender = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp))
        {
            var payload = new byte[PayloadBytes];
            for (int i = 0; i < Datagrams; i++)
                sender.SendTo(payload, udp.LocalEndPoint);
        }

        Eventually.True(
            () => handler.Packets + softnet.Stack.Snapshot().Dropped >= Datagrams,
            () => $"{Datagrams} datagrams delivered or counted (delivered {handler.Packets}, dropped {softnet.Stack.Snapshot().Dropped})");
        await host.StopAsync();

        var snapshot = softnet.Stack.Snapshot();
        Assert.Equal(Datagrams, handler.Packets + snapshot.Dropped);
        Assert.Equal(snapshot.Delivered, handler.Packets);
        Assert.Equal(handler.Packets * PayloadBytes, handler.Bytes);
        Assert.True(handler.Packets > 0, "no datagram reached the handler");
    }

    /// <summary>Every bad setting is reported when the host starts, each naming the option and the library's range.</summary>
    [Fact]
    public async Task BadConfiguration_ReportsEveryFailureAtOnce()
    {
        using var host = CountingHost.Build(new()
        {
            ["Softnet:Cpus"] = "0",
            ["Softnet:Mode"] = "fast",
            ["Softnet:NetdevBudget"] = "0",
            ["Softnet:FlowLimitTableLen"] = "1000",
            ["Softnet:Udp:Bind"] = "127.0.0.1:0",
            ["Softnet:Udp:Weight"] = "5000",
            ["Softnet:Udp:DeferHardIrqs"] = "-1",
            ["Softnet:RtPriority"] = "100",
            ["Softnet:Overload"] = "on",
        });

        var ex = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Equal(8, ex.Failures.Count());
        Assert.Contains("Softnet:RtPriority must be between 0 and 99 (got 100)", ex.Failures);
        Assert.Contains("Softnet:Overload must be one of off, auto (got 'on')", ex.Failures);
        Assert.Contains("Softnet:Cpus must be between 1 and 1024 (got 0)", ex.Failures);
        Assert.Contains("Softnet:Mode must be one of softirq, backlog-threads (got 'fast')", ex.Failures);
        Assert.Contains("Softnet:NetdevBudget must be between 1 and 1048576 (got 0)", ex.Failures);
        Assert.Contains("Softnet:FlowLimitTableLen must be a power of two between 1 and 1048576", ex.Failures);
        Assert.Contains("Softnet:Udp:Weight must be between 1 and 4096 (got 5000)", ex.Failures);
        Assert.Contains($"Softnet:Udp:DeferHardIrqs must be between 0 and {int.MaxValue} (got -1)", ex.Failures);
    }

    /// <summary>A housekeeping CPU the process may not run on fails the start, naming the setting and the allowed CPUs.</summary>
    [Fact]
    public async Task HousekeepingCpusOutsideTheAffinity_FailsTheStart()
    {
        using var host = CountingHost.Build(new()
        {
            ["Softnet:HousekeepingCpus"] = "4095",
        });

        var ex = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains(ex.Failures, f => f.StartsWith("Softnet:HousekeepingCpus: CPU 4095 in '4095' is offline or outside this process's affinity; allowed CPUs ", StringComparison.Ordinal));
    }

    /// <summary>A Bind that is not an address with an explicit port fails the start instead of binding an ephemeral port.</summary>
    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("::1")]
    [InlineData("localhost:8125")]
    [InlineData("127.0.0.1:99999")]
    [InlineData("8125")]
    public async Task UnparsableBind_FailsLoudly(string bind)
    {
        using var host = CountingHost.Build(new() { ["Softnet:Udp:Bind"] = bind });

        var ex = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        string failure = Assert.Single(ex.Failures);
        Assert.Equal($"Softnet:Udp:Bind must be an IP address and port such as 127.0.0.1:8125 or [::]:8125 (port 0 to pick one; got '{bind}')", failure);
    }

    /// <summary>Addresses with explicit ports bind where they say, IPv6 in brackets included.</summary>
    [Theory]
    [InlineData("127.0.0.1:0", "127.0.0.1")]
    [InlineData("[::1]:0", "::1")]
    public async Task ParsableBind_BindsThatAddress(string bind, string address)
    {
        using var host = CountingHost.Build(new() { ["Softnet:Cpus"] = "1", ["Softnet:Udp:Bind"] = bind });
        await host.StartAsync();
        try
        {
            var udp = host.Services.GetRequiredService<SoftnetService>().Udp!;
            Assert.Equal(IPAddress.Parse(address), udp.LocalEndPoint.Address);
            Assert.NotEqual(0, udp.LocalEndPoint.Port);
        }
        finally
        {
            await host.StopAsync();
        }
    }

    /// <summary>An unknown key (a typo) fails the start rather than being ignored.</summary>
    [Fact]
    public async Task UnknownKey_FailsTheStart()
    {
        using var host = CountingHost.Build(new() { ["Softnet:Udp:Bnid"] = "127.0.0.1:0" });

        var ex = await Assert.ThrowsAsync<InvalidOperationException>(() => host.StartAsync());

        Assert.Contains("Bnid", ex.Message);
    }
}
