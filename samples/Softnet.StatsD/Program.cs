using Microsoft.Extensions.Options;
using Softnet.StatsD;

try
{
    using var app = StatsDServer.Build(args);
    await app.RunAsync();
    return 0;
}
catch (OptionsValidationException ex)
{
    foreach (string failure in ex.Failures)
        Console.Error.WriteLine($"softnet-statsd: {failure}");
    return 2;
}
