using Softnet.Core;
using Softnet.Devices;

namespace Softnet.Tests.UdpDevice;

using Softnet.Devices.Udp;

/// <summary>dev-set and napi-set check their values as the kernel's netlink policy does, and change nothing when they refuse.</summary>
[Collection(UdpDeviceCollection.Name)]
public class NapiValidationTests
{
    public NapiValidationTests()
        : this(UdpBackend.Epoll)
    {
    }

    protected NapiValidationTests(UdpBackend backend) => TestBackend.Current = backend;

    [Fact]
    public void SetThreaded_UndefinedMode_IsRefusedAndNothingChanges()
    {
        var stack = UdpStacks.Create((batch, cpu) => { });
        try
        {
            var dev = UdpDevice.Open(stack, new UdpDeviceOptions { Backend = TestBackend.Current, Queues = 2 });
            dev.Start();

            var ex = Assert.Throws<ArgumentOutOfRangeException>(() => dev.SetThreaded((ThreadedMode)5));

            Assert.Equal("threaded", ex.ParamName);
            Assert.Contains("disabled (0), enabled (1), busy-poll (2) (got 5)", ex.Message);
            Assert.Equal(ThreadedMode.Disabled, dev.Threaded);
            Assert.All(dev.Napis, n => Assert.Null(n.ThreadId));
            Assert.All(dev.NapiConfigs, c => Assert.Equal(ThreadedMode.Disabled, c.Threaded));
        }
        finally
        {
            stack.Dispose();
        }
    }

    [Theory]
    [InlineData(-1, "threaded", "disabled (0), enabled (1), busy-poll (2) (got -1)")]
    [InlineData(3, "threaded", "(got 3)")]
    public void SetNapi_UndefinedMode_IsRefused(int mode, string attribute, string message)
    {
        var stack = UdpStacks.Create((batch, cpu) => { });
        try
        {
            var dev = UdpDevice.Open(stack, new UdpDeviceOptions { Backend = TestBackend.Current, Queues = 1 });
            dev.Start();
            var napi = dev.Napis[0];

            var ex = Assert.Throws<ArgumentOutOfRangeException>(() => dev.SetNapi(napi, (ThreadedMode)mode, deferHardIrqs: 3));

            Assert.Equal(attribute, ex.ParamName);
            Assert.Contains(message, ex.Message);
            Assert.Null(napi.ThreadId);
            Assert.Equal(ThreadedMode.Disabled, napi.Threaded);
            Assert.Equal(0, napi.DeferHardIrqs);
        }
        finally
        {
            stack.Dispose();
        }
    }

    [Fact]
    public void SetNapi_OutOfRange_NamesTheAttributeAndTheRange()
    {
        var stack = UdpStacks.Create((batch, cpu) => { });
        try
        {
            var dev = UdpDevice.Open(stack, new UdpDeviceOptions { Backend = TestBackend.Current, Queues = 1 });
            dev.Start();
            var napi = dev.Napis[0];

            var defer = Assert.Throws<ArgumentOutOfRangeException>(() => dev.SetNapi(napi, deferHardIrqs: -1));
            var gro = Assert.Throws<ArgumentOutOfRangeException>(() => dev.SetNapi(napi, groFlushTimeoutNs: -5));

            Assert.Equal("defer-hard-irqs", defer.ParamName);
            Assert.Contains("between 0 and 2147483647 (got -1)", defer.Message);
            Assert.Equal("gro-flush-timeout", gro.ParamName);
            Assert.Contains("(got -5)", gro.Message);
        }
        finally
        {
            stack.Dispose();
        }
    }

    /// <summary>A device that has no NAPIs (loopback only calls netif_rx) has nothing to thread: EOPNOTSUPP, as the sysfs file answers.</summary>
    [Fact]
    public void SetThreaded_OnADeviceWithoutNapis_IsEopnotsupp()
    {
        var stack = UdpStacks.Create((batch, cpu) => { });
        try
        {
            var lo = new LoopbackDevice(stack);

            var ex = Assert.Throws<NotSupportedException>(() => lo.SetThreaded(ThreadedMode.Enabled));

            Assert.Contains("EOPNOTSUPP", ex.Message);
            Assert.Contains("lo", ex.Message);
            Assert.Equal(ThreadedMode.Disabled, lo.Threaded);
        }
        finally
        {
            stack.Dispose();
        }
    }
}

/// <summary>The same tests with the io_uring receive backend.</summary>
[Collection(UdpDeviceCollection.Name)]
public sealed class NapiValidationTestsIoUring : NapiValidationTests
{
    public NapiValidationTestsIoUring()
        : base(UdpBackend.IoUring)
    {
    }
}
