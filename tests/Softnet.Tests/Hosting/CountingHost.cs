using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Softnet.Hosting;

namespace Softnet.Tests.Hosting;

/// <summary>A Generic Host with Softnet bound from in-memory configuration and a <see cref="CountingHandler"/> as its handler.</summary>
internal static class CountingHost
{
    public static IHost Build(Dictionary<string, string?> settings)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Services.AddSingleton<CountingHandler>();
        builder.Services.AddSingleton<IPacketBatchHandler>(sp => sp.GetRequiredService<CountingHandler>());
        builder.Services.AddSoftnet(builder.Configuration.GetSection(SoftnetOptions.SectionName));
        return builder.Build();
    }
}
