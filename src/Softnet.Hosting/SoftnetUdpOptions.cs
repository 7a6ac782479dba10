namespace Softnet.Hosting;

/// <summary>The <c>Softnet:Udp</c> section: a <see cref="Devices.Udp.UdpDevice"/> as <see cref="Devices.Udp.UdpDeviceOptions"/> names its settings.</summary>
public sealed class SoftnetUdpOptions
{
    /// <summary>Interface name (at most 15 characters).</summary>
    public string? Name { get; set; }

    /// <summary>
    /// Address and port to bind, such as <c>127.0.0.1:8125</c> or <c>[::]:8125</c>. The port is required; write
    /// <c>:0</c> to let the system pick one. Anything else fails at start.
    /// </summary>
    public string? Bind { get; set; }

    /// <summary>RX queues; 0 = one per stack CPU.</summary>
    public int? Queues { get; set; }

    /// <summary>Config slots, the limit for changing channels at run time.</summary>
    public int? MaxChannels { get; set; }

    /// <summary>SO_RCVBUF(FORCE) per queue socket.</summary>
    public int? ReceiveBufferBytes { get; set; }

    /// <summary>SO_SNDBUF(FORCE) of the reply sockets.</summary>
    public int? SendBufferBytes { get; set; }

    /// <summary>Steer each datagram to the receiving CPU's queue.</summary>
    public bool? CpuSteering { get; set; }

    /// <summary>smp_affinity per queue.</summary>
    public int[]? IrqAffinity { get; set; }

    /// <summary>napi_defer_hard_irqs for every queue.</summary>
    public int? DeferHardIrqs { get; set; }

    /// <summary>gro_flush_timeout in nanoseconds for every queue.</summary>
    public long? GroFlushTimeoutNs { get; set; }

    /// <summary>irq_suspend_timeout in nanoseconds for every queue.</summary>
    public long? IrqSuspendTimeoutNs { get; set; }

    /// <summary>Join a reuseport group another process already holds on a fixed port, instead of refusing it.</summary>
    public bool? ReusePortShare { get; set; }

    /// <summary>NAPI weight: datagrams per poll.</summary>
    public int? Weight { get; set; }

    /// <summary>How queues receive: <c>Epoll</c> (the default) or <c>IoUring</c>, which falls back to epoll with a log line where the kernel refuses it.</summary>
    public string? Backend { get; set; }

    /// <summary>
    /// Sources kept out of the flood, at most 8, each as <c>SRC[/PREFIX][:PORT[-PORT]]</c> (e.g. <c>127.0.0.1/32:9000-9001</c>
    /// or <c>[::1]:7000</c>): their datagrams get a queue of their own, polled first and exempt from the CPU budget.
    /// Needs <see cref="CpuSteering"/>.
    /// </summary>
    public string[]? Protected { get; set; }

    /// <summary>This device's overload policy, <c>off</c> or <c>auto</c>; unset follows the stack's <see cref="SoftnetOptions.Overload"/>.</summary>
    public string? Overload { get; set; }

    /// <summary>Percent (0..100) of the unprotected datagrams shed while a queue is overloaded (policy <c>auto</c>).</summary>
    public int? ShedShare { get; set; }

    /// <summary>The queues' NAPI threads once started: <c>disabled</c> (the default), <c>enabled</c> or <c>busy-poll</c>.</summary>
    public string? Threaded { get; set; }
}
