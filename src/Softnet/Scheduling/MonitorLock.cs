#if SIMULATION
// The engine names its lock type `Lock` everywhere. The release build resolves it to System.Threading.Lock; the simulation
// build resolves it to this Monitor-backed twin, whose every acquisition a controlled scheduler can see and reorder.
global using Lock = Softnet.Scheduling.MonitorLock;

namespace Softnet.Scheduling;

/// <summary>
/// The simulation build's lock: the members of System.Threading.Lock the engine uses, on top of <see cref="Monitor"/>,
/// so <c>lock (x)</c>, <see cref="TryEnter"/> and <see cref="Exit"/> read the same in both builds.
/// </summary>
public sealed class MonitorLock
{
    public bool IsHeldByCurrentThread => Monitor.IsEntered(this);

    public void Enter() => Monitor.Enter(this);

    public bool TryEnter() => Monitor.TryEnter(this);

    public void Exit() => Monitor.Exit(this);
}
#endif
