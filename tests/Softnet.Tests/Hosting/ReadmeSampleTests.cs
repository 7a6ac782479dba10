using System.Text;
using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Softnet.Hosting;

namespace Softnet.Tests.Hosting;

/// <summary>The README's C# compiles against the Softnet assemblies as printed: the service sample, and every other block.</summary>
public sealed partial class ReadmeSampleTests
{
    private const string Section = "## Use it in your service";

    /// <summary>The C# block of the section compiles as a console program, with no errors or warnings.</summary>
    [Fact]
    public void UseItInYourServiceSample_Compiles()
    {
        string sample = CodeBlock(File.ReadAllText(ReadmePath()), Section, "csharp");
        var tree = CSharpSyntaxTree.ParseText(sample, new CSharpParseOptions(LanguageVersion.Latest));
        var compilation = CSharpCompilation.Create(
            "ReadmeSample",
            [tree, CSharpSyntaxTree.ParseText(ImplicitUsings, new CSharpParseOptions(LanguageVersion.Latest))],
            References(),
            new CSharpCompilationOptions(OutputKind.ConsoleApplication, nullableContextOptions: NullableContextOptions.Enable));

        var problems = compilation.GetDiagnostics().Where(d => d.Severity >= DiagnosticSeverity.Warning).Select(d => d.ToString()).ToList();

        Assert.Empty(problems);
    }

    /// <summary>The section's handler-context fragment (a <c>Handle</c> method, indented in a list item) compiles as a handler's body.</summary>
    [Fact]
    public void HandlerContextFragment_Compiles()
    {
        string fragment = CodeBlock(File.ReadAllText(ReadmePath()), Section, "csharp", indent: "  ");
        string program = "using Softnet.Core;\nusing Softnet.Hosting;\n\nsealed class Echo : IPacketBatchHandler\n{\n" + fragment + "}\n";
        var compilation = CSharpCompilation.Create(
            "ReadmeFragment",
            [CSharpSyntaxTree.ParseText(program, new CSharpParseOptions(LanguageVersion.Latest)), CSharpSyntaxTree.ParseText(ImplicitUsings, new CSharpParseOptions(LanguageVersion.Latest))],
            References(),
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));

        var problems = compilation.GetDiagnostics().Where(d => d.Severity >= DiagnosticSeverity.Warning).Select(d => d.ToString()).ToList();

        Assert.Contains("context.Reply(packet, packet.Data)", fragment);
        Assert.Empty(problems);
    }

    /// <summary>The section's <c>appsettings.json</c> binds and passes the validation the host runs at start.</summary>
    [Fact]
    public void AppSettingsSample_BindsAndValidates()
    {
        string json = CodeBlock(File.ReadAllText(ReadmePath()), Section, "json");
        var configuration = new ConfigurationBuilder().AddJsonStream(new MemoryStream(Encoding.UTF8.GetBytes(json))).Build();
        var services = new ServiceCollection();
        services.AddSoftnet(configuration.GetSection(SoftnetOptions.SectionName));
        using var provider = services.BuildServiceProvider();

        var options = provider.GetRequiredService<IOptions<SoftnetOptions>>().Value;

        Assert.Equal("127.0.0.1:8125", options.Udp?.Bind);
        Assert.Equal(["127.0.0.1/32:9000-9001"], options.Udp?.Protected ?? []);
        Assert.NotNull(options.OverloadThresholds);
    }

    /// <summary>
    /// Every C# block of the README compiles. A block that starts with its own <c>using</c> directives is a whole
    /// program and gets nothing more than an SDK console project's implicit usings (so a wrong namespace fails); a
    /// <c>Handle</c> method is compiled inside a handler class; any other block is a fragment of a program that has the
    /// Softnet namespaces imported and, when the fragment uses them without declaring them, a <c>stack</c>, a UDP
    /// device <c>udp</c> and a <c>running</c> flag.
    /// </summary>
    [Fact]
    public void EveryCSharpBlock_Compiles()
    {
        var blocks = CSharpBlocks().Matches(File.ReadAllText(ReadmePath())).Select(m => Unindent(m.Groups["code"].Value, m.Groups["indent"].Value)).ToList();
        var problems = new List<string>();
        foreach (string block in blocks)
        {
            bool program = UsingDirective().IsMatch(block);
            bool handler = block.TrimStart().StartsWith("public void Handle(", StringComparison.Ordinal);
            string source = program ? block
                : handler ? FragmentUsings + "sealed class Handler : IPacketBatchHandler\n{\n" + block + "}\n"
                : FragmentUsings + Givens(block) + block;
            var compilation = CSharpCompilation.Create(
                "ReadmeBlock",
                [CSharpSyntaxTree.ParseText(source, new CSharpParseOptions(LanguageVersion.Latest)), CSharpSyntaxTree.ParseText(ImplicitUsings, new CSharpParseOptions(LanguageVersion.Latest))],
                References(),
                new CSharpCompilationOptions(handler ? OutputKind.DynamicallyLinkedLibrary : OutputKind.ConsoleApplication, nullableContextOptions: NullableContextOptions.Enable));
            problems.AddRange(compilation.GetDiagnostics().Where(d => d.Severity >= DiagnosticSeverity.Warning).Select(d => $"{d}\n--- in the block:\n{block}"));
        }

        Assert.True(blocks.Count >= 6, $"README has {blocks.Count} C# blocks; the pattern no longer finds them");
        Assert.True(problems.Count == 0, string.Join("\n\n", problems));
    }

    private const string FragmentUsings = """
        using System.Net;
        using Softnet.Core;
        using Softnet.Devices;
        using Softnet.Devices.Udp;
        using Softnet.Hosting;
        using Softnet.Overload;

        """;

    /// <summary>Declarations for what a fragment uses without declaring: the stack, the UDP device, the loop flag.</summary>
    private static string Givens(string fragment)
    {
        var givens = new StringBuilder();
        bool Uses(string name) => Regex.IsMatch(fragment, $@"\b{name}\b") && !Regex.IsMatch(fragment, $@"\bvar {name}\b");
        if (Uses("stack") || Uses("udp"))
            givens.AppendLine("using var stack = new NetStack(new NetStackOptions(), (batch, cpu) => { });");
        if (Uses("udp"))
            givens.AppendLine("var udp = UdpDevice.Open(stack, new UdpDeviceOptions());");
        if (Uses("running"))
            givens.AppendLine("bool running = false;");
        return givens.ToString();
    }

    private static string Unindent(string code, string indent) =>
        indent.Length == 0 ? code : string.Join('\n', code.Split('\n').Select(line => line.StartsWith(indent, StringComparison.Ordinal) ? line[indent.Length..] : line));

    /// <summary>A block that opens with a using directive (not a using declaration such as <c>using var</c>).</summary>
    [GeneratedRegex(@"^\s*using [A-Za-z][A-Za-z0-9.]*;")]
    private static partial Regex UsingDirective();

    /// <summary>A fenced C# block, possibly indented (inside a list item): its indent and its code.</summary>
    [GeneratedRegex(@"^(?<indent>[ ]*)```csharp\n(?<code>.*?)^\k<indent>```", RegexOptions.Multiline | RegexOptions.Singleline)]
    private static partial Regex CSharpBlocks();

    /// <summary>The global usings of an SDK console project (ImplicitUsings), which the sample relies on.</summary>
    private const string ImplicitUsings = """
        global using System;
        global using System.Collections.Generic;
        global using System.IO;
        global using System.Linq;
        global using System.Net.Http;
        global using System.Threading;
        global using System.Threading.Tasks;
        """;

    private static IEnumerable<MetadataReference> References()
    {
        var platform = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator);
        return platform.Append(typeof(SoftnetService).Assembly.Location).Distinct().Select(p => MetadataReference.CreateFromFile(p));
    }

    /// <summary>The section's first block in <paramref name="language"/> whose fence starts a line after <paramref name="indent"/>.</summary>
    private static string CodeBlock(string markdown, string heading, string language, string indent = "")
    {
        int section = markdown.IndexOf("\n" + heading + "\n", StringComparison.Ordinal);
        Assert.True(section >= 0, $"README has no section '{heading}'");
        string fence = "\n" + indent + "```" + language + "\n";
        int found = markdown.IndexOf(fence, section, StringComparison.Ordinal);
        Assert.True(found >= 0, $"README section '{heading}' has no {language} block indented by '{indent}'");
        int start = found + fence.Length;
        int end = markdown.IndexOf("\n" + indent + "```", start - 1, StringComparison.Ordinal);
        return markdown[start..(end + 1)];
    }

    private static string ReadmePath()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            string candidate = Path.Combine(dir.FullName, "README.md");
            if (File.Exists(candidate) && File.Exists(Path.Combine(dir.FullName, "Softnet.slnx")))
                return candidate;
        }

        throw new FileNotFoundException("README.md beside Softnet.slnx, above the test binaries");
    }
}
