using System.Net;
using System.Text.Json;
using SenderAuth.Spf;

namespace SenderAuth.Cli.Commands;

/// <summary>
/// Bulk checks: JSON lines in, one JSON result per line out, in input order. Up to
/// <see cref="MaxInFlight"/> checks run at once so that network DNS latency overlaps.
/// </summary>
internal static class SpfBatch
{
    private const int MaxInFlight = 32;
    private const int MaxLineLength = 64 * 1024;

    /// <summary>One input line (internal, not private: the CLI's source-generated JSON metadata reads it).</summary>
    internal sealed record Request(string? Ip, string? MailFrom, string? Helo);

    /// <summary>The output line of an input line that was not a request.</summary>
    internal sealed record ErrorLine(int Line, string Error);

    public static async Task<int> RunAsync(SpfEvaluator evaluator, TextReader input, TextWriter output, CancellationToken ct)
    {
        var pending = new Queue<Task<string>>();
        var lineNumber = 0;
        var badLines = 0;
        while (await input.ReadLineAsync(ct).ConfigureAwait(false) is { } line)
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }
            var (task, ok) = Start(evaluator, line, lineNumber, ct);
            badLines += ok ? 0 : 1;
            pending.Enqueue(task);
            if (pending.Count >= MaxInFlight)
            {
                await output.WriteLineAsync(await pending.Dequeue().ConfigureAwait(false)).ConfigureAwait(false);
            }
        }
        while (pending.Count > 0)
        {
            await output.WriteLineAsync(await pending.Dequeue().ConfigureAwait(false)).ConfigureAwait(false);
        }
        await output.FlushAsync(ct).ConfigureAwait(false);
        return badLines == 0 ? ExitCodes.Ok : ExitCodes.Usage;
    }

    private static (Task<string> Task, bool Ok) Start(SpfEvaluator evaluator, string line, int lineNumber, CancellationToken ct)
    {
        string? error = null;
        Request? request = null;
        if (line.Length > MaxLineLength)
        {
            error = $"line longer than {MaxLineLength} characters";
        }
        else
        {
            try
            {
                request = CliJson.Read<Request>(line);
            }
            catch (JsonException e)
            {
                error = $"not valid JSON: {e.Message}";
            }
        }
        IPAddress? ip = null;
        if (error is null && (request?.Ip is null || !IPAddress.TryParse(request.Ip, out ip)))
        {
            error = $"\"ip\" missing or not an IP address";
        }
        if (error is null && string.IsNullOrEmpty(request!.MailFrom) && string.IsNullOrEmpty(request.Helo))
        {
            error = "\"mailFrom\" or \"helo\" is required";
        }
        if (error is not null)
        {
            return (Task.FromResult(CliJson.Line(new ErrorLine(lineNumber, error))), false);
        }
        return (CheckAsync(evaluator, ip!, request!, lineNumber, ct), true);
    }

    private static async Task<string> CheckAsync(SpfEvaluator evaluator, IPAddress ip, Request request, int lineNumber, CancellationToken ct)
    {
        var outcome = await evaluator.CheckMailFromAsync(ip, request.MailFrom, request.Helo, ct).ConfigureAwait(false);
        var view = SpfView.From(outcome, evaluator.Options.ReceiverName);
        // Same fields as `spf --json`, plus the input line number so failures can be traced back.
        var node = CliJson.Node(view);
        node.Insert(0, "line", lineNumber);
        return node.ToJsonString(CliJson.Compact);
    }
}
