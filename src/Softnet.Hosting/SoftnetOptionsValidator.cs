using Microsoft.Extensions.Options;

namespace Softnet.Hosting;

/// <summary>Checks the <c>Softnet</c> section at start and reports every failure at once, each naming the option and its allowed range.</summary>
internal sealed class SoftnetOptionsValidator : IValidateOptions<SoftnetOptions>
{
    public ValidateOptionsResult Validate(string? name, SoftnetOptions options)
    {
        var failures = SoftnetOptionsResolver.Resolve(options).Failures;
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
