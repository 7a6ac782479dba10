namespace Softnet.Core;

/// <summary>
/// Receives the engine's protocol events where its invariants can break (see <see cref="ProtocolChecks"/>); the
/// simulation checks them at every step. Calls come from the thread doing the step, inside the step.
/// </summary>
internal interface IProtocolObserver
{
    /// <summary>A poll of <paramref name="napi"/> starts on behalf of <paramref name="cpu"/> (the bottom half held).</summary>
    void PollEnter(Napi napi, SoftnetData? cpu);

    /// <summary>The poll returned (the poller may have released the NAPI earlier, see <see cref="Released"/>).</summary>
    void PollExit(Napi napi);

    /// <summary>The owner gave SCHED up, or handed it to the next round (napi_complete_done, the backlog's own completion).</summary>
    void Released(Napi napi);

    /// <summary>A claimed NAPI goes onto <paramref name="cpu"/>'s poll list (or a pass's repoll list).</summary>
    void Listing(SoftnetData cpu, Napi napi);

    /// <summary>A NAPI was taken off a poll list to be polled or handed over.</summary>
    void Unlisted(Napi napi);

    /// <summary>Packets left a pool.</summary>
    void Rented(ReadOnlySpan<Packet> packets);

    /// <summary>Packets were freed back to their pool, directly or through its defer list.</summary>
    void Freed(ReadOnlySpan<Packet> packets);

    /// <summary>CPU <paramref name="dead"/> went offline and <paramref name="to"/> took its work (dev_cpu_dead).</summary>
    void HandedOver(SoftnetData dead, SoftnetData to);

    /// <summary>CPU <paramref name="back"/> is about to take its flows back from <paramref name="from"/>.</summary>
    void TookBack(SoftnetData back, SoftnetData from);

    /// <summary>An overload detector was fed <paramref name="level"/> at <paramref name="nowNs"/> and went from <paramref name="from"/> to <paramref name="to"/> (equal: no change).</summary>
    void OverloadUpdated(Overload.OverloadDetector detector, Overload.OverloadThresholds thresholds, double level, long nowNs, Overload.OverloadState from, Overload.OverloadState to);
}
