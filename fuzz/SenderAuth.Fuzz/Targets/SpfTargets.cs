using System.Net;
using SenderAuth.Dns;
using SenderAuth.Spf;

namespace SenderAuth.Fuzz;

/// <summary>SPF records (the parser) and macro strings (parsed, expanded and shortened by a full check_host()).</summary>
internal static class SpfTargets
{
    /// <summary><see cref="SpfParser.Parse"/>: bad records are a null record and an error with its column; no exception.</summary>
    public static FuzzTarget Record { get; } = new("spf-record", input =>
    {
        var record = SpfParser.Parse(FuzzTargets.Text(input), out var error);
        if ((record is null) == (error is null))
        {
            throw new InvalidOperationException("SpfParser.Parse must return either a record or an error");
        }
        _ = record?.ToString();
    }, [], FuzzBudget.Text);

    /// <summary>
    /// A macro-string (RFC 7208 §7): the input is a sender (MAIL FROM) on its first line and the macro-string after
    /// it. The string is parsed as an explain-string and expanded, then evaluated as the domain-spec of <c>a:</c>,
    /// <c>exists:</c> and <c>exp=</c> in a check_host() against a resolver that serves that record for every name, so
    /// expansion and the shortening to 253 characters (§7.3) run on hostile values. Results are data: no exception.
    /// </summary>
    public static FuzzTarget Macro { get; } = new("spf-macro", input =>
    {
        var text = FuzzTargets.Text(input);
        var newline = text.IndexOf('\n', StringComparison.Ordinal);
        var sender = newline < 0 ? "postmaster@example.com" : text[..newline];
        var macro = newline < 0 ? text : text[(newline + 1)..];
        var values = new FixedMacroValues(sender);
        var parsed = SpfMacroString.TryParse(macro, 0, allowSpace: true, out _);
        _ = parsed?.ExpandAsync(values, CancellationToken.None).AsTask().GetAwaiter().GetResult();
        var resolver = new OneRecordResolver($"v=spf1 a:{macro} exists:{macro} -all exp={macro}");
        var evaluator = new SpfEvaluator(resolver);
        _ = evaluator.CheckMailFromAsync(IPAddress.Parse("192.0.2.1"), sender, "mta.example.com").AsTask().GetAwaiter().GetResult();
    }, [], FuzzBudget.Text);

    /// <summary>The macro letters of one fixed check (§7.2), from the fuzzed sender.</summary>
    private sealed class FixedMacroValues(string sender) : ISpfMacroValues
    {
        public ValueTask<string> GetAsync(char letter, CancellationToken cancellationToken)
        {
            var at = sender.LastIndexOf('@');
            return ValueTask.FromResult(char.ToLowerInvariant(letter) switch
            {
                's' => sender,
                'l' => at < 0 ? "postmaster" : sender[..at],
                'o' or 'd' => at < 0 ? sender : sender[(at + 1)..],
                'i' or 'c' => "192.0.2.1",
                'p' => "unknown",
                'v' => "in-addr",
                'h' => "mta.example.com",
                'r' => "mx.example.net",
                't' => "1700000000",
                _ => "",
            });
        }
    }

    /// <summary>Every TXT question gets the one record; every other question is NXDOMAIN.</summary>
    private sealed class OneRecordResolver(string record) : IDnsResolver
    {
        public ValueTask<DnsAnswer> QueryAsync(string name, DnsRecordType type, CancellationToken cancellationToken = default) =>
            ValueTask.FromResult(type == DnsRecordType.Txt
                ? new DnsAnswer(DnsStatus.NoError, [new TxtRecord(name, 300, [record])], TimeSpan.FromMinutes(5))
                : DnsAnswer.NxDomain(TimeSpan.FromMinutes(5)));
    }
}
