using System.Diagnostics;
using System.Runtime.ExceptionServices;
using Softnet.Interop;

namespace Softnet.Scheduling;

/// <summary>The real platform: OS threads pinned with sched_setaffinity, futex and epoll waits, the monotonic clock.</summary>
public sealed class SystemPlatform : IPlatform
{
    /// <summary>The one instance.</summary>
    public static readonly SystemPlatform Instance = new();

    private static readonly double NsPerTick = 1e9 / Stopwatch.Frequency;
    private readonly Lazy<int[]> _allowed = new(ReadAllowedCpus);

    private SystemPlatform()
    {
    }

    /// <inheritdoc/>
    public long NowNs() => (long)(Stopwatch.GetTimestamp() * NsPerTick);

    /// <inheritdoc/>
    public long ThreadCpuNs() => ThreadClock.NowNs() is var ns and >= 0 ? ns : NowNs();

    /// <inheritdoc/>
    public int CurrentOsCpu() => Thread.GetCurrentProcessorId();

    /// <inheritdoc/>
    public IReadOnlyList<int> AllowedOsCpus() => _allowed.Value;

    /// <inheritdoc/>
    public IWaiter CreateWaiter() => new FutexWaiter();

    /// <inheritdoc/>
    public IIrqWaiter CreateSoftirqWaiter() => new EpollWaiter();

    /// <inheritdoc/>
    /// <remarks>
    /// The thread is only pinned before the start returns: a thread without a setup (a load generator's sender) has
    /// nothing to pay early, and blocking it on a lock would make it allocate where it allocated nothing.
    /// </remarks>
    public IThreadHandle StartThread(string name, int osCpu, Action body)
    {
        var handle = new OsThread(name, osCpu, null, body);
        handle.Start();
        return handle;
    }

    /// <inheritdoc/>
    /// <remarks>
    /// Before <paramref name="setup"/> the thread is pinned, blocks once on a contended lock (<see cref="FirstLockWait"/>)
    /// and reads its processor id (the runtime caches it per thread), all one-time costs a packet thread would
    /// otherwise pay at its first packets.
    /// </remarks>
    public IThreadHandle StartThread(string name, int osCpu, Action setup, Action body)
    {
        var handle = new OsThread(name, osCpu, setup, body);
        handle.Start();
        return handle;
    }

    /// <inheritdoc/>
    public void Yield() => Thread.Yield();

    /// <inheritdoc/>
    /// <remarks>
    /// Under a real-time policy the thread yields: SCHED_FIFO does not time-slice, so the packet threads of one priority
    /// on a CPU would otherwise never take turns. Under the fair scheduler it does nothing, as cond_resched does while
    /// need_resched is clear: the kernel preempts the thread by itself when another should run, while a sched_yield
    /// pushes an EEVDF task's deadline a whole slice back each time, and a CPU-bound task beside a flooded packet thread
    /// then took more than its fair share (about 60 % of the CPU against the packet thread's 40 %).
    /// </remarks>
    public void CondResched()
    {
        int policy = Libc.SchedGetScheduler(0) & ~Libc.SCHED_RESET_ON_FORK;
        if (policy is Libc.SCHED_FIFO or Libc.SCHED_RR)
            Thread.Yield();
    }

    /// <inheritdoc/>
    public void Backoff(int attempt)
    {
        if (attempt < 10)
            Thread.SpinWait(1 << attempt);
        else if (attempt < 20)
            Thread.Yield();
        else
            Thread.Sleep(1);
    }

    /// <inheritdoc/>
    public void Sleep(TimeSpan duration) => Thread.Sleep(duration);

    private static unsafe int[] ReadAllowedCpus()
    {
        byte* mask = stackalloc byte[Libc.CpuSetBytes];
        if (Libc.SchedGetAffinity(0, Libc.CpuSetBytes, mask) != 0)
            return Enumerable.Range(0, Environment.ProcessorCount).ToArray();
        var cpus = new List<int>();
        for (int i = 0; i < Libc.CpuSetBytes * 8; i++)
        {
            if ((mask[i >> 3] & (1 << (i & 7))) != 0)
                cpus.Add(i);
        }
        return cpus.Count > 0 ? cpus.ToArray() : [0];
    }

    private sealed class OsThread : IThreadHandle
    {
        private readonly Thread _thread;
        private readonly int _osCpu;
        private readonly Action? _setup;
        private readonly Action _body;
        private readonly ManualResetEventSlim _started = new();
        private readonly FirstLockWait? _firstLockWait;
        private ExceptionDispatchInfo? _setupFailed;

        public OsThread(string name, int osCpu, Action? setup, Action body)
        {
            Name = name;
            _osCpu = osCpu;
            _setup = setup;
            _firstLockWait = setup is null ? null : new FirstLockWait();
            _body = body;
            // Thread.Name becomes the OS thread name (comm), truncated to 15 bytes as Linux does.
            _thread = new Thread(Run) { Name = name, IsBackground = true };
        }

        public string Name { get; }

        public int OsThreadId { get; private set; }

        public bool Pinned { get; private set; }

        public bool IsAlive => _thread.IsAlive;

        /// <summary>Starts the thread and returns once it is pinned and its setup has run; a setup's exception is thrown here.</summary>
        public void Start()
        {
            _firstLockWait?.Hold();
            try
            {
                _thread.Start();
            }
            catch
            {
                _firstLockWait?.Abandon();
                throw;
            }
            _firstLockWait?.Release();
            _started.Wait();
            _setupFailed?.Throw();
        }

        public bool Join(TimeSpan timeout) => _thread.Join(timeout);

        private unsafe void Run()
        {
            OsThreadId = Libc.GetTid();
            if (_osCpu >= 0 && _osCpu < Libc.CpuSetBytes * 8)
            {
                byte* mask = stackalloc byte[Libc.CpuSetBytes];
                new Span<byte>(mask, Libc.CpuSetBytes).Clear();
                mask[_osCpu >> 3] = (byte)(1 << (_osCpu & 7));
                Pinned = Libc.SchedSetAffinity(0, Libc.CpuSetBytes, mask) == 0;
            }
            try
            {
                if (_firstLockWait is not null)
                {
                    _firstLockWait.Wait();
                    Thread.GetCurrentProcessorId();
                }
                _setup?.Invoke();
            }
            catch (Exception e)
            {
                _setupFailed = ExceptionDispatchInfo.Capture(e);
                return;
            }
            finally
            {
                _started.Set();
            }
            _body();
        }
    }
}
