namespace Softnet.Core;

/// <summary>The poll list (softnet_data.poll_list): ____napi_schedule's append, the list net_rx_action takes and requeues, and dev_cpu_dead's hand-over.</summary>
internal sealed partial class SoftnetData
{
    private readonly Lock _pollLock = new();
    private Napi? _pollHead;
    private Napi? _pollTail;
    private SoftnetData? _handedTo;

    /// <summary>While this CPU is offline, the CPU its poll list and watchdogs were handed to (dev_cpu_dead).</summary>
    internal SoftnetData? HandedTo => Volatile.Read(ref _handedTo);

    /// <summary>____napi_schedule: append a claimed NAPI to this CPU's poll list and raise NET_RX.</summary>
    internal void ListAndRaise(Napi napi)
    {
        if (ListNoRaise(napi))
            Raise();
    }

    /// <summary>
    /// Appends a claimed NAPI to the poll list for a caller that runs the softirq itself right after. Returns false when
    /// this CPU is offline and the NAPI went to the CPU that took its work instead (raised there).
    /// </summary>
    internal bool ListNoRaise(Napi napi)
    {
        SoftnetData? to;
        lock (_pollLock)
        {
            to = _handedTo;
            // Its own backlog stays here even while the list is closed: a sender with an older view of this CPU can
            // claim it in SetCpuOnline's window (flows steered back, list not yet reopened); dropped, that claim would
            // leave the backlog SCHED with nobody to poll it. Listed, it waits for the CPU's return.
            if (to is null || napi == Backlog)
            {
                ProtocolChecks.Listing(this, napi);
                napi.NextInList = null;
                if (_pollTail is null)
                {
                    _pollHead = _pollTail = napi;
                }
                else if (napi.Protected)
                {
                    // A protected queue goes first: its traffic must not wait behind the flooded queues' polls.
                    napi.NextInList = _pollHead;
                    _pollHead = napi;
                }
                else
                {
                    _pollTail.NextInList = napi;
                    _pollTail = napi;
                }
                return true;
            }
        }
        // A thread that picked this CPU just before it went offline (an interrupt already taken, a stand-in read too
        // early) schedules after dev_cpu_dead emptied the list: listed here, the NAPI would stay SCHED with no poller
        // until the CPU returns. It follows the rest of the CPU's work.
        to.ListAndRaise(napi);
        return false;
    }

    /// <summary>A NAPI the CPU budget does not stop waits on the poll list.</summary>
    internal bool HasUnbudgetedWork()
    {
        lock (_pollLock)
        {
            for (var napi = _pollHead; napi is not null; napi = napi.NextInList)
            {
                if (!napi.Budgeted)
                    return true;
            }
            return false;
        }
    }

    /// <summary>Hands every NAPI waiting on this CPU's poll list and every armed watchdog to <paramref name="to"/> (dev_cpu_dead). Caller holds <see cref="Bh"/>.</summary>
    internal void MigrateWorkTo(SoftnetData to)
    {
        Napi? list;
        lock (_pollLock)
        {
            list = TakePollList(out _);
            Volatile.Write(ref _handedTo, to);
        }
        for (var napi = list; napi is not null;)
        {
            var next = napi.NextInList;
            napi.NextInList = null;
            ProtocolChecks.Unlisted(napi);
            // The offline CPU's backlog was handed over already and must not run elsewhere.
            if (napi != Backlog)
                to.ListAndRaise(napi);
            napi = next;
        }
        Watchdogs.HandOverTo(to);
        Volatile.Write(ref _rpsIpiPending, 0);
        Volatile.Write(ref _softirqPending, 0);
    }

    /// <summary>The CPU is back: its poll list takes NAPIs again. Called before its softirq thread is unparked.</summary>
    internal void ReopenPollList()
    {
        lock (_pollLock)
            Volatile.Write(ref _handedTo, null);
    }

    private Napi? TakePollList(out Napi? tail)
    {
        lock (_pollLock)
        {
            var head = _pollHead;
            tail = _pollTail;
            _pollHead = _pollTail = null;
            return head;
        }
    }

    /// <summary>The new poll list is the unpolled leftovers, then what was scheduled during the pass, then the repolls.</summary>
    private bool Requeue(Napi? list, Napi? listTail, Napi? repoll, Napi? repollTail)
    {
        lock (_pollLock)
        {
            if (list is not null)
            {
                listTail!.NextInList = _pollHead;
                if (_pollHead is null)
                    _pollTail = listTail;
                _pollHead = list;
            }
            if (repoll is not null)
            {
                if (_pollTail is null)
                    _pollHead = repoll;
                else
                    _pollTail.NextInList = repoll;
                _pollTail = repollTail;
            }
            return _pollHead is not null;
        }
    }
}
