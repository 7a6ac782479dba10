using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Softnet.Core;
using Softnet.Devices;
using Softnet.Tests.TestSupport;

namespace Softnet.Tests.Hosting;

/// <summary>The stack's operational messages go through <see cref="ILoggerFactory"/>; without one, nowhere.</summary>
public sealed class StackLoggingTests
{
    /// <summary>Collects what is logged, with its category and level.</summary>
    private sealed class CollectingProvider : ILoggerProvider
    {
        public ConcurrentQueue<(string Category, LogLevel Level, string Message)> Entries { get; } = new();

        public ILogger CreateLogger(string categoryName) => new Collector(this, categoryName);

        public void Dispose()
        {
        }

        private sealed class Collector(CollectingProvider owner, string category) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
                owner.Entries.Enqueue((category, logLevel, formatter(state, exception)));
        }
    }

    [Fact]
    public void HandlerFailure_IsLoggedOnce_AsAWarningInTheSoftnetCategory()
    {
        var provider = new CollectingProvider();
        using var factory = LoggerFactory.Create(b => b.AddProvider(provider));
        long seen = 0;
        using (var stack = new NetStack(
            new NetStackOptions { Cpus = 1, Pin = false, Platform = new TestPlatform(1), LoggerFactory = factory },
            (batch, _) =>
            {
                Interlocked.Add(ref seen, batch.Length);
                throw new InvalidOperationException("handler failure under test");
            }))
        {
            var lo = new LoopbackDevice(stack);
            for (int i = 0; i < 3; i++)
                lo.Send([1, 2, 3], flowHash: 7);
            Eventually.True(() => Interlocked.Read(ref seen) == 3, "three packets handled");
        }

        var entry = Assert.Single(provider.Entries);
        Assert.Equal("Softnet", entry.Category);
        Assert.Equal(LogLevel.Warning, entry.Level);
        Assert.Contains("handler threw InvalidOperationException: handler failure under test", entry.Message);
    }

    [Fact]
    public void Defaults_HaveNoLogger()
    {
        var options = new NetStackOptions();

        Assert.Same(NullLoggerFactory.Instance, options.LoggerFactory);
        Assert.Null(options.Log);
    }
}
