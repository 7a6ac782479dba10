namespace Softnet.Scheduling;

/// <summary>
/// A NAPI as its <see cref="NapiThread"/> sees it (napi_threaded_poll's side of the engine): whether the thread owns
/// it, and one poll round on behalf of the CPU it polls for. The engine implements it, so the thread needs none of
/// the engine's types. Called once per round, never per packet.
/// </summary>
internal interface IThreadedPoll
{
    /// <summary>SCHED_THREADED is set: the NAPI is the thread's to poll. <paramref name="woken"/>: the thread has just been woken.</summary>
    bool OwnedByThread(bool woken);

    /// <summary>
    /// One round for <paramref name="thread"/>: <see cref="ThreadedRound.Throttled"/> with the time left in
    /// <paramref name="waitNs"/> while its CPU is out of budget, <see cref="ThreadedRound.Again"/> while work is left
    /// or the thread busy-polls, <see cref="ThreadedRound.Done"/> once the NAPI completed or is no longer the thread's.
    /// </summary>
    ThreadedRound PollRound(NapiThread thread, out long waitNs);
}
