using Softnet.Cli.Commands;
using Softnet.Core;
using Softnet.Devices.Udp;

namespace Softnet.Cli.Udp;

/// <summary>The handler of <c>softnet serve</c>: counts every datagram per CPU and answers per the reply mode.</summary>
internal sealed class UdpServer(ReplyMode reply, int cpus, int workUs = 0)
{
    private const int Stride = 8;

    private readonly Softnet.Load.SyntheticWork _work = new(workUs);

    private readonly long[] _received = new long[(cpus + 1) * Stride];

    public UdpDevice? Device { get; set; }

    public long Received
    {
        get
        {
            long sum = 0;
            for (int c = 1; c <= cpus; c++)
                sum += Volatile.Read(ref _received[c * Stride]);
            return sum;
        }
    }

    public void Handle(ReadOnlySpan<Packet> batch, int cpu)
    {
        ref long received = ref _received[(cpu + 1) * Stride];
        Volatile.Write(ref received, received + batch.Length);
        _work.Run(batch.Length);
        if (reply == ReplyMode.None || Device is not { } device)
            return;
        foreach (var p in batch)
        {
            if (reply == ReplyMode.Echo)
            {
                device.Reply(p, p.Data);
            }
            else if (SockperfMessage.WantsPong(p.Data))
            {
                SockperfMessage.MakePong(p.Data);
                device.Reply(p, p.Data);
            }
        }
    }

    public ServeReport Report(NetStack stack, ServeOptions o)
    {
        var snapshot = stack.Snapshot();
        return new ServeReport(
            (Device?.LocalEndPoint ?? o.Bind).ToString(),
            o.Mode.Name(),
            Device?.QueueCount ?? 0,
            Received,
            snapshot.Delivered,
            Device?.TxPackets ?? 0,
            Device?.TxDropped ?? 0,
            snapshot.Drops,
            Device?.QueueStats ?? [],
            Diagnostics.SoftnetStat.Format(snapshot),
            Cli.Report.OverloadReport.From(stack.Options, snapshot, Device?.ProtectedStats, Device?.ShedEpisodes ?? 0));
    }
}
