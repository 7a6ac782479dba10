using Microsoft.Extensions.Hosting;

namespace Softnet.Admin.Http;

/// <summary>
/// A host lifetime that does nothing: the default console lifetime would take over Ctrl+C and SIGTERM of the
/// process that embeds the server. The embedding application decides when the server stops, by disposing it.
/// </summary>
internal sealed class PassiveLifetime : IHostLifetime
{
    public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
