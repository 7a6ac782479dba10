using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Softnet.Admin;

namespace Softnet.Hosting;

/// <summary>Registers Softnet with the Generic Host.</summary>
public static class SoftnetServiceCollectionExtensions
{
    /// <summary>
    /// Adds the stack (and the UDP device, when the <c>Udp</c> section is set) as a hosted service, with options bound
    /// from <paramref name="configuration"/> (usually <c>builder.Configuration.GetSection("Softnet")</c>) and then
    /// <paramref name="configure"/>, validated when the host starts. The handler is the registered
    /// <see cref="IPacketBatchHandler"/>.
    /// </summary>
    public static IServiceCollection AddSoftnet(this IServiceCollection services, IConfiguration? configuration = null, Action<SoftnetOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = services.AddOptions<SoftnetOptions>();
        if (configuration is not null)
            options.Bind(configuration, binder => binder.ErrorOnUnknownConfiguration = true);
        if (configure is not null)
            options.Configure(configure);
        options.ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<SoftnetOptions>, SoftnetOptionsValidator>());
        // The stack's Softnet meter is created through the host's IMeterFactory.
        services.AddMetrics();
        if (!services.Any(d => d.ServiceType == typeof(SoftnetService)))
        {
            services.AddSingleton<SoftnetService>();
            services.AddHostedService(sp => sp.GetRequiredService<SoftnetService>());
        }

        return services;
    }

    /// <summary>As <see cref="AddSoftnet(IServiceCollection, IConfiguration?, Action{SoftnetOptions}?)"/>, registering <typeparamref name="THandler"/> as the singleton handler.</summary>
    public static IServiceCollection AddSoftnet<THandler>(this IServiceCollection services, IConfiguration? configuration = null, Action<SoftnetOptions>? configure = null)
        where THandler : class, IPacketBatchHandler
    {
        services.TryAddSingleton<IPacketBatchHandler, THandler>();
        return services.AddSoftnet(configuration, configure);
    }

    /// <summary>
    /// Opts in to the admin endpoint over the hosted stack (a Unix socket, optionally HTTP and a metrics listener), where
    /// <paramref name="options"/> says or, without them, where the <c>Softnet:Admin</c> section says. Call after
    /// <see cref="AddSoftnet(IServiceCollection, IConfiguration?, Action{SoftnetOptions}?)"/>: hosted services start in
    /// registration order, and the endpoint needs the running stack.
    /// </summary>
    public static IServiceCollection AddSoftnetAdmin(this IServiceCollection services, AdminOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        if (!services.Any(d => d.ServiceType == typeof(SoftnetService)))
            throw new InvalidOperationException("AddSoftnetAdmin needs AddSoftnet first: the admin endpoint serves the hosted stack, which must start before it");
        if (options is not null)
            services.AddSingleton(options);
        else
            services.AddSingleton(sp => SoftnetOptionsResolver.Resolve(sp.GetRequiredService<IOptions<SoftnetOptions>>().Value).Admin);
        services.AddSingleton<SoftnetAdminService>();
        services.AddHostedService(sp => sp.GetRequiredService<SoftnetAdminService>());
        return services;
    }

    /// <summary>
    /// Opts in to the read-only metrics listener over the hosted stack without the admin endpoint: Prometheus text on
    /// <c>GET /metrics</c> at <paramref name="endPoint"/> (<c>127.0.0.1:9102</c>, <c>[::]:9102</c>, port 0 to pick one),
    /// nothing else, no token, nothing it can change. Call after
    /// <see cref="AddSoftnet(IServiceCollection, IConfiguration?, Action{SoftnetOptions}?)"/>. An endpoint that does not
    /// parse (no port, a host name) throws <see cref="ArgumentException"/> naming it, here rather than at start.
    /// </summary>
    public static IServiceCollection AddSoftnetMetrics(this IServiceCollection services, string endPoint)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(endPoint);
        if (!services.Any(d => d.ServiceType == typeof(SoftnetService)))
            throw new InvalidOperationException("AddSoftnetMetrics needs AddSoftnet first: the listener serves the hosted stack, which must start before it");
        if (!EndPointText.TryParse(endPoint, nameof(endPoint), out var parsed, out string error))
            throw new ArgumentException(error, nameof(endPoint));
        services.AddSingleton(sp => new SoftnetMetricsService(sp.GetRequiredService<SoftnetService>(), parsed, sp.GetRequiredService<ILogger<SoftnetMetricsService>>()));
        services.AddHostedService(sp => sp.GetRequiredService<SoftnetMetricsService>());
        return services;
    }
}
