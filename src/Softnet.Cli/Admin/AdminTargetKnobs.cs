using System.CommandLine;
using System.Net;
using Softnet.Cli.CommandLine;
using Softnet.Cli.Options;

namespace Softnet.Cli.Admin;

/// <summary>The options every admin verb and subcommand takes to pick its server, declared once.</summary>
internal sealed class AdminTargetKnobs
{
    public Option<string?> Admin { get; } = Shared(Knob.Text("--admin", "PATH", "the server's admin Unix socket (default: the per-user path softnet serve uses too)"));

    public Option<string?> AdminHttp { get; } = Shared(Knob.Text("--admin-http", "ADDR:PORT", "ask the server's HTTP listener instead"));

    public Option<string?> AdminTokenFile { get; } = Shared(Knob.Text("--admin-token-file", "PATH", "bearer token for --admin-http (default: the token file beside the admin socket)"));

    public void AddTo(Command command)
    {
        command.Add(Admin);
        command.Add(AdminHttp);
        command.Add(AdminTokenFile);
    }

    /// <summary>The target a parse names; checked before anything connects.</summary>
    public AdminTarget Bind(ParseResult r)
    {
        string? http = r.GetValue(AdminHttp);
        string? token = r.GetValue(AdminTokenFile);
        IPEndPoint? endPoint = null;
        if (http is not null && !(IPEndPoint.TryParse(http, out endPoint) && endPoint.Port != 0 && http.LastIndexOf(':') > http.LastIndexOf(']')))
            throw new UsageException($"--admin-http must be ADDR:PORT such as 127.0.0.1:9100 or [::1]:9100 (got '{http}')");
        if (token is not null && http is null)
            throw new UsageException("--admin-token-file is for --admin-http; the Unix socket needs no token");
        return new AdminTarget(r.GetValue(Admin), endPoint, token);
    }

    private static Option<string?> Shared(Option<string?> option)
    {
        option.Recursive = true;
        return option;
    }
}
