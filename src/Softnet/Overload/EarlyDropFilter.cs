namespace Softnet.Overload;

/// <summary>
/// An application's early drop: called in a device queue's poll for every datagram, before RPS and the backlog, with
/// its source (a raw sockaddr), its payload and the queue's overload state. Returning true drops it there, counted as
/// <c>early_drop</c>, before it costs a backlog slot or a handler call. It runs on the packet path: it must be quick,
/// allocate nothing and not block; one that throws keeps the datagram (logged once).
/// </summary>
public delegate bool EarlyDropFilter(ReadOnlySpan<byte> source, ReadOnlySpan<byte> payload, OverloadState state);
