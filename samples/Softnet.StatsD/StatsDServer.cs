using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Softnet.Hosting;

namespace Softnet.StatsD;

/// <summary>
/// Builds the server: Softnet's UDP device through <see cref="SoftnetServiceCollectionExtensions.AddSoftnet{THandler}"/>
/// with <see cref="StatsDHandler"/>, the <see cref="Flusher"/>, and Kestrel serving <c>/metrics</c>.
/// </summary>
public static class StatsDServer
{
    /// <summary>
    /// The application for <paramref name="args"/> and the usual configuration sources (appsettings.json, environment,
    /// command line). Bad options throw <see cref="OptionsValidationException"/> listing every problem.
    /// </summary>
    public static WebApplication Build(string[] args)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
        builder.Configuration.AddCommandLine(args, StatsDOptions.Switches);
        var failures = new List<string>();
        var options = StatsDOptions.Read(builder.Configuration.GetSection(StatsDOptions.SectionName), failures);
        if (failures.Count > 0)
            throw new OptionsValidationException(StatsDOptions.SectionName, typeof(StatsDOptions), failures);

        // --port decides the UDP bind unless the Softnet section names one itself.
        var softnet = builder.Configuration.GetSection(SoftnetOptions.SectionName);
        if (softnet["Udp:Bind"] is null)
            builder.Configuration.AddInMemoryCollection([new($"{SoftnetOptions.SectionName}:Udp:Bind", $"[::]:{options.Port}")]);

        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(options.Http));
        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<Aggregator>();
        builder.Services.AddSingleton<ReceiveAllocations>();
        builder.Services.AddSingleton<PrometheusExport>();
        builder.Services.AddSingleton(_ => new FlushLog(options.FlushLog));
        // Before AddSoftnet: hosted services stop in reverse order, so the last flush follows the stack's drain.
        builder.Services.AddSingleton<Flusher>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<Flusher>());
        builder.Services.AddSoftnet<StatsDHandler>(softnet);

        var app = builder.Build();
        app.MapGet("/metrics", (PrometheusExport export, SoftnetService softnet, ReceiveAllocations allocations) =>
        {
            long socketDrops = softnet.Udp?.ReadSocketDrops() ?? 0;
            string text = export.Render(socketDrops, softnet.Stack.Snapshot().Dropped, allocations.Bytes);
            return Results.Text(text, "text/plain; version=0.0.4; charset=utf-8");
        });
        return app;
    }
}
