using System.Runtime.CompilerServices;

namespace Softnet.Core;

/// <summary>net_rx_action: the pass over the poll list, delivery to the handler, freeing, and the TX flushes a pass asks for.</summary>
internal sealed partial class SoftnetData
{
    private readonly Packet[] _localFree;
    private readonly DeferChains _deferChains;
    private readonly List<ITxFlush> _txPending = [];

    /// <summary>Asks for <paramref name="device"/>'s queued transmissions to be flushed at the end of this round. Caller holds <see cref="Bh"/>.</summary>
    internal void RequestTxFlush(ITxFlush device)
    {
        if (!_txPending.Contains(device))
            _txPending.Add(device);
    }

    /// <summary>Runs the requested TX flushes (NET_TX after NET_RX); after most polls there are none. Caller holds <see cref="Bh"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal void RunTxFlush()
    {
        if (_txPending.Count != 0)
            FlushTxPending();
    }

    private void FlushTxPending()
    {
        for (int i = 0; i < _txPending.Count; i++)
        {
            try
            {
                _txPending[i].FlushTx(this);
            }
            catch (Exception e)
            {
                // A device's TX failure must not take this CPU's poll loop down.
                Stack.LogOnce($"TX flush failed: {e.GetType().Name}: {e.Message}");
            }
        }
        _txPending.Clear();
    }

    /// <summary>Hands a batch to the application in NAPI context, then frees it. Caller holds <see cref="Bh"/>.</summary>
    internal void Deliver(ReadOnlySpan<Packet> batch)
    {
        Counters.Processed += batch.Length;
        if (Stack.Metrics is { } metrics)
            Latency.Record(batch, Stack.Platform, metrics.Latency);
        try
        {
            Stack.Handler(batch, Cpu);
            Counters.Delivered += batch.Length;
        }
        catch (Exception e)
        {
            // The batch is freed below with the delivered ones.
            Drop(DropReason.Handler, null, batch.Length);
            Stack.ReportHandlerError(e);
        }
        Free(batch);
    }

    /// <summary>
    /// Frees packets: ours straight back to the pool, others chained per owner and pushed on the owner's defer list
    /// once per batch. Caller holds <see cref="Bh"/>.
    /// </summary>
    internal void Free(ReadOnlySpan<Packet> batch)
    {
        if (batch.IsEmpty)
            return;
        if (AllOwn(batch))
        {
            // The common case: a batch of this CPU's own packets goes back in one piece.
            Pool.Return(batch);
            return;
        }
        int local = 0;
        var chains = _deferChains;
        foreach (ref readonly var p in batch)
        {
            if (p.Owner == Pool)
            {
                _localFree[local++] = p;
                if (local == _localFree.Length)
                {
                    Pool.Return(_localFree);
                    local = 0;
                }
            }
            else
            {
                ProtocolChecks.Freed(new ReadOnlySpan<Packet>(in p));
                p.Reset();
                chains.Add(p);
            }
        }
        if (local > 0)
            Pool.Return(_localFree.AsSpan(0, local));
        _localFree.AsSpan(0, local).Clear();
        if (!chains.IsEmpty)
        {
            for (int cpu = 0; chains.Take(ref cpu, out var head, out var tail, out int count);)
            {
                var owner = head.Owner;
                if (owner.Defer(head, tail, count))
                    Stack.KickDefer(Stack.Cpu(owner.Cpu), this);
            }
        }
    }

    private bool AllOwn(ReadOnlySpan<Packet> batch)
    {
        var pool = Pool;
        foreach (var p in batch)
        {
            if (p.Owner != pool)
                return false;
        }
        return true;
    }

    /// <summary>
    /// net_rx_action: poll the NAPIs on this CPU's list under netdev_budget and netdev_budget_usecs. A NAPI that used
    /// its whole weight goes to the tail and waits for the next pass. Returns whether work is left (time_squeeze or
    /// leftovers), in which case the caller yields before continuing. Caller holds <see cref="Bh"/>.
    /// </summary>
    internal bool NetRxAction(in BottomHalf bh)
    {
        var o = Stack.Options;
        var platform = Stack.Platform;
        int budget = o.NetdevBudget;
        long now = platform.NowNs();
        // Out of CPU budget: the budgeted queues stay masked until the throttle ends.
        if (CpuOverload.IsThrottled(now))
            return PollUnbudgeted(bh);
        CpuOverload.CountPass();
        long deadline = Deadline.After(now, o.NetdevBudgetUsecs * 1000L);
        InNetRxAction = true;
        Napi? list = TakePollList(out Napi? listTail);
        Napi? repoll = null, repollTail = null;
        while (true)
        {
            if (Pool.HasDeferred)
                Pool.FlushDefer();
            if (list is null)
            {
                if (repoll is null)
                {
                    list = TakePollList(out listTail);
                    if (list is null)
                        break;
                    continue;
                }
                break;
            }
            var napi = list;
            list = napi.NextInList;
            if (list is null)
                listTail = null;
            napi.NextInList = null;
            ProtocolChecks.Unlisted(napi);
            int work = napi.PollRound(bh, out bool again);
            // Replies leave as soon as the poll that produced them is done, not after the whole pass.
            RunTxFlush();
            if (again)
            {
                ProtocolChecks.Listing(this, napi);
                if (repollTail is null)
                    repoll = napi;
                else
                    repollTail.NextInList = napi;
                repollTail = napi;
            }
            budget -= work;
            now = platform.NowNs();
            if (CpuOverload.IsThrottled(now))
                break;
            if (budget <= 0 || now >= deadline)
            {
                Counters.TimeSqueeze++;
                break;
            }
        }
        InNetRxAction = false;
        bool leftover = Requeue(list, listTail, repoll, repollTail);
        // net_rps_action_and_irq_enable: every pass ends with the epilogue, also inside a longer bottom half.
        PollEpilogue();
        return leftover;
    }

    /// <summary>
    /// A pass while the CPU is out of budget: only the NAPIs the budget does not stop (protected queues, devices whose
    /// policy is off) are polled, once each; the others stay listed in their order, their queues masked.
    /// </summary>
    private bool PollUnbudgeted(in BottomHalf bh)
    {
        Napi? list = TakePollList(out _);
        Napi? keep = null, keepTail = null, repoll = null, repollTail = null;
        InNetRxAction = true;
        while (list is not null)
        {
            var napi = list;
            list = napi.NextInList;
            napi.NextInList = null;
            if (napi.Budgeted)
            {
                Append(ref keep, ref keepTail, napi);
                continue;
            }
            ProtocolChecks.Unlisted(napi);
            napi.PollRound(bh, out bool again);
            RunTxFlush();
            if (again)
            {
                ProtocolChecks.Listing(this, napi);
                Append(ref repoll, ref repollTail, napi);
            }
        }
        InNetRxAction = false;
        bool leftover = Requeue(keep, keepTail, repoll, repollTail);
        PollEpilogue();
        return leftover;
    }

    private static void Append(ref Napi? head, ref Napi? tail, Napi napi)
    {
        if (tail is null)
            head = napi;
        else
            tail.NextInList = napi;
        tail = napi;
    }
}
