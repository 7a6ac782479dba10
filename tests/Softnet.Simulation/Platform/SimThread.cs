using Softnet.Scheduling;

namespace Softnet.Simulation.Platform;

/// <summary>A stack thread under the scheduler's control; its OS id is a stable number so traces replay exactly.</summary>
internal sealed class SimThread(string name, int id, bool pinned, Action body) : IThreadHandle
{
    private readonly Thread _thread = new(() => body());

    public string Name { get; } = name;

    public int OsThreadId { get; } = id;

    public bool Pinned { get; } = pinned;

    public bool IsAlive => _thread.IsAlive;

    public void Start() => _thread.Start();

    public bool Join(TimeSpan timeout)
    {
        _thread.Join();
        return true;
    }
}
