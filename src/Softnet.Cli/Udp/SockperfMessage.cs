namespace Softnet.Cli.Udp;

/// <summary>
/// The part of sockperf's message header a server needs: a flag byte at offset 9. A client's ping asks for a pong with
/// CLIENT and PONG_REQUEST set; warm-up messages (WARMUP) are not answered. The pong is the message itself with CLIENT
/// cleared, so the client can match it by its sequence number.
/// </summary>
internal static class SockperfMessage
{
    public const int MinLength = 14;
    public const int FlagsOffset = 9;
    public const byte Client = 0x01;
    public const byte PongRequest = 0x02;
    public const byte Warmup = 0x04;

    public static bool WantsPong(ReadOnlySpan<byte> message) =>
        message.Length >= MinLength
        && (message[FlagsOffset] & (Client | PongRequest)) == (Client | PongRequest)
        && (message[FlagsOffset] & Warmup) == 0;

    /// <summary>Turns a ping, in place, into its pong.</summary>
    public static void MakePong(Span<byte> message) => message[FlagsOffset] &= unchecked((byte)~Client);
}
