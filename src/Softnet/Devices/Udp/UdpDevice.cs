using System.Net;
using Softnet.Core;

namespace Softnet.Devices.Udp;

/// <summary>
/// A UDP device: N sockets bound to one address with SO_REUSEPORT, each an RX queue with its own NAPI, its readiness
/// the queue's interrupt on the queue's CPU. Where the kernel allows, a reuseport BPF program steers each datagram to
/// the queue of the CPU that received it (RSS); RPS can re-steer on top. Handlers reply with <see cref="Reply"/>;
/// replies leave batched with sendmmsg.
/// </summary>
public sealed partial class UdpDevice : NetDevice, ITxFlush
{
    /// <summary>Ports tried for a port-0 device before giving up; each other holder found costs one.</summary>
    private const int MaxPortAttempts = 16;

    private readonly UdpDeviceOptions _options;
    private readonly IPEndPoint _bound;
    private readonly UdpTx?[] _tx;
    private readonly Stack<UdpQueue> _spares = new();
    private readonly UdpQueue? _protected;
    private readonly UdpSocket? _shed;
    private readonly int _firstQueue;
    private readonly Lock _steeringLock = new();
    private UdpQueue[] _queues = [];
    private bool _closed;
    private bool _steering;
    private long _txPackets;
    private long _protectedReplied;
    private long _shedReported;
    private long _shedEpisodes;
    private bool _shedding;
    private Interop.Libc.SockFilter[] _calmProgram = [];
    private Interop.Libc.SockFilter[] _shedProgram = [];

    /// <param name="stack">The stack the device registers with.</param>
    /// <param name="options">The device's options.</param>
    /// <param name="sockets">In bind order (the reuseport group's indexes): the protected socket, the shed socket, the queues.</param>
    /// <param name="maxChannels">The most queues the device can be given.</param>
    private UdpDevice(NetStack stack, UdpDeviceOptions options, List<UdpSocket> sockets, int maxChannels)
        : base(stack, options.Name, sockets.Count - SpecialSockets(options), maxChannels)
    {
        _options = options;
        _bound = sockets[0].LocalEndPoint;
        _tx = new UdpTx?[stack.CpuCount];
        int next = 0;
        if (options.Protected.Count > 0)
            _protected = new UdpQueue(this, sockets[next++], UdpQueue.ProtectedQueue, options.Weight);
        if (options.ShedShare > 0)
            _shed = sockets[next++];
        _firstQueue = next;
        _queues = sockets.Skip(next).Select((s, i) => new UdpQueue(this, s, i, options.Weight)).ToArray();
    }

    /// <summary>Sockets bound ahead of the queues: the protected queue's and the shed socket.</summary>
    private static int SpecialSockets(UdpDeviceOptions o) => (o.Protected.Count > 0 ? 1 : 0) + (o.ShedShare > 0 ? 1 : 0);

    /// <summary>
    /// Opens the device's sockets. The device receives nothing until <see cref="Start"/>: datagrams wait in the socket
    /// buffers. Port in use, a bad address or a refused socket option throw <see cref="SocketSetupException"/> naming
    /// what failed; bad options throw <see cref="ArgumentOutOfRangeException"/>. Nothing stays open on failure.
    /// </summary>
    public static UdpDevice Open(NetStack stack, UdpDeviceOptions options)
    {
        options.Validate(stack);
        int queues = options.Queues == 0 ? Math.Min(stack.CpuCount, UdpDeviceOptions.MaxQueues) : options.Queues;
        int maxChannels = options.MaxChannels == 0 ? Math.Min(Math.Max(queues, stack.CpuCount), UdpDeviceOptions.MaxQueues) : options.MaxChannels;
        var sockets = options.Bind.Port == 0 ? BindOwnPort(options, queues) : BindFixedPort(options, queues);
        UdpDevice device;
        try
        {
            device = new UdpDevice(stack, options, sockets, maxChannels);
        }
        catch
        {
            // Never registered (a taken name, say): the sockets are still ours to close.
            foreach (var s in sockets)
                s.Dispose();
            throw;
        }
        try
        {
            device.AttachSteering();
            return device;
        }
        catch
        {
            device.Dispose();
            throw;
        }
    }

    internal Overload.EarlyDropFilter? EarlyDrop => _options.EarlyDrop;

    /// <summary>This device's overload policy: its own, or the stack's.</summary>
    public Overload.OverloadMode Policy => _options.Overload ?? Stack.Options.Overload;

    /// <summary>The protected queue's figures; null without protected flows.</summary>
    public UdpProtectedStats? ProtectedStats => _protected is { } q
        ? new UdpProtectedStats(q.Id, q.Packets, Volatile.Read(ref _protectedReplied), UdpTable.Drops(q.Socket.Fd) ?? q.SocketDrops)
        : null;

    /// <summary>Whether the kernel is shedding <see cref="UdpDeviceOptions.ShedShare"/> of the unprotected datagrams now.</summary>
    public bool Shedding => Volatile.Read(ref _shedding);

    /// <summary>Times shedding started.</summary>
    public long ShedEpisodes => Volatile.Read(ref _shedEpisodes);

    /// <summary>Datagrams shed so far as counted under <c>shed</c> (the shed socket's drop count at the last reading).</summary>
    public long ShedDrops => Volatile.Read(ref _shedReported);

    /// <summary>
    /// Port 0: the kernel may pick a port on which another process of the same user holds a reuseport group, and a
    /// SO_REUSEPORT bind there joins it. So a plain bind (no SO_REUSEPORT) picks a port no socket holds, the group is
    /// bound to it, and the port's holders are checked; a socket that got in between makes it try another port.
    /// </summary>
    private static List<UdpSocket> BindOwnPort(UdpDeviceOptions options, int queues)
    {
        for (int attempt = 1; ; attempt++)
        {
            IPEndPoint bind;
            using (var probe = UdpSocket.Open(options.Bind, default))
                bind = probe.LocalEndPoint;
            List<UdpSocket> sockets;
            try
            {
                sockets = BindGroup(bind, queues, options);
            }
            catch (SocketSetupException e) when (e.ErrorCode == Interop.Errno.EADDRINUSE && attempt < MaxPortAttempts)
            {
                continue;
            }
            var foreign = PortHolders.Foreign(bind, Inodes(sockets));
            if (foreign.Count == 0)
                return sockets;
            foreach (var s in sockets)
                s.Dispose();
            if (attempt == MaxPortAttempts)
                throw new SocketSetupException("bind", options.Bind, Interop.Errno.EADDRINUSE, $"every port tried had other sockets, the last {bind.Port}: {PortHolders.Describe(foreign)}");
        }
    }

    /// <summary>
    /// A fixed port that already has sockets not of this device is refused, before binding and again after (a bind
    /// racing with ours), unless <see cref="UdpDeviceOptions.ReusePortShare"/> asks to join their group. Where procfs
    /// cannot name the holders, a bind without SO_REUSEPORT still fails with EADDRINUSE if anyone holds the port.
    /// </summary>
    private static List<UdpSocket> BindFixedPort(UdpDeviceOptions options, int queues)
    {
        if (!options.ReusePortShare)
        {
            if (PortHolders.Foreign(options.Bind, new HashSet<long>()) is { Count: > 0 } before)
                throw Held(options.Bind, before);
            UdpSocket.Open(options.Bind, new UdpSocketOptions()).Dispose();
        }
        var sockets = BindGroup(options.Bind, queues, options);
        if (!options.ReusePortShare && PortHolders.Foreign(options.Bind, Inodes(sockets)) is { Count: > 0 } after)
        {
            foreach (var s in sockets)
                s.Dispose();
            throw Held(options.Bind, after);
        }
        return sockets;
    }

    private static List<UdpSocket> BindGroup(IPEndPoint bind, int count, UdpDeviceOptions options)
    {
        var sockets = new List<UdpSocket>(count + SpecialSockets(options));
        try
        {
            // The special sockets first, so their indexes in the group stay put while queues come and go.
            if (options.Protected.Count > 0)
                sockets.Add(UdpSocket.Open(bind, SocketOptions(options)));
            if (options.ShedShare > 0)
                sockets.Add(UdpSocket.Open(bind, new UdpSocketOptions { ReusePort = true, Refuse = true }));
            for (int i = 0; i < count; i++)
                sockets.Add(UdpSocket.Open(bind, SocketOptions(options)));
            return sockets;
        }
        catch
        {
            foreach (var s in sockets)
                s.Dispose();
            throw;
        }
    }

    private static HashSet<long> Inodes(List<UdpSocket> sockets) =>
        sockets.Select(s => UdpTable.Inode(s.Fd)).OfType<long>().ToHashSet();

    private static SocketSetupException Held(IPEndPoint bind, IReadOnlyList<PortHolders.Holder> holders) =>
        new("bind", bind, Interop.Errno.EADDRINUSE,
            $"{PortHolders.Describe(holders)}; the kernel would put this device's SO_REUSEPORT sockets into a group of the same user — set UdpDeviceOptions.ReusePortShare (serve --reuseport-share) to share it on purpose");

    /// <summary>The address and port all queues are bound to.</summary>
    public IPEndPoint LocalEndPoint => _bound;

    /// <summary>Whether datagrams are steered to the receiving CPU's queue (the reuseport program was accepted).</summary>
    public bool CpuSteering => _steering;

    /// <summary>The number of receive queues (sockets) the device has.</summary>
    public int QueueCount => Volatile.Read(ref _queues).Length;

    /// <summary>Datagrams the device has sent (tx_packets).</summary>
    public long TxPackets => Volatile.Read(ref _txPackets);

    /// <summary>The receive buffer each socket actually got (the kernel doubles requests and may cap them).</summary>
    public int ReceiveBufferBytes => Volatile.Read(ref _queues)[0].Socket.EffectiveReceiveBufferBytes;

    /// <summary>Per-queue figures as of this read: NAPI id, interrupt CPU, polls, packets, socket drops, overload view and packets held back.</summary>
    public IReadOnlyList<UdpQueueStats> QueueStats =>
        Volatile.Read(ref _queues).Select(q => new UdpQueueStats(q.Queue, q.Id, q.IrqCpu?.Cpu ?? -1, q.Polls, q.Packets, q.SocketDrops, q.Overload, q.HeldBack)).ToArray();

    /// <summary>
    /// Datagrams the kernel dropped at the queue sockets (the protected one included) so far, read from /proc (also
    /// before <see cref="Start"/>); shed datagrams are not among them (<see cref="ShedDrops"/>).
    /// </summary>
    public long ReadSocketDrops() =>
        Volatile.Read(ref _queues).Sum(q => UdpTable.Drops(q.Socket.Fd) ?? q.SocketDrops)
        + (_protected is { } p ? UdpTable.Drops(p.Socket.Fd) ?? p.SocketDrops : 0);

    /// <summary>Adds and enables every queue's NAPI and unmasks its interrupt on its CPU.</summary>
    public void Start()
    {
        lock (Control)
        {
            if (IsUp)
                return;
            if (_down)
            {
                SetUp();
                return;
            }
            var queues = _queues;
            if (_protected is { } p)
                StartProtected(p);
            for (int i = 0; i < queues.Length; i++)
                StartQueue(queues[i], i);
            SetUp(true);
        }
    }

    /// <summary>
    /// Replies to <paramref name="request"/>'s source with a copy of <paramref name="payload"/>. Call it from the handler;
    /// the reply leaves with the others of the round in one sendmmsg. Returns false when it could not be queued (counted as a TX drop).
    /// </summary>
    public bool Reply(Packet request, ReadOnlySpan<byte> payload)
    {
        if (!Enqueue(request.SourceAddress, payload, nameof(Reply)))
            return false;
        if (request.QueueIndex == UdpQueue.ProtectedQueue && request.Device == this)
            Interlocked.Increment(ref _protectedReplied);
        return true;
    }

    /// <summary>
    /// Sends a copy of <paramref name="payload"/> to <paramref name="destination"/> from the device's socket, like
    /// <see cref="Reply"/> (handler context, batched with the round's other sends, false when counted as a TX drop).
    /// An IPv4 destination is sent IPv4-mapped when the device is bound to an IPv6 address.
    /// </summary>
    public bool SendTo(in UdpEndpoint destination, ReadOnlySpan<byte> payload)
    {
        if (destination.IsEmpty)
            throw new ArgumentException("the destination is empty", nameof(destination));
        if (destination.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork && _bound.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6)
        {
            Span<byte> mapped = stackalloc byte[Packet.MaxAddressBytes];
            return Enqueue(destination.WriteMappedIPv6(mapped), payload, nameof(SendTo));
        }

        return Enqueue(destination.Bytes, payload, nameof(SendTo));
    }

    private bool Enqueue(ReadOnlySpan<byte> destination, ReadOnlySpan<byte> payload, string caller)
    {
        // The per-CPU TX batch is found through this_cpu, as a kernel protocol handler finds its per-CPU state.
        var cpu = BottomHalf.Current is { } bh && bh.Stack == Stack
            ? bh
            : throw new InvalidOperationException($"{caller} is for the handler (NAPI context) of the stack this device belongs to");
        if (Volatile.Read(ref _closed))
        {
            DropTx(TxDropReason.DeviceClosed);
            return false;
        }
        var tx = _tx[cpu.Cpu] ??= new UdpTx(_options.Weight, Stack.Options.PacketBufferSize);
        // A batch a ring still holds is waited out (submitted now if its owner has not yet), so its buffers are free.
        if (tx.HeldBy is { } holder)
            holder.ReleaseTx(tx);
        if (tx.IsFull)
            FlushTx(cpu);
        if (!tx.Add(destination, payload))
        {
            DropTx(TxDropReason.TooBig);
            return false;
        }
        cpu.RequestTxFlush(this);
        return true;
    }

    void ITxFlush.FlushTx(SoftnetData cpu) => FlushTx(cpu);

    /// <summary>
    /// Sends this CPU's queued replies with one sendmmsg; what the kernel does not take is a TX drop. From an io_uring
    /// queue's completing poll (<paramref name="ring"/>), its ring may take them instead and submit them itself.
    /// </summary>
    internal void FlushTx(SoftnetData cpu, UdpQueue? ring = null)
    {
        if (_tx[cpu.Cpu] is not { Count: > 0 } tx)
            return;
        // Held by a ring: it leaves with that ring's wait, or has left and is freed here.
        if (tx.HeldBy is { } holder && !holder.TryReleaseTx(tx))
            return;
        if (tx.Count == 0 || (ring is not null && !Volatile.Read(ref _closed) && ring.TryTakeTx(cpu, tx)))
            return;
        int queued = tx.Count;
        int sent = tx.Flush(Volatile.Read(ref _queues)[0].Socket.Fd);
        Interlocked.Add(ref _txPackets, sent);
        // After close the sockets are gone: what was still queued could not leave.
        DropTx(Volatile.Read(ref _closed) ? TxDropReason.DeviceClosed : TxDropReason.SendFailed, queued - sent);
    }

    /// <summary>
    /// ethtool -L: grows or shrinks the RX queues while traffic flows. A removed queue is first taken out of the
    /// steering, given time for datagrams already steered to it to land, then drained into the stack; its NAPI's
    /// thread is parked for the queue's return. Its socket stays bound, as a spare outside the steering, because a
    /// socket closed under traffic can still be picked by a lookup racing with the close, and what it took would be
    /// lost; a returning queue takes its spare back. Needs CPU steering while the device is up: without a steering
    /// program every bound socket keeps receiving.
    /// </summary>
    public override void SetChannels(int rx)
    {
        NetStackOptions.Range("rx", rx, 1, MaxChannels);
        lock (Control)
        {
            var queues = _queues;
            if (rx == queues.Length)
                return;
            if (!_steering && IsUp)
                throw new NotSupportedException($"{Name}: changing channels without losing datagrams needs reuseport CPU steering, which is off");
            if (rx > queues.Length)
            {
                ResizeRxQueues(rx);
                for (int i = queues.Length; i < rx; i++)
                {
                    var q = _spares.TryPop(out var spare) ? spare : NewQueue(i);
                    Volatile.Write(ref _queues, [.. _queues, q]);
                    if (IsUp)
                        StartQueue(q, i);
                    else if (_down)
                        DiscardWhileDown(q, i);
                }
                AttachSteering();
                return;
            }
            Volatile.Write(ref _queues, queues[..rx]);
            AttachSteering();
            // Selection runs under RCU in the kernel's receive path: wait out deliveries that chose a leaving socket
            // under the old program before the last read.
            ReceiveGrace.Wait(Stack.Platform);
            for (int i = queues.Length - 1; i >= rx; i--)
            {
                StopQueue(queues[i]);
                _spares.Push(queues[i]);
            }
            ResizeRxQueues(rx);
        }
    }

    /// <summary>The protected queue last: its interrupt follows a CPU going offline, and stays where it went when the CPU returns.</summary>
    internal override IReadOnlyList<Napi> IrqQueues => _protected is null ? _queues : [.. _queues, _protected];

    /// <inheritdoc/>
    protected override void Close()
    {
        lock (Control)
        {
            lock (_steeringLock)
                Volatile.Write(ref _closed, true);
            var queues = _queues;
            if (_protected is { } p)
                StopProtected(p);
            for (int i = queues.Length - 1; i >= 0; i--)
                StopQueue(queues[i]);
            // Spares too: strays that reached one since it was drained are delivered.
            UdpQueue[] all = [.. _protected is null ? [] : new[] { _protected }, .. queues, .. _spares];
            RefuseAndDrain(all);
            foreach (var q in all)
            {
                q.Socket.Dispose();
                q.DisposeBatch();
            }
            _spares.Clear();
            if (_shed is { } shed)
            {
                SettleShed();
                shed.Dispose();
            }
            // The per-CPU reply batches stay: a handler still running on another CPU may hold one. Replies from now
            // on are refused, and a flush finds the sockets closed; both count as TX drops. The finalizer frees them.
        }
    }

    private static UdpSocketOptions SocketOptions(UdpDeviceOptions o) => new()
    {
        ReusePort = true,
        ReceiveBufferBytes = o.ReceiveBufferBytes,
        SendBufferBytes = o.SendBufferBytes,
        RxqOverflow = true,
    };

    private UdpQueue NewQueue(int index) =>
        new(this, UdpSocket.Open(_bound, SocketOptions(_options)), index, _options.Weight);

    private void StartQueue(UdpQueue q, int index)
    {
        q.DeferHardIrqs = _options.DeferHardIrqs;
        q.GroFlushTimeoutNs = _options.GroFlushTimeoutNs;
        NapiAdd(q, index);
        var config = q.Config!;
        if (config.NapiId == 0)
        {
            config.DeferHardIrqs = _options.DeferHardIrqs;
            config.GroFlushTimeoutNs = _options.GroFlushTimeoutNs;
            config.IrqSuspendTimeoutNs = _options.IrqSuspendTimeoutNs;
        }
        NapiEnable(q);
        q.RegisterOverload();
        q.RegisterIrq(AffineCpu(index));
    }

    /// <summary>
    /// The protected queue comes up outside the queue slots: no config, no RPS, never threaded, so always polled by
    /// its CPU's softirq, first.
    /// </summary>
    private void StartProtected(UdpQueue q)
    {
        q.Device = this;
        if (q.Id == 0)
            q.Id = Stack.AllocateNapiId();
        q.Enable();
        q.RegisterOverload();
        q.RegisterIrq(AffineCpu(0));
    }

    /// <summary>Takes the protected queue down as <see cref="StopQueue"/> does a slot's, without a slot to leave.</summary>
    private void StopProtected(UdpQueue q)
    {
        q.UnregisterIrq();
        if (q.Device is null || q.Has(NapiState.Npsvc))
            return;
        q.Disable();
        Drain(q);
    }

    /// <summary>Takes a queue down without losing what it holds: mask, stop polling, drain the socket into the stack, delete the NAPI.</summary>
    private void StopQueue(UdpQueue q)
    {
        q.UnregisterIrq();
        q.StopRing();
        if (q.Config is null)
            return;
        NapiDisable(q);
        Drain(q);
        NapiDelete(q);
    }

    /// <summary>
    /// Empties stopped queues for good, so closing their sockets frees nothing: each socket first refuses new
    /// datagrams (the kernel drops and counts what its lookup still picks for them), then, once datagrams already past
    /// the filter have been queued (<see cref="ReceiveGrace"/>), each is read until empty. Every datagram the kernel
    /// queued to these sockets is then delivered or counted. The queues' NAPIs must be disabled (held).
    /// </summary>
    private void RefuseAndDrain(IReadOnlyList<UdpQueue> queues)
    {
        foreach (var q in queues)
        {
            if (q.Socket.RefuseDatagrams() is var errno and not 0)
                Stack.LogOnce($"{Name} queue {q.Queue}: attaching the drop filter failed ({Interop.Errno.Describe(errno)}); datagrams arriving while the device closes may be lost uncounted");
        }
        ReceiveGrace.Wait(Stack.Platform);
        foreach (var q in queues)
            Drain(q, untilEmpty: true);
    }

    /// <summary>
    /// Polls a disabled (held) queue on its CPU until a read comes back short (or, <paramref name="untilEmpty"/>,
    /// empty), then settles its socket drops.
    /// </summary>
    private void Drain(UdpQueue q, bool untilEmpty = false)
    {
        var cpu = AffineCpu(q.Queue);
        using var bh = cpu.EnterBh();
        int read;
        do
            read = q.PollRound(bh, out _);
        while (untilEmpty ? read > 0 : read == q.Weight);
        if (UdpTable.Drops(q.Socket.Fd) is { } drops && drops > q.SocketDrops)
            q.CountSocketDrops(cpu, (uint)drops);
    }

    internal override SoftnetData AffineCpu(int queue)
    {
        // The protected queue's interrupt goes where queue 0's does.
        queue = Math.Max(queue, 0);
        int cpu = _options.IrqAffinity is { } a && queue < a.Count ? a[queue] : queue % Stack.CpuCount;
        var c = Stack.Cpu(cpu);
        return c.StandIn ?? c;
    }

    /// <summary>
    /// Builds the reuseport programs for the current queue count — calm, and shedding — and attaches the one the
    /// device's state calls for. A device with protected flows or shedding cannot run without it: the kernel's hash
    /// would spread the flood over the protected and shed sockets too.
    /// </summary>
    private void AttachSteering()
    {
        // A shared group's program belongs to its first owner; attaching ours would replace it.
        if (!_options.CpuSteering || _options.ReusePortShare)
            return;
        lock (_steeringLock)
        {
            int queues = QueueCount;
            int shedPerMille = _options.ShedShare * (ReuseportProgram.ShedScale / 100);
            _calmProgram = ReuseportProgram.Build(_options.Protected, 0, 0, 0, _firstQueue, queues);
            _shedProgram = _shed is null ? _calmProgram : ReuseportProgram.Build(_options.Protected, 0, _firstQueue - 1, shedPerMille, _firstQueue, queues);
            _steering = Volatile.Read(ref _queues)[0].Socket.TryAttachReuseportProgram(_shedding ? _shedProgram : _calmProgram);
        }
        if (!_steering && (_protected is not null || _shed is not null))
            throw new SocketSetupException("setsockopt SO_ATTACH_REUSEPORT_CBPF", _bound, System.Runtime.InteropServices.Marshal.GetLastPInvokeError(), "protected flows and shedding need the reuseport steering program");
        if (!_steering)
            Stack.LogOnce($"{Name}: the kernel refused the reuseport CPU steering program; its flow hash spreads datagrams over the queues");
    }

    /// <summary>
    /// A queue's detector changed state: while any queue is overloaded (policy auto), the kernel sheds the configured
    /// share; once none is, it stops. Called on packet threads, so the programs were built beforehand.
    /// </summary>
    internal void UpdateShedding()
    {
        if (_shed is null || Policy != Overload.OverloadMode.Auto)
            return;
        bool overloaded = false;
        foreach (var q in Volatile.Read(ref _queues))
        {
            if (q.OverloadState == Overload.OverloadState.Overloaded)
            {
                overloaded = true;
                break;
            }
        }
        lock (_steeringLock)
        {
            if (overloaded == _shedding || _closed || !_steering)
                return;
            if (!Volatile.Read(ref _queues)[0].Socket.TryAttachReuseportProgram(overloaded ? _shedProgram : _calmProgram))
            {
                Stack.LogOnce($"{Name}: the kernel refused the shedding reuseport program; nothing is shed");
                return;
            }
            Volatile.Write(ref _shedding, overloaded);
            if (overloaded)
                Volatile.Write(ref _shedEpisodes, _shedEpisodes + 1);
        }
        SettleShed();
    }

    /// <summary>
    /// Counts what the kernel shed since the last reading as <c>shed</c>: the shed socket refuses every datagram its
    /// program sends it, so its drop count (sk_drops) is exactly the shed datagrams, apart from the queues' own
    /// buffer overflows, which their sockets count.
    /// </summary>
    internal void SettleShed()
    {
        if (_shed?.ReadDrops() is not { } drops)
            return;
        long old = Volatile.Read(ref _shedReported);
        if (drops <= old || Interlocked.CompareExchange(ref _shedReported, drops, old) != old)
            return;
        var cpu = BottomHalf.Current is { } bh && bh.Stack == Stack ? bh : AffineCpu(0);
        cpu.Drop(DropReason.Shed, this, drops - old);
    }
}
