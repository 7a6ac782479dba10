namespace Softnet.Cli.Udp;

/// <summary>What <c>softnet serve</c> sends back for a datagram.</summary>
internal enum ReplyMode
{
    /// <summary>Nothing: datagrams are only counted.</summary>
    None,

    /// <summary>The datagram itself, to its source.</summary>
    Echo,

    /// <summary>sockperf's server side: pong requests come back, everything else is counted.</summary>
    Sockperf,
}
