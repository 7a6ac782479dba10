using Softnet.Core;

namespace Softnet.Tests.Core;

/// <summary>Option validation: each invalid value fails naming the option and what it accepts.</summary>
public sealed class OptionsTests
{
    public static TheoryData<string, int, string> OutOfRange => new()
    {
        { nameof(NetStackOptions.NetdevMaxBacklog), 0, "between 1 and 16777216" },
        { nameof(NetStackOptions.NetdevBudget), 0, "between 1 and 1048576" },
        { nameof(NetStackOptions.DevWeight), 0, "between 1 and 4096" },
        { nameof(NetStackOptions.FlowLimitTableLen), 3, "power of two between 1 and 1048576" },
        { nameof(NetStackOptions.Cpus), 0, "between 1 and 1024" },
        { nameof(NetStackOptions.NetdevBudgetUsecs), 0, "between 1 and 1000000" },
        { nameof(NetStackOptions.SkbDeferMax), -1, "between 0 and 1048576" },
    };

    private static NetStackOptions With(string option, int value)
    {
        var o = new NetStackOptions { Cpus = 2, Pin = false };
        return option switch
        {
            nameof(NetStackOptions.NetdevMaxBacklog) => o with { NetdevMaxBacklog = value },
            nameof(NetStackOptions.NetdevBudget) => o with { NetdevBudget = value },
            nameof(NetStackOptions.DevWeight) => o with { DevWeight = value },
            nameof(NetStackOptions.FlowLimitTableLen) => o with { FlowLimitTableLen = value },
            nameof(NetStackOptions.Cpus) => o with { Cpus = value },
            nameof(NetStackOptions.NetdevBudgetUsecs) => o with { NetdevBudgetUsecs = value },
            nameof(NetStackOptions.SkbDeferMax) => o with { SkbDeferMax = value },
            _ => throw new ArgumentException(option),
        };
    }

    [Theory]
    [MemberData(nameof(OutOfRange))]
    public void OutOfRangeValue_ThrowsNamingTheOptionAndItsRange(string option, int value, string range)
    {
        var options = With(option, value);

        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new NetStack(options, Stacks.Ignore));

        Assert.Equal(option, e.ParamName);
        Assert.Contains(option, e.Message);
        Assert.Contains(range, e.Message);
        Assert.Throws<ArgumentOutOfRangeException>(options.Validate);
    }

    [Fact]
    public void RpsCpus_NamingACpuThatDoesNotExist_ThrowsWithTheAllowedCpus()
    {
        var options = new NetStackOptions { Cpus = 2, Pin = false, RpsCpus = "ff" };

        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new NetStack(options, Stacks.Ignore));

        Assert.Equal(nameof(NetStackOptions.RpsCpus), e.ParamName);
        Assert.Contains(nameof(NetStackOptions.RpsCpus), e.Message);
        Assert.Contains("'ff'", e.Message);
        Assert.Contains("0..1", e.Message);
    }

    [Theory]
    [InlineData("zz")]
    [InlineData("3-1")]
    public void RpsCpus_ThatIsNotAMask_ThrowsWithTheAcceptedForms(string mask)
    {
        var options = new NetStackOptions { Cpus = 2, Pin = false, RpsCpus = mask };

        var e = Assert.Throws<ArgumentException>(() => new NetStack(options, Stacks.Ignore));

        Assert.Equal(nameof(NetStackOptions.RpsCpus), e.ParamName);
        Assert.Contains(nameof(NetStackOptions.RpsCpus), e.Message);
        Assert.Contains($"'{mask}'", e.Message);
    }

    [Fact]
    public void FlowLimit_NamingACpuThatDoesNotExist_ThrowsNamingFlowLimit()
    {
        var options = new NetStackOptions { Cpus = 2, Pin = false, FlowLimit = "4" };

        var e = Assert.Throws<ArgumentOutOfRangeException>(options.Validate);

        Assert.Equal(nameof(NetStackOptions.FlowLimit), e.ParamName);
        Assert.Contains("0..1", e.Message);
    }

    [Theory]
    [InlineData("3")]
    [InlineData("all")]
    [InlineData("0-1")]
    [InlineData("")]
    [InlineData("0x2")]
    public void ValidRpsMasks_AreAccepted(string mask)
    {
        var options = new NetStackOptions { Cpus = 2, Pin = false, RpsCpus = mask, FlowLimit = mask };
        options.Validate();
    }

    [Fact]
    public void NapiWeight_OutOfRange_Throws()
    {
        using var stack = new NetStack(Stacks.Options(1), Stacks.Ignore);

        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new TestNapi(stack, weight: 0));

        Assert.Contains("weight", e.Message);
        Assert.Contains("between 1 and 4096", e.Message);
    }
}
