using Microsoft.AspNetCore.Http;

namespace Softnet.Admin.Http;

/// <summary>A refused request: the HTTP status, the errno netlink would return, and a message naming what was wrong.</summary>
internal sealed class AdminProblem(int status, string errno, string message) : Exception(message)
{
    public int Status { get; } = status;

    public string Errno { get; } = errno;

    public static AdminProblem Invalid(string message) => new(StatusCodes.Status400BadRequest, "EINVAL", message);

    public static AdminProblem NotFound(string message) => new(StatusCodes.Status404NotFound, "ENOENT", message);

    public static AdminProblem NotSupported(string message) => new(StatusCodes.Status400BadRequest, "EOPNOTSUPP", message);

    public static AdminProblem Busy(string message) => new(StatusCodes.Status400BadRequest, "EBUSY", message);
}
