using Softnet.Core;

namespace Softnet.Tests.Admin;

/// <summary>
/// A multi-queue device fed from memory, for control-plane scenarios without sockets: one <see cref="FakeQueue"/>
/// NAPI per channel, a flow always on queue <c>flow % channels</c>, and <see cref="SetChannels"/> that deletes and
/// re-adds NAPIs like a driver's ethtool -L, without losing a queued packet.
/// </summary>
internal sealed class FakeQueueDevice : NetDevice
{
    private const int Weight = 64;

    private FakeQueue[] _queues = [];

    public FakeQueueDevice(NetStack stack, string name, int channels, int maxChannels)
        : base(stack, name, channels, maxChannels)
    {
        lock (Control)
        {
            for (int i = 0; i < channels; i++)
                StartQueue(i);
        }
        SetUp(true);
    }

    /// <summary>Queues one packet of <paramref name="flow"/>; a flow whose queue is being removed moves to a remaining one.</summary>
    public void Send(int flow, long seq)
    {
        while (true)
        {
            var queues = Volatile.Read(ref _queues);
            if (queues[flow % queues.Length].TryEnqueue(flow, seq))
                return;
            Thread.Yield();
        }
    }

    public override void SetChannels(int rx)
    {
        NetStackOptions.Range("rx", rx, 1, MaxChannels);
        lock (Control)
        {
            var queues = _queues;
            if (rx > queues.Length)
            {
                ResizeRxQueues(rx);
                for (int i = queues.Length; i < rx; i++)
                    StartQueue(i);
                return;
            }
            Volatile.Write(ref _queues, queues[..rx]);
            for (int i = queues.Length - 1; i >= rx; i--)
                StopQueue(queues[i]);
            ResizeRxQueues(rx);
        }
    }

    protected override void Close()
    {
        lock (Control)
        {
            var queues = _queues;
            Volatile.Write(ref _queues, []);
            for (int i = queues.Length - 1; i >= 0; i--)
                StopQueue(queues[i]);
        }
    }

    private void StartQueue(int index)
    {
        var q = new FakeQueue(Stack, Weight);
        NapiAdd(q, index);
        NapiEnable(q);
        Volatile.Write(ref _queues, [.. _queues, q]);
    }

    /// <summary>Stops the queue's senders, holds its NAPI, delivers what it still holds, then deletes the NAPI.</summary>
    private void StopQueue(FakeQueue q)
    {
        q.Close();
        NapiDisable(q);
        using (var bh = Stack.CurrentSoftnet().EnterBh())
        {
            while (!q.IsEmpty)
                q.PollRound(bh, out _);
        }
        NapiDelete(q);
    }
}
