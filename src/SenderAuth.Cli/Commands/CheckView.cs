using SenderAuth.Check;
using SenderAuth.Dns;

namespace SenderAuth.Cli.Commands;

/// <summary>The JSON of <c>senderauth check --json</c>, one line of <c>check --domains</c> (field names are a public contract).</summary>
/// <param name="Verdict">Per area with a verdict (DNSSEC only when it was checked), the contract's tokens as keys and values.</param>
/// <param name="Findings">Through the contract (FindingContract): the same names as the API's and the stored rows'.</param>
internal sealed record CheckView(
    string Domain, string Code, IReadOnlyDictionary<CheckArea, AreaVerdict> Verdict, IReadOnlyList<CheckFinding> Findings, IReadOnlyList<CheckRecordView> Records)
{
    public static CheckView From(DomainCheckReport r, IEnumerable<CheckArea> areas) => new(
        r.Domain, r.Code, areas.ToDictionary(a => a, r.Verdict), r.Findings,
        [.. r.Records.Select(x => new CheckRecordView(x.Name, x.Type, x.Value, x.ZoneLine))]);
}

/// <summary>A record to publish, as the check prints it.</summary>
internal sealed record CheckRecordView(string Name, DnsRecordType Type, string Value, string ZoneLine);

/// <summary>A line of <c>check --domains</c> for a domain that could not be checked (a bad name, a missing code).</summary>
internal sealed record CheckErrorView(string Domain, string Error);
