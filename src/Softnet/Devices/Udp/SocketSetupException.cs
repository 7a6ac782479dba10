using System.Net;
using Softnet.Interop;

namespace Softnet.Devices.Udp;

/// <summary>A socket could not be created, configured or bound; the message names the call, the address and the errno.</summary>
public sealed class SocketSetupException : Exception
{
    internal SocketSetupException(string operation, IPEndPoint endPoint, int errno, string? detail = null)
        : base($"{operation} {endPoint}: {Errno.Describe(errno)}" + (detail is null ? "" : $": {detail}"))
    {
        Operation = operation;
        EndPoint = endPoint;
        ErrorCode = errno;
    }

    /// <summary>The failing call, e.g. "bind" or "setsockopt SO_REUSEPORT".</summary>
    public string Operation { get; }

    /// <summary>The address the socket was being set up for.</summary>
    public IPEndPoint EndPoint { get; }

    /// <summary>The errno the kernel returned.</summary>
    public int ErrorCode { get; }

    /// <summary>The symbolic errno, e.g. "EADDRINUSE".</summary>
    public string ErrorName => Errno.Name(ErrorCode);
}
