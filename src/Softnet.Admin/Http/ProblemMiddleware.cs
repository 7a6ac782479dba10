using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;
using Softnet.Admin.Contract;

namespace Softnet.Admin.Http;

/// <summary>Turns every failure into the JSON error body, so clients never have to parse an HTML or empty error page.</summary>
internal static class ProblemMiddleware
{
    public static async Task Invoke(HttpContext context, RequestDelegate next)
    {
        try
        {
            await next(context);
            // Refusals raised below the API, such as routing's 405, come without a body: give them the JSON one.
            if (context.Response.StatusCode >= 400 && !context.Response.HasStarted)
                await Write(context, context.Response.StatusCode, new AdminError($"{context.Request.Method} {context.Request.Path}: {ReasonPhrases.GetReasonPhrase(context.Response.StatusCode)}", "EINVAL"));
        }
        catch (AdminProblem problem)
        {
            await Write(context, problem.Status, new AdminError(problem.Message, problem.Errno));
        }
        catch (BadHttpRequestException e)
        {
            // Kestrel's own refusals, such as a body over the size limit.
            await Write(context, e.StatusCode, new AdminError(e.Message, "EINVAL"));
        }
        catch (Exception e) when (!context.Response.HasStarted && !context.RequestAborted.IsCancellationRequested)
        {
            await Write(context, StatusCodes.Status500InternalServerError, new AdminError($"{e.GetType().Name}: {e.Message}", "EIO"));
        }
    }

    public static Task NotFound(HttpContext context) =>
        Write(context, StatusCodes.Status404NotFound, new AdminError($"no such endpoint: {context.Request.Method} {context.Request.Path}", "ENOENT"));

    private static Task Write(HttpContext context, int status, AdminError error)
    {
        context.Response.Clear();
        context.Response.StatusCode = status;
        if (status == StatusCodes.Status401Unauthorized)
            context.Response.Headers.WWWAuthenticate = "Bearer";
        return context.Response.WriteAsJsonAsync(error, ServerJson.Context.AdminError);
    }
}
