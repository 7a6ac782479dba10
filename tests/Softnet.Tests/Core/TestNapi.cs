using System.Collections.Concurrent;
using Softnet.Core;
using Softnet.Tests.TestSupport;

namespace Softnet.Tests.Core;

/// <summary>
/// A NAPI driven by the test: it completes with <see cref="Work"/> packets, or keeps returning its whole budget while
/// <see cref="FullBudget"/> is set; it can block one poll on <see cref="Gate"/>, and it counts concurrent pollers.
/// </summary>
internal sealed class TestNapi(NetStack stack, int weight = 64, string name = "") : Napi(stack, weight)
{
    private int _inPoll;
    private int _maxPollers;
    private long _started;
    private volatile bool _blockNext;

    public string Name { get; } = name;

    /// <summary>While set, every poll reports its whole budget and does not complete.</summary>
    public volatile bool FullBudget;

    /// <summary>Work reported by a completing poll (kept below the budget).</summary>
    public int Work { get; set; } = 1;

    public ManualResetEventSlim Gate { get; } = new(false);

    public ManualResetEventSlim Entered { get; } = new(false);

    /// <summary>Runs at the start of every poll (in NAPI context).</summary>
    public Action<TestNapi>? OnPoll { get; set; }

    /// <summary>What each completion inside a poll returned, in order.</summary>
    public ConcurrentQueue<bool> CompleteResults { get; } = new();

    /// <summary>Polls started (counted atomically by the NAPI itself).</summary>
    public long Started => Interlocked.Read(ref _started);

    public int MaxConcurrentPollers => Volatile.Read(ref _maxPollers);

    /// <summary>The next poll signals <see cref="Entered"/> and waits (bounded) for <see cref="Gate"/>.</summary>
    public void BlockNextPoll()
    {
        Gate.Reset();
        Entered.Reset();
        _blockNext = true;
    }

    internal override int Poll(in BottomHalf bh, int budget)
    {
        int now = Interlocked.Increment(ref _inPoll);
        int max;
        while (now > (max = Volatile.Read(ref _maxPollers)) && Interlocked.CompareExchange(ref _maxPollers, now, max) != max)
        {
        }
        Interlocked.Increment(ref _started);
        OnPoll?.Invoke(this);
        if (_blockNext)
        {
            _blockNext = false;
            Entered.Set();
            Gate.Wait(Eventually.Patience);
        }
        bool full = FullBudget;
        // Ownership ends at completion: count ourselves out first, as the next owner may start before we return.
        Interlocked.Decrement(ref _inPoll);
        if (full)
            return budget;
        int work = Math.Min(Work, budget - 1);
        CompleteResults.Enqueue(CompleteDone(work));
        return work;
    }
}
