using System.Diagnostics;

namespace Softnet.Tests.Admin;

/// <summary>
/// Background senders: each thread owns its flows and numbers each flow's packets from 0, sending in short bursts
/// until stopped. <see cref="Sent"/> is exact once <see cref="Stop"/> returned. Disposing stops them too, so a failed
/// assertion never leaves senders running into a disposed device.
/// </summary>
internal sealed class Pump : IDisposable
{
    /// <summary>Packets per flow between pauses: bounds how much can queue up in memory.</summary>
    private const int Burst = 8;

    private readonly Thread[] _threads;
    private volatile bool _stop;
    private long _sent;

    /// <param name="send">Sends one packet of a flow with its sequence number.</param>
    public Pump(int threads, int flowsPerThread, Action<int, long> send)
    {
        _threads = Enumerable.Range(0, threads).Select(t => new Thread(() =>
        {
            var seqs = new long[flowsPerThread];
            while (!_stop)
            {
                for (int b = 0; b < Burst; b++)
                {
                    for (int f = 0; f < flowsPerThread; f++)
                        send(t * flowsPerThread + f, seqs[f]++);
                }
                Interlocked.Add(ref _sent, Burst * flowsPerThread);
                Thread.Sleep(1);
            }
        })
        { IsBackground = true, Name = $"pump-{t}" }).ToArray();
        foreach (var thread in _threads)
            thread.Start();
    }

    public long Sent => Volatile.Read(ref _sent);

    /// <summary>Lets the senders run until at least <paramref name="packets"/> more were sent.</summary>
    public async Task RunFor(long packets)
    {
        long until = Sent + packets;
        var clock = Stopwatch.StartNew();
        while (Sent < until)
        {
            Assert.True(clock.Elapsed < AdminHarness.Patience, $"pump stalled at {Sent} packets (wanted {until})");
            await Task.Delay(5);
        }
    }

    public void Stop() => Assert.True(Join(), "a sender did not stop");

    public void Dispose() => Join();

    private bool Join()
    {
        _stop = true;
        return _threads.All(t => t.Join(AdminHarness.Patience));
    }
}
